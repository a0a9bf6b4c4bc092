"""What verifying a signed agreement found: frozen data, as the CLI prints it and as JSON.

A report answers the questions of an attorney, an auditor or the client's counsel: which
instrument is this (its original revision's sha256), what happened to it since (each revision),
who signed where and when (from each certificate), and is it exactly what was approved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..pdf.fields import FieldInfo

Verdict = Literal["valid", "invalid", "unusable"]

# Why a file is refused; each is a `Failure.code`.
NOT_A_PDF = "not-a-pdf"
UNREADABLE = "unreadable-pdf"  # damaged or encrypted
NO_SIGNATURES = "no-signatures"
ORIGINAL_MISMATCH = "original-mismatch"
CONTENT_CHANGED = "content-changed"
BROKEN_SIGNATURE = "broken-signature"
CERTIFICATE_NOT_VALID = "certificate-not-valid-at-signing-time"
REQUIRED_FIELD_UNSIGNED = "required-field-unsigned"


@dataclass(frozen=True)
class Failure:
    """One reason the file is not a valid signed instrument, with the field it concerns if any."""

    code: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


@dataclass(frozen=True)
class InstrumentRef:
    """The instrument a PDF is, as the ledger knows it (found by its original revision's sha256)."""

    agreement_id: str
    client: str
    record: int | None = None
    status: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"agreement_id": self.agreement_id, "client": self.client, "record": self.record,
                "status": self.status}


InstrumentFinder = Callable[[str], "InstrumentRef | None"]
"""Looks an instrument up by its original revision's sha256: `msa verify --ledger` passes the ledger's."""


@dataclass(frozen=True)
class Signer:
    """Who signed, from the signing certificate's subject (never from what the PDF claims)."""

    common_name: str | None
    organisation: str | None = None
    email: str | None = None
    issuer: str | None = None
    certificate_sha256: str = ""

    def describe(self) -> str:
        extra = ", ".join(v for v in (self.organisation, self.email) if v)
        name = self.common_name or "(no common name)"
        return f"{name} ({extra})" if extra else name

    def as_dict(self) -> dict[str, Any]:
        return {"common_name": self.common_name, "organisation": self.organisation, "email": self.email,
                "issuer": self.issuer, "certificate_sha256": self.certificate_sha256}


@dataclass(frozen=True)
class SignatureInfo:
    """One signature: its field, the revision it signs, its signer and time, and what holds.

    `intact` is pyHanko's integrity and signature check; `certificate_valid` whether the signing
    certificate was within its validity period at `signed_at`; `trusted` whether a configured
    trust root vouches for its chain (`trust_problem` says why not).
    """

    field: str
    revision: int
    signer: Signer
    signed_at: datetime | None
    intact: bool
    certificate_valid: bool
    trusted: bool
    trust_problem: str | None = None
    modification_level: str | None = None
    problem: str | None = None

    @property
    def state(self) -> str:
        if not self.intact:
            return "broken"
        if not self.certificate_valid:
            return "certificate not valid at signing time"
        return "valid" if self.trusted else "valid, not trusted"

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "revision": self.revision, "signer": self.signer.as_dict(),
                "signed_at": self.signed_at.isoformat() if self.signed_at else None, "state": self.state,
                "intact": self.intact, "certificate_valid": self.certificate_valid, "trusted": self.trusted,
                "trust_problem": self.trust_problem, "modification_level": self.modification_level,
                "problem": self.problem}


@dataclass(frozen=True)
class RevisionInfo:
    """One revision of the file: where it ends, its hash, what it is, and what it changed.

    `changes` is pyHanko's modification level of this revision against the original ("none",
    "lta_updates", "form_filling", "other"); None for the original and anything before it.
    """

    index: int
    end: int
    sha256: str
    kind: Literal["original", "before original", "signature", "update"]
    field: str | None = None
    changes: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "end": self.end, "sha256": self.sha256, "kind": self.kind, "field": self.field,
                "changes": self.changes}


@dataclass(frozen=True)
class VerificationReport:
    """The verdict on a signed PDF and everything it rests on.

    `verdict` is "valid" (no failures), "invalid" (`failures` say why) or "unusable" (the input
    is not a PDF we can read). `original_sha256` identifies the instrument even when no
    original was given; `original_matches` is None when none was.
    """

    source: str
    verdict: Verdict
    failures: tuple[Failure, ...] = ()
    original_sha256: str | None = None
    original_matches: bool | None = None
    revisions: tuple[RevisionInfo, ...] = ()
    signatures: tuple[SignatureInfo, ...] = ()
    fields: tuple[FieldInfo, ...] = ()
    modification_level: str | None = None  # the most any revision after the original changed
    metadata: dict[str, str] = field(default_factory=dict)
    instrument: InstrumentRef | None = None

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"

    @property
    def exit_code(self) -> int:
        """0 valid, 1 invalid, 2 unusable input: what `msa verify` exits with."""
        return {"valid": 0, "invalid": 1, "unusable": 2}[self.verdict]

    def failure_codes(self) -> list[str]:
        return [f.code for f in self.failures]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "verdict": self.verdict,
            "failures": [f.as_dict() for f in self.failures],
            "original_sha256": self.original_sha256, "original_matches": self.original_matches,
            "instrument": self.instrument.as_dict() if self.instrument else None,
            "metadata": dict(self.metadata),
            "revisions": [r.as_dict() for r in self.revisions],
            "signatures": [s.as_dict() for s in self.signatures],
            "fields": [f.as_dict() for f in self.fields],
            "modification_level": self.modification_level,
        }
