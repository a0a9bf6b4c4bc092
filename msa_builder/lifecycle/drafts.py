"""A recorded draft as the attorney reviewed it: its lock, its content model, and proof they are intact.

Approval renders the execution version from the draft's content model (`<slug>-agreement.json`),
never from the profile and library as they are now, so it must first be sure that those files are
the ones the ledger recorded: a draft edited in Word, or rebuilt over, is not what was reviewed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._files import read_regular
from ..agreement import Agreement
from ..amendments.model import Amendment, amendment_from_data
from ..amendments.names import amendment_names
from ..content import agreement_from_data
from ..errors import LifecycleError, Problem
from ..ledger import AgreementRecord
from ..outputs import SHIPPED, output_names

@dataclass(frozen=True)
class RecordedDraft:
    """A ledger record's draft, read back and checked against the hashes the ledger keeps.

    `model` is the agreement, or for an amendment the Amendment (whose `conformed` agreement is
    what the parties will have agreed once it is signed).
    """

    record: AgreementRecord
    bom: dict[str, Any]
    lock: dict[str, Any]
    model: Agreement | Amendment

    @property
    def agreement(self) -> Agreement:
        """The agreement as it stands once this instrument is signed."""
        return self.model.conformed if isinstance(self.model, Amendment) else self.model

    @property
    def folder(self) -> Path:
        return Path(self.record.directory)

    def source(self, name: str) -> str:
        """Where the draft's library, templates or provider file came from, as its lock records it."""
        return str((self.lock.get("sources") or {}).get(name, SHIPPED))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return read_regular(path)
    except OSError:
        return None


def draft_names(record: AgreementRecord) -> dict[str, str]:
    """The draft's file names by kind (docx, pdf, memo, model, lock): an agreement's or an amendment's."""
    if record.kind == "amendment":
        return amendment_names(record.slug, record.amendment_no or 0)
    names = output_names(record.slug)
    return {**names, "model": names["agreement"]}


def read_recorded_draft(record: AgreementRecord, bom: Mapping[str, Any]) -> RecordedDraft:
    """The draft of `record`, or an error naming every file that is missing or not what was recorded."""
    folder = Path(record.directory)
    names = draft_names(record)
    lock_path = folder / names["lock"]
    lock_data = _read(lock_path)
    problems: list[Problem] = []
    if lock_data is None or _sha256(lock_data) != record.lock_sha256:
        problems.append(Problem("the lock is missing or is not the one recorded when this draft was built",
                                field=names["lock"]))
    for name, digest in sorted(record.outputs.items()):
        data = _read(folder / name)
        if data is None:
            problems.append(Problem("missing", field=name))
        elif _sha256(data) != digest:
            problems.append(Problem("changed since it was built (edits made in Word are not part of the reviewed "
                                    "terms)", field=name))
    if names["model"] not in record.outputs:
        problems.append(Problem("this draft was built before agreements recorded their content model, so its "
                                "terms cannot be read back", field=names["model"]))
    if problems:
        raise LifecycleError.several(
            [Problem(f"record #{record.id}'s draft is not the one reviewed: {problems[0].field}: "
                     f"{problems[0].message}", field=problems[0].field), *problems[1:]],
            file=str(folder),
            hint="make changes in the profile or the library (a new clause version), rebuild, and review the new draft")
    data = _read(folder / names["model"])
    assert data is not None and lock_data is not None  # checked above
    where = str(folder / names["model"])
    model = (amendment_from_data(json.loads(data), where=where) if record.kind == "amendment"
             else agreement_from_data(json.loads(data), where=where))
    return RecordedDraft(record=record, bom=dict(bom), lock=json.loads(lock_data), model=model)
