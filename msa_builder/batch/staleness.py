"""Staleness: would building this client now give a different agreement than its lock records?

Compares the previous lock's bill of materials with the one a build would use now, without
rendering anything: selection is cheap (about a millisecond), rendering is not. Each difference
is named by the kind of input that caused it (tool, library, clause, template, provider, profile,
options, outputs), so an impact report can say `insurance.client_cyber 1.0.0→1.1.0`.

A second, faster path skips even selection: the expected bill depends only on the build's inputs
(profile bytes, the whole library, templates, provider, the code itself, options), so its hash is
memoised in the ledger under a hash of those inputs. A rerun over unchanged inputs then costs a
file hash and a lock read per client.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .. import clock
from .._files import read_regular
from .._parse import parse_json
from .._version import __version__
from ..errors import BatchError, MsaError
from ..library.model import Library
from ..lock import bill_of_materials, bom_hash, canonical_json
from ..lockcheck import lock_problem
from ..outputs import TEMPLATE_FILES, BuildOptions, output_names
from ..context import printed_values
from ..profile import LoadedProfile, Provider, load_provider, slugify
from ..terms import agreement_terms, base_id
from ..selection import select
from .codehash import code_fingerprint

KINDS = ("new", "tool", "library", "clause", "template", "provider", "profile", "options", "outputs")


@dataclass(frozen=True)
class Change:
    """One reason a client's agreement is stale."""

    kind: str
    detail: str

    def __str__(self) -> str:
        return self.detail


@dataclass(frozen=True)
class BuildInputs:
    """The inputs shared by every client of a batch, hashed once (they do not change mid-batch)."""

    tool_version: str
    library_fingerprint: str
    provider_sha256: str
    templates: dict[str, str]
    as_of: date | None
    allow_drafts: bool
    final: bool
    formats: tuple[str, ...]
    in_force: str | None = None  # without --as-of: the newest effective date on or before today
    code: str = field(default_factory=code_fingerprint)  # what runs, not what its version says
    provider: Provider | None = field(default=None, compare=False)  # its facts are part of the terms
    output_kinds: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        kinds = ["docx", "memo", "agreement"] + (["pdf"] if "pdf" in self.formats else [])
        object.__setattr__(self, "output_kinds", tuple(kinds))

    def output_names(self, slug: str) -> set[str]:
        """The files (besides the lock) a build with these options writes."""
        names = output_names(slug)
        return {names[k] for k in self.output_kinds}

    def key(self, profile_sha256: str) -> str:
        """The hash of everything that decides a client's bill of materials (see the module doc)."""
        return hashlib.sha256(canonical_json({
            "profile": profile_sha256, "library": self.library_fingerprint, "tool": self.tool_version,
            "code": self.code, "provider": self.provider_sha256, "templates": self.templates,
            "as_of": self.as_of.isoformat() if self.as_of else None, "allow_drafts": self.allow_drafts,
            "final": self.final, "in_force": self.in_force,
        })).hexdigest()


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sha256_input(path: Path, what: str) -> str:
    try:
        return _sha256_file(path)
    except OSError as exc:
        raise BatchError(f"cannot read the {what}: {exc.strerror}", file=str(path)) from None


def library_fingerprint(library: Library) -> str:
    """A hash of the whole library: its manifest and every clause version file.

    Unlike the clause list in a lock, this changes when a version is added that no client uses
    yet, which is exactly when a selection has to be made again.
    """
    versions = sorted((v.path, v.sha256) for v in library.versions())
    versions += sorted((c.path, c.sha256) for c in library.catalogue)
    return hashlib.sha256(canonical_json({
        "manifest": library.manifest.model_dump(mode="json"), "versions": versions,
    })).hexdigest()


def in_force(library: Library, as_of: date | None) -> str | None:
    """What a bill depends on besides the profile when no --as-of is given: which versions are in force today.

    A version taking effect changes the bills of the clients that use its slot, though no input
    file changed; keying the memo on the newest effective date reached so far catches exactly that.
    """
    if as_of is not None:
        return None
    today = clock.today()
    return max((v.meta.effective for v in library.versions() if v.meta.effective <= today),
               default=date.min).isoformat()


def build_inputs(options: BuildOptions) -> BuildInputs:
    """Hash the shared inputs of a batch; an unreadable provider file or template stops the batch."""
    return BuildInputs(in_force=in_force(options.library, options.as_of),
        tool_version=__version__, library_fingerprint=library_fingerprint(options.library),
        provider_sha256=_sha256_input(options.provider_path, "provider file"),
        templates={name: _sha256_input(options.templates_dir / f, "template")
                   for name, f in sorted(TEMPLATE_FILES.items())},
        as_of=options.as_of, allow_drafts=options.allow_drafts, final=options.final, formats=options.formats,
        code=code_fingerprint(), provider=load_provider(options.provider_path)[0],
    )


