"""The files of a recorded build, read back only when the ledger vouches for them.

A browser or an integration asks for a file by ledger record and kind (`docx`, `memo`, `pdf`),
never by path: the record names the folder, the build's file names follow from its slug, and the
bytes are sent only when their sha256 is the one the ledger recorded, so a file changed or swapped
on disk since the build is refused rather than handed to a client as the agreement.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import LedgerError
from .ledger import AgreementRecord
from .outputs import output_names

KINDS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "memo": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "pdf": "application/pdf", "agreement": "application/json"}


@dataclass(frozen=True)
class RecordedFile:
    """A file of a build, checked against the ledger."""

    name: str
    data: bytes
    media_type: str


def available(record: AgreementRecord) -> list[str]:
    """The kinds of file the ledger records for this build (`docx`, `memo`, `agreement`, maybe `pdf`)."""
    names = output_names(record.slug)
    return [kind for kind in KINDS if names[kind] in record.outputs]


def recorded_file(record: AgreementRecord, kind: str) -> RecordedFile:
    """The bytes of one file of a recorded build; LedgerError unless they are what the ledger recorded."""
    if kind not in KINDS:
        raise LedgerError(f"{kind!r} is not a kind of file a build has", field="kind", allowed=KINDS)
    name = output_names(record.slug)[kind]
    expected = record.outputs.get(name)
    if expected is None:
        raise LedgerError(f"agreement record #{record.id} has no {kind} file", field="kind",
                          allowed=available(record))
    path = Path(record.directory) / name
    try:
        data = path.read_bytes()
    except OSError:
        raise LedgerError(f"the {kind} file of agreement record #{record.id} is missing from its folder",
                          field="kind", hint="rebuild the client") from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise LedgerError(f"the {kind} file of agreement record #{record.id} changed on disk since it was built",
                          field="kind", hint="rebuild the client; the ledger keeps the hash of what was built")
    return RecordedFile(name, data, KINDS[kind])
