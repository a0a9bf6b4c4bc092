"""`sent -> signed`, only with evidence: a signed PDF verified against the archive, or a file and a reason.

A digitally signed PDF is verified with pyHanko (signing/verify.py): its original revision must
be byte for byte the archived execution PDF, later revisions may only sign or fill fields, every
signature must be intact and `client_signature` must be signed. Signers' names come from their
certificates; one no trust root vouches for is accepted and reported as not trusted. Anything
else (an e-signature service's PDF, a scan of wet ink) is accepted only as *unverified*, with
the reason given. Either way the evidence is copied into the archive, read-only, and its sha256
goes into the ledger; a refusal changes nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from ..errors import LifecycleError, Problem
from ..ledger import AgreementRecord, Evidence, Ledger
from ..signing import load_trust_roots, verify_signed_pdf
from ..signing.report import VerificationReport
from .archive import add_to_archive, intact_archive, sha256
from ..amendments.names import archived_names

MAX_EVIDENCE_BYTES = 100 * 1024 * 1024  # a scanned agreement of 40 pages at 300 dpi is well under this
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


def read_evidence(path: Path) -> bytes:
    """The evidence file's bytes: a regular file of sensible size, or our error naming it."""
    try:
        info = path.stat()
        if not path.is_file():
            raise LifecycleError("the evidence is not a file", file=str(path), field="--evidence")
        if info.st_size > MAX_EVIDENCE_BYTES:
            raise LifecycleError(f"the evidence is {info.st_size:,} bytes; at most {MAX_EVIDENCE_BYTES:,} are "
                                 "accepted", file=str(path), field="--evidence")
        with open(path, "rb") as handle:
            data = handle.read(MAX_EVIDENCE_BYTES + 1)
    except OSError as exc:
        raise LifecycleError(f"cannot read the evidence: {exc.strerror or exc}", file=str(path),
                             field="--evidence") from None
    if not data:
        raise LifecycleError("the evidence file is empty", file=str(path), field="--evidence")
    return data


def evidence_name(record: AgreementRecord, received_as: str, *, verified: bool) -> str:
    """The evidence's name in the archive: the instrument's id, and the suffix it came with if plain."""
    if verified:
        return f"{record.agreement_id}-signed.pdf"
    suffix = Path(received_as).suffix.lower()
    return f"{record.agreement_id}-evidence{suffix if _SUFFIX.fullmatch(suffix) else ''}"


def _refusal(record: AgreementRecord, report: VerificationReport, source: str) -> LifecycleError:
    failures = [Problem(f.message, field=f.field or f.code) for f in report.failures]
    first = failures[0]
    return LifecycleError.several(
        [Problem(f"the evidence does not prove that record #{record.id} ({record.agreement_id}) was signed: "
                 f"{first.message}", field=first.field), *failures[1:]], file=source,
        hint="the status is unchanged; for evidence that is not a digitally signed copy of the execution PDF "
             "(a scan, another service's certificate), use --unverified REASON")


def verified_signers(report: VerificationReport) -> tuple[dict[str, object], ...]:
    return tuple({"field": s.field, "name": s.signer.common_name or s.signer.describe(), "trusted": s.trusted,
                  "time": s.signed_at.isoformat() if s.signed_at else None} for s in report.signatures)


def record_signature(ledger: Ledger, client: str, *, evidence: Path | None, by: str | None = None,
                     note: str | None = None, unverified: str | None = None, trust: Sequence[Path] = (),
                     record: int | None = None) -> AgreementRecord:
    """Mark the client's sent instrument signed, with its evidence verified or (with a reason) not."""
    chosen = ledger.choose(client, "signed", record=record)
    if evidence is None:
        raise LifecycleError(f"record #{chosen.id} ({chosen.agreement_id}) can be marked signed only with evidence",
                             field="--evidence", hint="pass --evidence SIGNED.pdf (verified), or --evidence FILE "
                                                      "--unverified REASON for a scan or another service's record")
    if unverified is not None and not unverified.strip():
        raise LifecycleError("say why unverified evidence is accepted", field="--unverified")
    ledger.check_step(by=by, note=note, reason=unverified)  # before the evidence joins the archive
    folder = intact_archive(chosen, "signed")
    data = read_evidence(evidence)
    signers: tuple[dict[str, object], ...] = ()
    if unverified is None:
        original = (folder / archived_names(chosen.agreement_id)["pdf"]).read_bytes()
        report = verify_signed_pdf(data, original=original, trust_roots=load_trust_roots(trust),
                                   source=str(evidence))
        if not report.valid:
            raise _refusal(chosen, report, str(evidence))
        signers = verified_signers(report)
    name = evidence_name(chosen, evidence.name, verified=unverified is None)
    digest = _add(folder, name, data)
    proof = Evidence(file=name, sha256=digest, verified=unverified is None, signers=signers,
                     reason=unverified.strip() if unverified else None, received_as=evidence.name)
    return ledger.mark(client, "signed", by=by, note=note, record=chosen.id, proof=proof)


def _add(folder: Path, name: str, data: bytes) -> str:
    """Copy the evidence into the archive; the same bytes already there (a retry after a crash) are fine."""
    existing = folder / name
    if os.path.lexists(existing):
        if existing.is_file() and not existing.is_symlink() and sha256(existing.read_bytes()) == sha256(data):
            return sha256(data)
        raise LifecycleError("the archive already holds other evidence under this name, and archived files are "
                             "never replaced", file=str(existing))
    return add_to_archive(folder, name, data)
