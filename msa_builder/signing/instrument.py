"""Finding an instrument in the ledger by its execution PDF's sha256: the hook `msa verify --ledger` uses."""

from __future__ import annotations

from pathlib import Path

from ..ledger import open_reader
from .report import InstrumentFinder, InstrumentRef


def ledger_finder(ledger: Path) -> InstrumentFinder:
    """A lookup of instruments by the sha256 of their archived execution PDF (ledger schema 2).

    Approval records that hash; a signed copy's original revision has it, whoever signed it and
    however many times. The ledger is opened read-only for the one lookup.
    """

    def find(digest: str) -> InstrumentRef | None:
        with open_reader(ledger) as book:
            record = book.by_execution_sha256(digest)
        if record is None:
            return None
        return InstrumentRef(agreement_id=record.agreement_id, client=record.client, record=record.id,
                             status=record.status)

    return find
