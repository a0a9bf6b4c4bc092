"""The library's front door: one documented function for each thing the `msa` command does.

Everything the CLI does, a script can do with these (see docs/api.md); every CLI command only
parses its options, calls one of them and prints the result. The rendering, PDF and redline
stacks are imported inside the functions that need them, so `import msa_builder` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .agreement import Agreement
from .assemble import assemble
from .errors import MsaError, RenderError
from .explanation import explanation
from .library import load as _library_load
from .library.model import ClauseVersion, Library
from .paths import default_provider
from .profile import Provider, load_profile, load_provider
from .selection import Selection, select

if TYPE_CHECKING:
    from .authoring import Approval, Draft, Release
    from .new_profile import Answers
    from .batch import BatchConfig, BatchReport, ClientResult
    from .batch.coverage import ClientCoverage
    from .outputs import BuildOptions, BuildResult
    from .ledger import AgreementRecord, Ledger, StatusEvent
    from .linting import Finding
    from .redline import AgreementRedline, ClauseRedline, LibraryRedline, Redline
    from .renewal_calendar import RenewalRow
    from .signing import VerificationReport
    from .users import NewSession, Session, User
    from .downloads import RecordedFile
    from .review import Review
    from .lifecycle.approval import Approved
    from .amendments.run import AmendResult
    from .amendments.conformed import ConformedCopy

PathLike = Path | str


def open_library(path: PathLike | None = None) -> Library:
    """Load a clause library folder (the shipped one by default)."""
    return _library_load.open_library(path)


def load_provider_file(path: PathLike | None = None) -> Provider:
    """Read and validate a provider details file (the shipped sample provider by default)."""
    provider, _ = load_provider(Path(path) if path else default_provider())
    return provider


def select_for(profile: PathLike, *, library: Library | None = None, as_of: date | None = None,
               allow_drafts: bool = False) -> Selection:
    """Load a profile and decide every slot for it."""
    return select(library or open_library(), load_profile(Path(profile)), as_of=as_of, allow_drafts=allow_drafts)


def explain(profile: PathLike, *, library: Library | None = None, as_of: date | None = None,
            allow_drafts: bool = False) -> dict[str, Any]:
    """`msa explain`: why each clause is or is not in this client's agreement, as JSON-ready data."""
    return explanation(select_for(profile, library=library, as_of=as_of, allow_drafts=allow_drafts))


def validate_profile(data: Mapping[str, Any], *, library: Library | None = None) -> Selection:
    """A profile given as data (a form, a JSON body), selected; a ProfileError carrying every problem at once."""
    from .profile_form import check_profile_data

    return check_profile_data(data, library or open_library())


def explain_profile(data: Mapping[str, Any], *, library: Library | None = None) -> dict[str, Any]:
    """`msa explain --json` for a profile given as data; raises like `validate_profile`."""
    return explanation(validate_profile(data, library=library))


def read_profile(path: PathLike) -> dict[str, Any]:
    """A profile file as JSON-ready data (to edit it in a form, or send it to another system)."""
    return load_profile(Path(path)).profile.model_dump(mode="json", exclude_none=True)


def save_profile(data: Mapping[str, Any], *, library: Library, path: PathLike | None = None,
                 folder: PathLike | None = None, replace: bool = False) -> Path:
    """Write a profile given as data as `msa new` would (checked, commented); over a file only with `replace`.

    Without `path`, it goes to `folder` under the name `msa new` would give it, and `replace`
    replaces only a profile of the same client there (two names can make one file name).
    """
    from . import clock
    from .errors import ProfileError
    from .names import same_client
    from .new_profile import answers_from_mapping, default_path, write_new_profile

    selection = validate_profile(data, library=library)
    name = selection.profile.client.legal_name
    target = Path(path) if path is not None else default_path(name, Path(folder or "."))
    if path is None and replace and target.exists():
        held = load_profile(target).profile.client.legal_name
        if not same_client(held, name):
            raise ProfileError(f"{target.name} already holds the profile of {held!r}, another client",
                               file=str(target), field="client.legal_name",
                               hint="edit that profile, or give this client a distinct legal name")
    answers = answers_from_mapping(selection.profile.model_dump(exclude_none=True))
    return write_new_profile(answers, library, target, written_on=clock.today(), replace=replace)


