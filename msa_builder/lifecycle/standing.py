"""How an instrument stands, in words: who signed it and how we know, and whether its archive is intact.

`msa status`, `msa ledger show` and the web app say it the same way: `signed (verified: Dana
Reyes) MSA-…` for a signature pyHanko verified against the archive, `signed (unverified
evidence)` for a scan accepted with a reason, `signed (no evidence recorded)` for a record
signed before evidence was required (ledger schema 1).
"""

from __future__ import annotations

from ..ledger import AgreementRecord
from .archive import archive_problems


def signer_names(record: AgreementRecord) -> list[str]:
    """Each distinct signer of verified evidence, as their certificate names them, marked if not trusted."""
    names: list[str] = []
    for signer in (record.evidence or {}).get("signers", []):
        name = str(signer.get("name") or "unnamed signer") + ("" if signer.get("trusted") else " (not trusted)")
        if name not in names:
            names.append(name)
    return names


def describe_evidence(record: AgreementRecord) -> str:
    evidence = record.evidence
    if not evidence:
        return "no evidence recorded"
    if evidence.get("verified"):
        return "verified: " + (", ".join(signer_names(record)) or "no signer named")
    return "unverified evidence"


def signed_label(record: AgreementRecord) -> str:
    """`signed (verified: Dana Reyes) MSA-20261201-…`: the status, its proof and the instrument."""
    return f"signed ({describe_evidence(record)}) {record.agreement_id}"


def archive_warning(record: AgreementRecord) -> str | None:
    """A loud line when an archived file is missing or altered; None when the archive is intact."""
    problems = archive_problems(record)
    if not problems:
        return None
    return (f"ARCHIVE ALTERED: record #{record.id} {record.agreement_id}: {', '.join(map(str, problems))} "
            f"(in {record.archive_folder}); nothing repairs it: restore it from a backup and find out why")


def describe_in_force(agreement: AgreementRecord, amendments: list[AgreementRecord]) -> str:
    """`MSA-… + Amendment 1 (signed 2027-02-03)`: the instruments whose terms are in force."""
    parts = [agreement.agreement_id]
    parts += [f"Amendment {r.amendment_no} (signed {r.status_at[:10]})" for r in amendments]
    return " + ".join(parts)
