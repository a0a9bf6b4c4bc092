"""`approved -> sent`: what goes to the client is the archived execution PDF, and the ledger says which."""

from __future__ import annotations

from ..ledger import AgreementRecord, Ledger, Sending
from .archive import intact_archive


def send_record(ledger: Ledger, client: str, *, by: str | None = None, note: str | None = None,
                record: int | None = None) -> AgreementRecord:
    """Record that the client's approved instrument was sent; refused for a draft or an altered archive."""
    chosen = ledger.choose(client, "sent", record=record)
    intact_archive(chosen, "sent")
    assert chosen.execution_sha256 is not None  # an archive is recorded with its execution PDF
    return ledger.mark(client, "sent", by=by, note=note, record=chosen.id, proof=Sending(chosen.execution_sha256))
