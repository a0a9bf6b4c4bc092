"""Attorney approval: the checks, the execution version, the archive, then the ledger — in that order.

`in_review -> approved` is the step that turns a draft into an instrument a client may sign, so
it is refused, with every reason at once, when:
- a clause of the draft is a draft version, or an approved clause's text is not its released text
  (`released.json`), or the library no longer holds that version;
- the draft names the fictional sample provider;
- the review memo lists points that need a human decision (parameter deviations, declined
  controls, jurisdiction notes, ...) and the attorney did not accept them (`accept_deviations`);
  accepted points are recorded with the approval.
Then the execution version is rendered from the reviewed content model (lifecycle/execution.py)
and archived read-only (lifecycle/archive.py), and only then does the ledger say `approved`. A
crash between the archive and the ledger leaves an archive whose bytes the next attempt
reproduces exactly (same inputs, same bytes), so it is recognised rather than refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import LifecycleError, Problem
from ..ledger import AgreementRecord, Approval, Ledger
from ..library.catalogue import CATALOGUE_SLOT
from ..library.load import load_library
from ..library.model import Library
from ..paths import SHIPPED, default_templates, recorded_library
from ..render.memo_docx import decisions
from .archive import archive_dir, check_archive, sha256, write_archive
from .drafts import RecordedDraft, read_recorded_draft
from .execution import ExecutionVersion, execution_version

if TYPE_CHECKING:
    from ..pdf.convert import PdfConverter


@dataclass(frozen=True)
class Approved:
    """An approved instrument: its ledger record, its archive folder and the files archived there."""

    record: AgreementRecord
    folder: Path
    files: dict[str, str]  # name -> sha256
    accepted: tuple[str, ...]


def _library(draft: RecordedDraft, library_dir: Path | None) -> Library:
    if library_dir is not None:
        return load_library(library_dir)
    recorded = draft.source("library")
    return load_library(recorded_library(recorded))


def _templates(draft: RecordedDraft, templates_dir: Path | None) -> Path:
    if templates_dir is not None:
        return templates_dir
    recorded = draft.source("templates")
    return default_templates() if recorded == SHIPPED else Path(recorded)


def clause_problems(draft: RecordedDraft, library: Library) -> list[Problem]:
    """Draft clause versions, and approved ones whose text is not exactly what was released."""
    problems = []
    for clause in draft.bom["clauses"]:
        key = f"{clause['slot']}:{clause['variant']}@{clause['version']}"
        if clause["status"] == "draft":
            problems.append(Problem("is a draft clause version; only approved versions can be approved for "
                                    "signature", field=key))
            continue
        version = _versioned(library, clause)
        if version is None:
            problems.append(Problem(f"is not in the library at {library.location}", field=key))
            continue
        released = library.released.get(version.path)
        if released is None:
            problems.append(Problem("was never released (released.json has no hash for it)", field=key))
        elif released != clause["sha256"] or version.sha256 != clause["sha256"]:
            problems.append(Problem("its text differs from its released hash (released.json)", field=key))
    return problems


def _versioned(library: Library, clause: dict[str, Any]) -> _Released | None:
    """The library's file for a bill entry: a clause version, or the control catalogue's version."""
    if clause["slot"] == CATALOGUE_SLOT:
        found = next((c for c in library.catalogue if c.doc.version == clause["version"]), None)
        return _Released(found.path, found.sha256) if found else None
    version = library.find(clause["slot"], clause["variant"], clause["version"])
    return _Released(version.path, version.sha256) if version else None


@dataclass(frozen=True)
class _Released:
    path: str
    sha256: str


def review_points(draft: RecordedDraft) -> list[str]:
    """What the review memo lists under 'Needs a human decision' for this draft."""
    return decisions(draft.agreement)


def approval_problems(draft: RecordedDraft, library: Library, *, accept_deviations: bool) -> list[Problem]:
    """Every reason this draft cannot be approved (see the module doc); empty when it can."""
    problems = clause_problems(draft, library)
    if draft.source("provider") == SHIPPED:
        problems.append(Problem(f"the draft names {draft.agreement.provider.legal_name}, the fictional sample "
                                "provider shipped with msa-builder", field="provider"))
    if not accept_deviations:
        problems += [Problem(point, field="needs a human decision") for point in review_points(draft)
                     if not point.startswith("Draft clause:")]  # a draft clause is refused above
    return problems


def approve_record(ledger: Ledger, client: str, *, by: str, note: str | None = None, accept_deviations: bool = False,
                   record: int | None = None, library_dir: Path | None = None, templates_dir: Path | None = None,
                   converter: PdfConverter | None = None) -> Approved:
    """Approve the client's draft in review: check, render the execution version, archive it, record it."""
    ledger.check_step(by=by, note=note)  # before the archive is written, not after
    chosen = ledger.choose(client, "approved", record=record)
    draft = read_recorded_draft(chosen, ledger.bom(chosen.id))
    problems = approval_problems(draft, _library(draft, library_dir), accept_deviations=accept_deviations)
    if problems:
        points = sum(p.field == "needs a human decision" for p in problems)
        hint = (f"{points} point(s) need a human decision: read them in the review memo, then approve with "
                "--accept-deviations to accept them (they are recorded with the approval)" if points else None)
        raise LifecycleError.several(
            [Problem(f"approval refused for record #{chosen.id} ({chosen.agreement_id}): "
                     f"{len(problems)} reason(s)"), *problems], file=str(draft.folder), hint=hint)
    execution = execution_version(draft.model, draft.bom, _templates(draft, templates_dir), converter=converter)
    folder = archive_dir(draft.folder, chosen.agreement_id)
    files = _archive(folder, execution)
    accepted = tuple(review_points(draft)) if accept_deviations else ()
    approval = Approval(folder=str(folder), files=files, execution_sha256=files[execution.pdf_name],
                        accepted=accepted)
    moved = ledger.mark(client, "approved", by=by, note=note, record=chosen.id, proof=approval)
    return Approved(record=moved, folder=folder, files=files, accepted=accepted)


def _archive(folder: Path, execution: ExecutionVersion) -> dict[str, str]:
    """Write the archive; an archive already there is accepted only if it holds exactly these bytes."""
    wanted = {name: sha256(data) for name, data in execution.files.items()}
    if folder.exists():
        present = {p.name for p in folder.iterdir()}
        if present == set(wanted) and not check_archive(folder, wanted):
            return wanted  # an earlier approval archived it and stopped before the ledger recorded it
        raise LifecycleError("an archive of this instrument already exists and holds other files; archives are "
                             "never replaced", file=str(folder),
                             hint="look at the ledger's history of this client (`msa ledger show CLIENT`)")
    return write_archive(folder, execution.files)
