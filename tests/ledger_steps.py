"""Moving ledger records along without the lifecycle's files, for tests about what comes after.

`approved`, `sent` and `signed` need proof (ledger.py); the lifecycle makes real proof after its
checks (tests/lifecycle/ walks that path with LibreOffice and certificates). Tests of status,
reports, renewals and the ledger itself only need records in those states, so these give the
ledger proof that names no files: an empty archive and unverified evidence.
"""

from __future__ import annotations

from pathlib import Path

from msa_builder.ledger import Approval, Evidence, Ledger, Sending

EXECUTION_SHA256 = "e" * 64
STEPS = ("in_review", "approved", "sent", "signed")


def proof(status: str):
    return {"approved": Approval(folder="", files={}, execution_sha256=EXECUTION_SHA256),
            "sent": Sending(EXECUTION_SHA256),
            "signed": Evidence(file="evidence.pdf", sha256="f" * 64, verified=False, reason="test record")
            }.get(status)


def mark(ledger: Ledger, client: str, status: str, **kwargs):
    return ledger.mark(client, status, proof=proof(status), **kwargs)


def walk(ledger: Ledger | Path | str, client: str, to: str = "signed", **kwargs):
    """Move the client's open agreement step by step up to `to`; returns the record."""
    if not isinstance(ledger, Ledger):
        with Ledger(ledger) as book:
            return walk(book, client, to, **kwargs)
    moved = None
    for status in STEPS[:STEPS.index(to) + 1]:
        moved = mark(ledger, client, status, **kwargs)
    return moved