def client_form(library: Library | None = None) -> dict[str, Any]:
    """What a form for a new client asks, from the library: tiers, industries, controls, parameters."""
    from .profile_form import form_fields

    return form_fields(library or open_library())


def list_profiles(folder: PathLike) -> list[Path]:
    """The client profiles (YAML or JSON files) of a clients folder, by name."""
    from .profile_form import profile_files

    return profile_files(Path(folder))


def assemble_profile(profile: PathLike, *, library: Library | None = None, provider: Provider | None = None,
                     as_of: date | None = None, allow_drafts: bool = False) -> Agreement:
    """Select and render a client's agreement in memory (nothing is written)."""
    selection = select_for(profile, library=library, as_of=as_of, allow_drafts=allow_drafts)
    return assemble(selection, provider or load_provider_file())


def build(profile: PathLike, *, out_dir: PathLike = "out", library: Library | None = None,
          provider: PathLike | None = None, templates: PathLike | None = None, as_of: date | None = None,
          allow_drafts: bool = False, final: bool = False, formats: Sequence[str] = ("docx",),
          ledger: PathLike | None = None, by: str = "msa build") -> BuildResult:
    """`msa build`: one client's agreement, memo, content model and lock, recorded in the ledger.

    The ledger (default OUT/ledger.sqlite) is opened first, or, when it does not exist yet, checked to
    be creatable; everything is rendered in memory; only then are files written, and a new ledger is
    created once they are. A bad input or an unusable ledger leaves nothing behind (outputs the
    ledger never heard of would be built but never tracked). `result.record` is None when the ledger
    already holds exactly this build (an unchanged rebuild).
    """
    from .identity import client_folder
    from .ledger import Ledger, check_creatable, default_ledger
    from .outputs import render_build, write_build  # the rendering stack loads only here

    options = _build_options(library, provider, templates, as_of=as_of, allow_drafts=allow_drafts, final=final,
                             formats=formats)
    loaded = load_profile(Path(profile))
    path = Path(ledger) if ledger else default_ledger(out_dir)
    # An existing ledger is opened first: it must be usable, and it says which folder names other
    # clients hold, even where their folders are gone. A missing one is created once there is a build.
    book = Ledger(path) if path.exists() else None
    try:
        if book is None:
            check_creatable(path)
        slug = client_folder(Path(out_dir), loaded.profile.client.legal_name,
                             owners=(book.slug_client,) if book else ())
        result = write_build(render_build(loaded, options, slug=slug), Path(out_dir))
        book = book or Ledger(path)
        record = book.record_build(result.lock, lock_sha256=result.lock_sha256, slug=result.slug,
                                   directory=str(result.directory.resolve()), source=str(profile), by=by)
    finally:
        if book is not None:
            book.close()
    return replace(result, record=record)


def draft_from_data(data: Mapping[str, Any], *, folder: PathLike, library: Library, out_dir: PathLike = "out",
                    provider: PathLike | None = None, templates: PathLike | None = None,
                    formats: Sequence[str] = ("docx",), ledger: PathLike | None = None,
                    by: str = "msa build") -> BuildResult:
    """Save a profile given as data in `folder` (over the same client's) and build it: both, or neither.

    What the JSON API's `POST /drafts` does. A build refused after the profile was written (the
    provider still `msa init`'s placeholder, a clause that will not render) puts the profile back
    as it was, so an integration that is told 422 finds nothing changed.
    """
    from ._files import atomic_write
    from .new_profile import default_path

    selection = validate_profile(data, library=library)
    target = default_path(selection.profile.client.legal_name, Path(folder))
    before = target.read_bytes() if target.is_file() else None
    path = save_profile(data, library=library, folder=folder, replace=True)
    try:
        return build(path, out_dir=out_dir, library=library, provider=provider, templates=templates,
                     formats=formats, ledger=ledger, by=by)
    except MsaError:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, before)
        raise