def expected_bom(loaded: LoadedProfile, library: Library, inputs: BuildInputs) -> dict[str, Any]:
    """The bill of materials a build of this profile would have now. Raises what `select` raises."""
    selection = select(library, loaded, as_of=inputs.as_of, allow_drafts=inputs.allow_drafts)
    if inputs.provider is None:
        raise BatchError("the batch's inputs carry no provider (build them with build_inputs)")
    terms = agreement_terms(selection, printed_values(selection, inputs.provider))
    return bill_of_materials(selection, terms, profile_sha256=loaded.sha256, provider_sha256=inputs.provider_sha256,
                             templates=inputs.templates, final=inputs.final, tool_version=inputs.tool_version)


def _short(digest: str) -> str:
    return digest[:8]


def _clause_changes(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[Change]:
    before = {c["slot"]: c for c in old}
    after = {c["slot"]: c for c in new}
    changes = []
    for slot, c in after.items():
        was = before.get(slot)
        if was is None:
            changes.append(Change("clause", f"+{slot} {c['variant']}@{c['version']}"))
        elif was["variant"] != c["variant"]:
            changes.append(Change("clause", f"{slot} {was['variant']}@{was['version']}→"
                                            f"{c['variant']}@{c['version']}"))
        elif was["version"] != c["version"]:
            changes.append(Change("clause", f"{slot} {was['version']}→{c['version']}"))
        elif was["sha256"] != c["sha256"]:
            changes.append(Change("clause", f"{slot} {c['version']} text changed "
                                            f"(sha256 {_short(was['sha256'])}→{_short(c['sha256'])})"))
        elif was["status"] != c["status"]:
            changes.append(Change("clause", f"{slot} {c['version']} {was['status']}→{c['status']}"))
    changes += [Change("clause", f"-{slot} {c['variant']}@{c['version']}") for slot, c in before.items()
                if slot not in after]
    if not changes and [c["slot"] for c in old] != [c["slot"] for c in new]:
        changes.append(Change("clause", "clause order changed"))
    return changes


def bom_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every difference between two bills of materials, named by the kind of input."""
    changes: list[Change] = []
    if old.get("tool") != new["tool"]:
        changes.append(Change("tool", f"msa-builder {old.get('tool', {}).get('version')}→{new['tool']['version']}"))
    if old.get("library") != new["library"]:
        was = old.get("library") or {}
        changes.append(Change("library", f"library {was.get('name')} {was.get('version')}→"
                                         f"{new['library']['name']} {new['library']['version']}"))
    changes += _clause_changes(old.get("clauses") or [], new["clauses"])
    old_templates = old.get("templates") or {}
    for name, digest in new["templates"].items():
        if old_templates.get(name) != digest:
            changes.append(Change("template", f"template {name} changed "
                                              f"({_short(old_templates.get(name) or '-')}→{_short(digest)})"))
    if old.get("provider_sha256") != new["provider_sha256"]:
        changes.append(Change("provider", "provider file changed"))
    if old.get("profile_sha256") != new["profile_sha256"]:
        changes.append(Change("profile", "profile changed"))
    same_profile = old.get("profile_sha256") == new["profile_sha256"]
    if old.get("client") != new["client"] and same_profile:
        changes.append(Change("profile", f"client {old.get('client')}→{new['client']}"))
    # An instrument id's revision follows from its terms: only a new base id is news of its own.
    if base_id(str(old.get("agreement_id"))) != base_id(new["agreement_id"]) and same_profile:
        changes.append(Change("profile", f"agreement_id {old.get('agreement_id')}→{new['agreement_id']}"))
    for key in ("as_of", "allow_drafts", "final"):
        if old.get(key) != new[key]:
            changes.append(Change("options", f"{key} {old.get(key)}→{new[key]}"))
    return changes


@dataclass(frozen=True)
class PreviousBuild:
    """What is on disk for a client: its lock (None when missing or unreadable) and why not."""

    lock: dict[str, Any] | None
    lock_sha256: str | None
    problem: str | None = None


def lock_path(out_dir: Path, slug: str) -> Path:
    return out_dir / slug / output_names(slug)["lock"]


def read_previous(out_dir: Path, slug: str) -> PreviousBuild:
    """Read a client's lock file; a missing or torn lock means the client must be built."""
    path = lock_path(out_dir, slug)
    try:
        raw = read_regular(path)  # a link where the lock belongs is not a lock we wrote
    except FileNotFoundError:
        return PreviousBuild(None, None, "never built")
    except OSError as exc:
        return PreviousBuild(None, None, f"lock unreadable: {exc.strerror}")
    try:
        lock = parse_json(raw.decode("utf-8"), source=str(path), error=BatchError)
    except (UnicodeDecodeError, MsaError):
        return PreviousBuild(None, None, "lock file is not a valid lock")
    if lock_problem(lock) is not None:  # a hand-edited or foreign lock: rebuild rather than guess
        return PreviousBuild(None, None, "lock file is not a valid lock")
    return PreviousBuild(lock, hashlib.sha256(raw).hexdigest())


MISSING = "missing"  # a FolderState digest: no such file
IRREGULAR = "not a regular file"  # a link or a folder where the output belongs


def output_digest(path: Path) -> str:
    """The sha256 of an output file, or MISSING or IRREGULAR."""
    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except FileNotFoundError:
        return MISSING
    except OSError:
        return IRREGULAR


@dataclass(frozen=True)
class FolderState:
    """What a client's output folder holds, as far as staleness looks: its lock and its outputs' digests.

    Plain data, so the one process that writes OUT can read it and hand it to a worker that cannot
    see OUT (a Dask worker on another machine, batch/dask_runner.py). `digests` covers the outputs
    the lock records that the batch builds now.
    """

    slug: str
    previous: PreviousBuild
    digests: dict[str, str] = field(default_factory=dict)


def folder_state(out_dir: Path, slug: str, inputs: BuildInputs) -> FolderState:
    """Read a client's folder: its lock, and the digest of each output it records that `inputs` build."""
    previous = read_previous(out_dir, slug)
    recorded = (previous.lock or {}).get("outputs") or {}
    wanted = inputs.output_names(slug)
    return FolderState(slug, previous, {name: output_digest(out_dir / slug / name)
                                        for name in sorted(recorded) if name in wanted})


def output_changes(out_dir: Path, slug: str, lock: Mapping[str, Any], inputs: BuildInputs) -> list[Change]:
    """Outputs missing, edited or torn since the lock was written, or a format not built before.

    Checking hashes is what makes an interrupted batch resumable: a file replaced before the
    kill no longer matches the old lock, so the client is stale until its new lock lands. A
    format built before but not asked for now (a PDF, in a DOCX-only run) is no reason to rebuild.
    """
    return _output_changes(lock, inputs.output_names(slug), lambda name: output_digest(out_dir / slug / name))


def _output_changes(lock: Mapping[str, Any], wanted: set[str], digest: Callable[[str], str]) -> list[Change]:
    recorded: Mapping[str, str] = lock.get("outputs") or {}
    changes = [Change("outputs", f"{name} not built before") for name in sorted(wanted - set(recorded))]
    for name, expected in sorted(recorded.items()):
        if name not in wanted:
            continue
        actual = digest(name)
        if actual == MISSING:
            changes.append(Change("outputs", f"{name} missing"))
        elif actual == IRREGULAR:  # rebuilding replaces it
            changes.append(Change("outputs", f"{name} is not a regular file"))
        elif actual != expected:
            changes.append(Change("outputs", f"{name} differs from its lock"))
    return changes


@dataclass(frozen=True)
class Staleness:
    """A client checked against its lock: the bill a build would have now, and what changed (empty: current)."""

    bom: dict[str, Any]
    changes: list[Change]
    previous: PreviousBuild


def staleness(loaded: LoadedProfile, library: Library, inputs: BuildInputs, out_dir: Path,
              slug: str | None = None) -> Staleness:
    """Compare the bill a build of this profile would have now with the client's lock, without rendering.

    `slug` is the client's folder (identity.client_folder); without it, the usual one for the name.
    """
    slug = slug or slugify(loaded.profile.client.legal_name)
    return staleness_in(loaded, library, inputs, folder_state(out_dir, slug, inputs))


def staleness_in(loaded: LoadedProfile, library: Library, inputs: BuildInputs, folder: FolderState) -> Staleness:
    """`staleness` against a folder already read (see FolderState)."""
    bom = expected_bom(loaded, library, inputs)
    previous = folder.previous
    if previous.lock is None:
        return Staleness(bom, [Change("new", previous.problem or "never built")], previous)
    changes = bom_changes(previous.lock["bom"], bom)
    if not changes and previous.lock.get("bom_sha256") != bom_hash(bom):
        changes.append(Change("outputs", "lock does not match its bill of materials"))
    changes += _output_changes(previous.lock, inputs.output_names(folder.slug),
                               lambda name: folder.digests.get(name, MISSING))
    return Staleness(bom, changes, previous)


def is_current_by_memo(memo_bom_sha256: str | None, previous: PreviousBuild, out_dir: Path, slug: str,
                       inputs: BuildInputs) -> bool:
    """The fast path: the memoised bill for these inputs is the lock's, and the outputs are intact."""
    if memo_bom_sha256 is None or previous.lock is None:
        return False
    if previous.lock.get("bom_sha256") != memo_bom_sha256:
        return False
    if bom_hash(previous.lock["bom"]) != memo_bom_sha256:
        return False
    return not output_changes(out_dir, slug, previous.lock, inputs)
