"""Finding an instrument in the ledger by its execution PDF's sha256: the hook `msa verify --ledger` uses."""

from __future__ import annotations

from pathlib import Path

from .report import InstrumentFinder


def ledger_finder(ledger: Path) -> InstrumentFinder | None:
    """A lookup of instruments by the sha256 of their execution PDF, or None if the ledger has none.

    Ledger schema 1 records no execution PDF per instrument (only the hashes of a build's
    outputs, which a rebuild replaces), so there is nothing to match an original revision's
    hash against yet and this returns None; `msa verify` then prints the hash. Ledger schema 2
    (the archive) records it: return `lambda sha256: ledger.instrument_by_pdf(sha256)` here.
    """
    return None