def _templates(path: PathLike | None) -> Path:
    from .paths import default_templates

    return Path(path) if path else default_templates()


def _build_options(library: Library | None, provider: PathLike | None, templates: PathLike | None, *,
                   as_of: date | None, formats: Sequence[str], allow_drafts: bool = False,
                   final: bool = False) -> BuildOptions:
    """The options of a one-off build (`msa build`, `msa amend`), each input defaulting as the CLI's does."""
    from .outputs import BuildOptions

    return BuildOptions(library=library or open_library(), provider_path=Path(provider) if provider else
                        default_provider(), templates_dir=_templates(templates), as_of=as_of,
                        allow_drafts=allow_drafts, final=final, formats=tuple(formats))


def run_batch(source: PathLike, config: BatchConfig, *, jobs: int | None = None, only_stale: bool = False,
              dry_run: bool = False, on_result: Callable[[ClientResult], None] | None = None,
              on_start: Callable[[int], None] | None = None, scheduler: str | None = None) -> BatchReport:
    """`msa batch`: bring every client of a folder or CSV up to date under `config.out_dir`.

    `scheduler` (`tcp://HOST:8786` or `local:N`) builds the clients on a Dask cluster; needs the
    `dask` extra.
    """
    from .batch import run_batch as run

    return run(source, config, jobs=jobs, only_stale=only_stale, dry_run=dry_run, on_result=on_result,
               on_start=on_start, scheduler=scheduler)


def coverage(source: PathLike, config: BatchConfig) -> list[ClientCoverage]:
    """`msa status`: every client's signed agreement, and whether it is current; least covered first."""
    from .batch.coverage import coverage_report

    return coverage_report(source, config)


def open_ledger(path: PathLike, *, create: bool = False, readonly: bool = False) -> Ledger:
    """Open the agreement ledger at `path`; unless `create`, it must already exist.

    A `readonly` ledger takes no lock and never blocks behind a writer (for reports).
    """
    from .ledger import Ledger, open_existing

    return Ledger(path) if create else open_existing(path, readonly=readonly)


def mark(client: str, status: str, *, ledger: PathLike, by: str | None = None, note: str | None = None,
         record: int | None = None, evidence: PathLike | None = None, unverified: str | None = None,
         trust: Sequence[PathLike] = (), accept_deviations: bool = False, library_dir: PathLike | None = None,
         templates: PathLike | None = None) -> AgreementRecord:
    """`msa ledger mark`: move a client's agreement one step along its way to a signature.

    `approved` is `approve` (its checks and execution version); `sent` only from approved, recording
    the archived execution PDF; `signed` only with `evidence`, verified against the archive (with
    `trust` roots), or accepted `unverified` with the reason. Other steps move the record only.
    """
    from .errors import LifecycleError
    from .lifecycle.evidence import record_signature
    from .lifecycle.sending import send_record

    if status == "approved":
        if by is None:
            raise LifecycleError("approval names the attorney who approves", field="--by")
        return approve(client, ledger=ledger, by=by, note=note, accept_deviations=accept_deviations, record=record,
                       library_dir=library_dir, templates=templates).record
    if status != "signed" and (evidence is not None or unverified is not None):
        raise LifecycleError("evidence is recorded when an agreement is marked signed", field="--evidence")
    with open_ledger(ledger) as book:
        if status == "sent":
            return send_record(book, client, by=by, note=note, record=record)
        if status == "signed":
            return record_signature(book, client, evidence=Path(evidence) if evidence is not None else None, by=by,
                                    note=note, unverified=unverified, trust=[Path(t) for t in trust], record=record)
        return book.mark(client, status, by=by, note=note, record=record)


def approve(client: str, *, ledger: PathLike, by: str, note: str | None = None, accept_deviations: bool = False,
            record: int | None = None, library_dir: PathLike | None = None,
            templates: PathLike | None = None) -> Approved:
    """`msa approve`: an attorney approves the draft in review; its execution version is archived.

    Refused (LifecycleError, every reason listed) for draft or altered clauses, the sample provider,
    or points needing a human decision that `accept_deviations` does not accept. The library and
    templates default to those the draft's lock records.
    """
    from .lifecycle.approval import approve_record

    with open_ledger(ledger) as book:
        return approve_record(book, client, by=by, note=note, accept_deviations=accept_deviations, record=record,
                              library_dir=Path(library_dir) if library_dir is not None else None,
                              templates_dir=Path(templates) if templates is not None else None)


