"""`msa build`: one client's agreement, review memo and lock file, written all-or-nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._files import atomic_write_set
from .agreement import Agreement
from .assemble import assemble
from .content import agreement_json
from .context import printed_values
from .errors import RenderError
from .identity import Owner, client_folder
from .library.model import Library
from .lock import bill_of_materials, lock_bytes, lock_document
from .paths import SHIPPED, default_provider, default_templates, is_shipped
from .profile import LoadedProfile, load_profile, load_provider, slugify
from .render.agreement_docx import render_agreement_docx
from .render.memo_docx import render_memo_docx
from .ooxml.shell import load_shell
from .selection import select
from .terms import agreement_terms

if TYPE_CHECKING:
    from .ledger import AgreementRecord
    from .pdf.convert import PdfConverter

FORMATS = ("docx", "pdf")
TEMPLATE_FILES = {"agreement": "agreement.docx", "review_memo": "review-memo.docx"}


@dataclass(frozen=True)
class BuildOptions:
    """Everything besides the profile that decides a build's output."""

    library: Library
    provider_path: Path = field(default_factory=default_provider)
    templates_dir: Path = field(default_factory=default_templates)
    as_of: date | None = None
    allow_drafts: bool = False
    final: bool = False
    formats: tuple[str, ...] = ("docx",)
    # Where the inputs are as the lock records them, when not at the paths above: a Dask worker
    # builds from copies of the coordinator's files (batch/dask_runner.py). None: these paths.
    sources: dict[str, str] | None = None


@dataclass(frozen=True)
class BuildResult:
    """What a build produced and which files actually changed on disk."""

    client: str
    agreement_id: str
    slug: str
    directory: Path
    files: dict[str, Path]
    written: tuple[Path, ...]
    lock: dict[str, Any]
    lock_sha256: str
    agreement: Agreement = field(repr=False)
    record: AgreementRecord | None = None  # set by api.build once the ledger has it


@dataclass(frozen=True)
class RenderedBuild:
    """A build held in memory: file name -> bytes, lock last."""

    slug: str
    agreement: Agreement
    files: dict[str, bytes]
    lock: dict[str, Any]


def output_names(slug: str) -> dict[str, str]:
    """The files of a client's build, by kind; the lock is written last and names the others."""
    return {"docx": f"{slug}-msa.docx", "memo": f"{slug}-review.docx", "pdf": f"{slug}-msa.pdf",
            "agreement": f"{slug}-agreement.json", "lock": f"{slug}-lock.json"}


def _where(path: str | Path) -> str:
    """A path as a lock records it: absolute, so a build from another folder of the workspace writes the same lock."""
    return str(Path(path).resolve())


def input_sources(options: BuildOptions) -> dict[str, str]:
    """Where a build's library, templates and provider file were, as the lock records them."""
    paths = {"library": options.library.location, "templates": str(options.templates_dir),
             "provider": str(options.provider_path)}
    return {name: SHIPPED if is_shipped(path) else _where(path) for name, path in paths.items()}


def render_build(loaded: LoadedProfile, options: BuildOptions, *, converter: PdfConverter | None = None,
                 slug: str | None = None) -> RenderedBuild:
    """Select, assemble and render every output in memory; nothing is written to the outputs.

    PDF output goes through `converter` (one long-lived LibreOffice, shared by a batch worker);
    without one, a converter is started for this build alone. `slug` is the client's folder
    (`identity.client_folder`); without it, the usual one for the name.
    """
    unknown = [f for f in options.formats if f not in FORMATS]
    if unknown:
        raise RenderError(f"unknown output format {unknown[0]!r}", field="--format", allowed=FORMATS)
    provider, provider_sha = load_provider(options.provider_path)
    selection = select(options.library, loaded, as_of=options.as_of, allow_drafts=options.allow_drafts)
    agreement = assemble(selection, provider)
    if options.final and not agreement.is_final_eligible:
        drafts = ", ".join(c.key for c in agreement.clauses() if c.status != "approved")
        raise RenderError(f"a final agreement may use approved clause versions only; drafts: {drafts}",
                          file=loaded.source, field="--final")
    agreement_shell = load_shell(options.templates_dir / TEMPLATE_FILES["agreement"])
    memo_shell = load_shell(options.templates_dir / TEMPLATE_FILES["review_memo"])
    terms = agreement_terms(selection, printed_values(selection, provider))
    bom = bill_of_materials(selection, terms, profile_sha256=loaded.sha256, provider_sha256=provider_sha,
                            templates={"agreement": agreement_shell.sha256, "review_memo": memo_shell.sha256},
                            final=options.final)
    slug = slug or slugify(agreement.client_name)
    names = output_names(slug)
    files: dict[str, bytes] = {}
    docx = render_agreement_docx(agreement, agreement_shell, bom)
    if "docx" in options.formats or "pdf" in options.formats:
        files[names["docx"]] = docx
    files[names["memo"]] = render_memo_docx(agreement, memo_shell, bom,
                                            sample_provider=is_shipped(options.provider_path))
    if "pdf" in options.formats:
        from .pdf import agreement_pdf  # pypdf and the converter load only when a PDF is wanted

        files[names["pdf"]] = agreement_pdf(agreement, docx, bom, converter=converter)
    files[names["agreement"]] = agreement_json(agreement)
    sources = options.sources or input_sources(options)
    lock = lock_document(bom, files, profile_path=_where(loaded.source), sources=sources)
    files[names["lock"]] = lock_bytes(lock)
    return RenderedBuild(slug=slug, agreement=agreement, files=files, lock=lock)


def write_files(out_dir: Path, slug: str, files: dict[str, bytes]) -> tuple[list[Path], str]:
    """Write a build's files under OUT/<slug>/, unchanged ones untouched, the lock last.

    Returns the paths written and the lock's sha256.
    """
    written = atomic_write_set({out_dir / slug / name: data for name, data in files.items()}, own_folder=True)
    return written, hashlib.sha256(files[output_names(slug)["lock"]]).hexdigest()


def write_build(rendered: RenderedBuild, out_dir: Path) -> BuildResult:
    """Write a rendered build under OUT/<slug>/, unchanged files untouched, the lock last."""
    directory = out_dir / rendered.slug
    written, lock_sha256 = write_files(out_dir, rendered.slug, rendered.files)
    return BuildResult(client=rendered.agreement.client_name, agreement_id=rendered.agreement.id,
                       slug=rendered.slug, directory=directory,
                       files={name: directory / name for name in rendered.files}, written=tuple(written),
                       lock=rendered.lock, lock_sha256=lock_sha256, agreement=rendered.agreement)


def build(profile_path: Path | str, out_dir: Path | str, options: BuildOptions,
          *, converter: PdfConverter | None = None, owners: Iterable[Owner] = ()) -> BuildResult:
    """Build one client's agreement from a profile file; nothing is written if anything fails.

    `owners` say which client holds a folder name besides its lock (the ledger's records).
    """
    loaded = load_profile(Path(profile_path))
    slug = client_folder(Path(out_dir), loaded.profile.client.legal_name, owners=owners)
    return write_build(render_build(loaded, options, converter=converter, slug=slug), Path(out_dir))