def send_back(client: str, *, ledger: PathLike, by: str, note: str, record: int | None = None) -> AgreementRecord:
    """`msa send-back`: the attorney returns the draft in review to its author, saying why."""
    from .errors import LifecycleError

    if not note.strip():
        raise LifecycleError("say what must change before the draft comes back for review", field="--note")
    with open_ledger(ledger) as book:
        chosen = book.choose(client, "draft", record=record)
        if chosen.status != "in_review":
            raise LifecycleError(f"record #{chosen.id} is {chosen.status!r}; only a draft in review is sent back",
                                 field="CLIENT")
        return book.mark(client, "draft", by=by, note=note, record=chosen.id)


def amend(target: PathLike, *, out_dir: PathLike = "out", ledger: PathLike | None = None,
          library: Library | None = None, provider: PathLike | None = None, templates: PathLike | None = None,
          as_of: date | None = None, formats: Sequence[str] = ("docx",), dry_run: bool = False,
          by: str | None = None) -> list[AmendResult]:
    """`msa amend`: an amendment for each signed client whose agreement is behind today's library.

    `target` is a client of the ledger (name, folder or agreement id), a profile file, or a folder
    or CSV of clients. Each result says what was decided: drafted (files written, a draft recorded),
    would draft (a dry run), current, restate (with the reasons), awaiting (an amendment is out
    for signature: nothing written, the reasons say what to do), unsigned, or error. The amendment
    takes effect on `as_of` (default: today), which also picks the clause versions.
    """
    from . import clock
    from .amendments.run import AmendRequest, amend_all, amend_client, profile_of
    from .batch.sources import load_entry, read_source
    from .ledger import default_ledger, open_existing

    options = _build_options(library, provider, templates, as_of=as_of, formats=formats)
    request = AmendRequest(options=options, out_dir=Path(out_dir), effective=as_of or clock.today(), dry_run=dry_run,
                           by=by or "msa amend")
    path = Path(target)
    with open_existing(Path(ledger) if ledger else default_ledger(out_dir)) as book:
        if path.is_dir() or (path.is_file() and path.suffix.lower() == ".csv"):
            entries = []
            for entry in read_source(path, options.library.manifest):
                if entry.skip:
                    continue
                try:
                    entries.append((entry.label, load_entry(entry)))
                except MsaError as exc:
                    entries.append((entry.label, exc))
            return amend_all(book, entries, request)
        if path.is_file():
            loaded, source = load_profile(path), str(path)
        else:
            loaded, source = profile_of(book, str(target))
        return [amend_client(book, loaded, request, source=source)]


def conformed_copy(client: PathLike, *, out_dir: PathLike = "out", ledger: PathLike | None = None,
                   templates: PathLike | None = None, formats: Sequence[str] = ("docx",)) -> ConformedCopy:
    """`msa build CLIENT --conformed`: the agreement as amended, for reference (not for signature).

    `client` is a ledger client (name, folder or agreement id) or the client's profile file.
    """
    from .amendments.conformed import write_conformed_copy
    from .ledger import default_ledger, open_reader

    path = Path(client)
    name = load_profile(path).profile.client.legal_name if path.is_file() else str(client)
    with open_reader(Path(ledger) if ledger else default_ledger(out_dir)) as book:
        return write_conformed_copy(book, name, out_dir=Path(out_dir), templates_dir=_templates(templates),
                                    formats=tuple(formats))


def archive(record: int, *, ledger: PathLike) -> list[tuple[str, Path]]:
    """An approved instrument's archived files (name, path), each checked against the ledger's hash."""
    from .lifecycle.archive import intact_archive

    with open_ledger(ledger, readonly=True) as book:
        found = book.get(record)
    folder = intact_archive(found, "downloaded")
    return [(name, folder / name) for name in sorted(found.archived_files)]


def history(*, ledger: PathLike, client: str | None = None) -> list[tuple[AgreementRecord, list[StatusEvent]]]:
    """`msa ledger show`: a client's agreements with their steps, or every client's latest agreement."""
    with open_ledger(ledger, readonly=True) as book:
        if client is None:
            return [(r, []) for r in book.latest_all()]
        return [(r, book.events(r.id)) for r in book.history(book.resolve_client(client))]


def agreement_record(record: int, *, ledger: PathLike) -> tuple[AgreementRecord, list[StatusEvent]]:
    """One ledger record by its number, with its steps."""
    with open_ledger(ledger, readonly=True) as book:
        return book.get(record), book.events(record)


def agreement_by_id(agreement_id: str, *, ledger: PathLike) -> AgreementRecord:
    """The latest ledger record of an agreement id (exactly as built); a LedgerError if the ledger has none.

    The JSON API names agreements by id, so an unknown id is a 404 there rather than a client
    name resolved by `approve`'s looser matching.
    """
    from .errors import LedgerError

    with open_ledger(ledger, readonly=True) as book:
        found = book.by_agreement_id(agreement_id)
    if found is None:
        raise LedgerError(f"the ledger has no agreement {agreement_id!r}", file=str(ledger), field="agreement_id")
    return found


def review_queue(*, ledger: PathLike) -> list[AgreementRecord]:
    """The drafts waiting for an attorney (`in_review`), oldest submission first."""
    with open_ledger(ledger, readonly=True) as book:
        waiting = [r for latest in book.latest_all() for r in book.history(latest.slug) if r.status == "in_review"]
    return sorted(waiting, key=lambda r: (r.status_at, r.id))


def draft_file(record: int, kind: str, *, ledger: PathLike) -> RecordedFile:
    """A file of a recorded build (`docx`, `memo`, `pdf`) by record and kind, only if the ledger vouches for it."""
    from .downloads import recorded_file

    with open_ledger(ledger, readonly=True) as book:
        found = book.get(record)
    return recorded_file(found, kind)


def file_kinds(record: AgreementRecord) -> list[str]:
    """The kinds of file a recorded build has (`docx`, `memo`, `agreement`, maybe `pdf`), for `draft_file`."""
    from .downloads import available

    return available(record)


def review_draft(record: int, *, ledger: PathLike, library_dir: PathLike | None = None,
           provider: PathLike | None = None) -> Review:
    """What an attorney reviews for one draft: the memo's points, and each non-standard clause's redline."""
    from .review import review_of

    with open_ledger(ledger, readonly=True) as book:
        found, events = book.get(record), book.events(record)
    return review_of(found, events, library_dir=Path(library_dir) if library_dir else None,
                     provider=Path(provider) if provider else None)


def renewals(*, ledger: PathLike, today: date | None = None, within: int | None = None,
             source: PathLike | None = None, library_dir: PathLike | None = None) -> list[RenewalRow]:
    """`msa renewals`: every signed agreement's renewal date, notice deadline and reminder window."""
    from . import clock
    from .renewal_calendar import renewal_calendar

    with open_ledger(ledger, readonly=True) as book:
        return renewal_calendar(book, today=today or clock.today(), within=within,
                                source=Path(source) if source else None,
                                library_dir=Path(library_dir) if library_dir else None)


def lint(path: PathLike | None = None) -> list[Finding]:
    """`msa library lint`: every problem of a library folder; an empty list means clean."""
    from .linting import lint_library

    return lint_library(path)


def clause_versions(path: PathLike | None = None) -> tuple[Library, list[ClauseVersion]]:
    """`msa library list`: the library and every clause version in it, by slot and variant."""
    library = open_library(path)
    return library, library.versions()


def find_clause(ref: str, *, library_dir: PathLike | None = None) -> ClauseVersion:
    """`msa library show`: the clause version `SLOT[:VARIANT][@VERSION]` names (the newest by default)."""
    from .library.refs import find_clause as find

    return find(open_library(library_dir), ref)


def freeze(path: PathLike | None = None) -> list[str]:
    """`msa library freeze`: record the hashes of newly approved versions; returns their paths."""
    from .authoring import writable_library
    from .library.release import freeze as record

    return record(open_library(writable_library(_library_path(path))))


def _library_path(path: PathLike | None) -> Path:
    from .paths import default_library

    return Path(path) if path else default_library()


def new_clause_version(ref: str, *, library_dir: PathLike | None = None, bump: str = "minor") -> Draft:
    """`msa library new-version`: copy the newest version of SLOT[:VARIANT] to a new draft file."""
    from . import clock
    from .authoring import new_version, writable_library

    return new_version(writable_library(_library_path(library_dir)), ref, bump=bump, today=clock.today())


def approve_clause(ref: str, *, by: str, changelog: str | None = None, effective: date | None = None,
                   library_dir: PathLike | None = None) -> Approval:
    """`msa library approve`: approve a draft clause version, record who and when, freeze its hash."""
    from . import clock
    from .authoring import approve, writable_library

    return approve(writable_library(_library_path(library_dir)), ref, by=by, changelog=changelog,
                   effective=effective, today=clock.today())


def release_library(*, version: str | None = None, library_dir: PathLike | None = None) -> Release:
    """`msa library release`: bump the library's calendar version; the result carries the release note."""
    from . import clock
    from .authoring import release, writable_library

    return release(writable_library(_library_path(library_dir)), version=version, today=clock.today())


def init_workspace(directory: PathLike) -> list[Path]:
    """`msa init DIR`: a provider's workspace with its own library, templates, provider file and clients."""
    from . import clock
    from .workspace_init import init_workspace as create

    return create(Path(directory), today=clock.today())


def write_profile(answers: Answers, *, library: Library, path: PathLike) -> Path:
    """`msa new`: write a checked, commented client profile from answers; never over an existing file."""
    from . import clock
    from .new_profile import write_new_profile

    return write_new_profile(answers, library, Path(path), written_on=clock.today())


def diff_clause(old_ref: str, new_ref: str, *, library_dir: PathLike | None = None, variant: str | None = None,
                profile: PathLike | None = None, provider: PathLike | None = None) -> ClauseRedline:
    """`msa diff SLOT@V1 SLOT@V2`: the redline between two versions (or variants) of one clause."""
    from .redline import diff_clauses

    return diff_clauses(old_ref, new_ref, library_dir=library_dir, variant=variant, profile=profile,
                        provider=provider)


def diff_library(old: PathLike, new: PathLike, *, profile: PathLike | None = None) -> LibraryRedline:
    """`msa diff --library OLD NEW`: a release note between two library folders or git revisions."""
    from .redline import diff_libraries

    return diff_libraries(old, new, profile=profile)


def redline_fragment(redline: ClauseRedline) -> str:
    """A clause redline as escaped HTML to place inside a page of one's own (no document, no inline style)."""
    from .redline.html import clause_fragment

    return clause_fragment(redline)


def compare_builds(old: PathLike, new: PathLike) -> AgreementRedline:
    """`msa compare OLD NEW`: a redline between two builds of a client's agreement (locks or DOCX)."""
    from .redline import compare_builds as compare

    return compare(old, new)


def write_redline(redline: Redline, output: PathLike | None, fmt: str | None = None, *, clean: bool = False,
                  author: str | None = None, context: int = 1) -> list[Path] | str:
    """Write a redline to `output` (its format from `fmt` or the extension), or return it as text.

    Returns the paths written, or, without `output`, the text or HTML itself.
    """
    from . import redline as redlines

    chosen = redlines.format_for(Path(output) if output else None, fmt)
    author = author or redlines.DEFAULT_AUTHOR
    if output is None:
        if chosen == "docx" or clean:
            raise RenderError("a Word redline is written to a file", field="-o", hint="add -o FILE.docx")
        return redlines.render(redline, chosen, clean=clean, author=author, context=context).decode("utf-8")
    return redlines.write(redline, Path(output), chosen, clean=clean, author=author, context=context)


def verify(pdf: PathLike, *, original: PathLike | None = None, trust: Sequence[PathLike] = (),
           ledger: PathLike | None = None) -> VerificationReport:
    """`msa verify`: which instrument a signed PDF is, who signed it, and whether anything else changed.

    Never raises for a bad PDF: the report's verdict is valid, invalid (with each failure named)
    or unusable. With `ledger`, the instrument is found by its original revision's sha256.
    """
    from .errors import SigningError
    from .signing import load_trust_roots, verify_signed_pdf
    from .signing.instrument import ledger_finder

    path = Path(pdf)
    data = _read_input(path, SigningError)
    base = _read_input(Path(original), SigningError, field="--original") if original else None
    finder = None
    if ledger is not None:
        if not Path(ledger).is_file():
            raise SigningError("no ledger there", file=str(ledger), field="--ledger")
        finder = ledger_finder(Path(ledger))
    return verify_signed_pdf(data, original=base, trust_roots=load_trust_roots([Path(t) for t in trust]),
                             source=str(path), find_instrument=finder)


def _read_input(path: Path, error: type[MsaError], *, field: str | None = None) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read the file: {exc.strerror}", file=str(path), field=field) from None


def sign(pdf: PathLike, *, key: PathLike, output: PathLike, passphrase: bytes | None = None,
         field: str = "provider_signature") -> Path:
    """`msa sign`: the provider countersigns `field` with its PKCS#12 certificate, into a new file."""
    from .signing.sign import countersign_file

    return countersign_file(Path(pdf), Path(output), key=Path(key), passphrase=passphrase, field=field)


# -- users of `msa serve` (they live in the workspace's ledger) -----------------------------------

def add_user(name: str, *, role: str, ledger: PathLike, password: str | None = None, by: str | None = None) -> User:
    """`msa user add`: a user with a role (sales, attorney, operations, admin); the password is stored hashed."""
    from .ledger import current_user
    from .users import open_users

    with open_users(ledger) as users:
        return users.add(name, role, password=password, by=by or current_user())


def user_token(name: str, *, ledger: PathLike, by: str | None = None) -> str:
    """`msa user token`: a new API token for the user, shown this once (only its hash is kept)."""
    from .ledger import current_user
    from .users import open_users

    with open_users(ledger) as users:
        return users.new_token(name, by=by or current_user())


def list_users(*, ledger: PathLike) -> list[User]:
    """`msa user list`: every user, disabled ones included."""
    from .users import open_users

    with open_users(ledger) as users:
        return users.all()


def disable_user(name: str, *, ledger: PathLike, by: str | None = None) -> User:
    """`msa user disable`: the user can no longer sign in; its sessions and tokens stop working."""
    from .ledger import current_user
    from .users import open_users

    with open_users(ledger) as users:
        return users.disable(name, by=by or current_user())


def authenticate(name: str, password: str, *, ledger: PathLike, client: str) -> NewSession:
    """Sign a user in: checks the password (rate-limited per name and address) and starts a session."""
    from .users import open_users

    with open_users(ledger) as users:
        return users.start_session(users.authenticate(name, password, client=client))


def session_for(token: str, *, ledger: PathLike) -> Session | None:
    """The live session a session cookie names, or None."""
    from .users import open_users

    with open_users(ledger) as users:
        return users.session(token)


def end_session(token: str, *, ledger: PathLike) -> None:
    """Sign out: the session's cookie no longer opens anything."""
    from .users import open_users

    with open_users(ledger) as users:
        users.end_session(token)


def user_for_token(token: str, *, ledger: PathLike) -> User | None:
    """The enabled user an API token belongs to, or None."""
    from .users import open_users

    with open_users(ledger) as users:
        return users.for_token(token)


def record_audit(by: str, action: str, *, ledger: PathLike, subject: str | None = None, note: str | None = None) -> None:
    """Record in the ledger an action that is not an agreement's step (who saved a profile, ran a batch...)."""
    from .users import open_users

    with open_users(ledger) as users:
        users.audit(by, action, subject, note)


def audit_log(*, ledger: PathLike, limit: int = 200) -> list[dict[str, Any]]:
    """The newest audit events, newest first."""
    from .users import open_users

    with open_users(ledger) as users:
        return users.audit_log(limit)
