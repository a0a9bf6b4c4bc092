"""A verification report as a person reads it: the verdict first, then what it rests on."""

from __future__ import annotations

from datetime import datetime, timezone

from .report import VerificationReport


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "time not stated"
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_report(report: VerificationReport, *, ledger_consulted: bool = False) -> str:
    """The report as `msa verify` prints it."""
    lines = [f"{report.source}: {report.verdict.upper()}"]
    lines += [f"  - {f.code}: {f.message}" for f in report.failures]
    if report.verdict == "unusable":
        return "\n".join(lines)
    meta = report.metadata
    if meta.get("agreement_id"):
        status = f", {meta['status']} version" if meta.get("status") else ""
        lines.append(f"instrument   {meta['agreement_id']} \u00b7 {meta.get('client', '?')}{status} "
                     "(as its original revision says)")
    lines.append(f"original     sha256 {report.original_sha256}")
    if report.original_matches is True:
        lines.append("             byte for byte the execution PDF given with --original")
    elif report.original_matches is False:
        lines.append("             NOT the execution PDF given with --original")
    if report.instrument is not None:
        i = report.instrument
        record = f" record #{i.record}" if i.record is not None else ""
        lines.append(f"ledger       {i.agreement_id} \u00b7 {i.client}{record}{', ' + i.status if i.status else ''}")
        lines.append("             the original revision is exactly the execution version approved")
    elif ledger_consulted:
        lines.append("ledger       no instrument with this hash: not an execution version this ledger approved")
    lines.append(f"revisions    {len(report.revisions)}")
    for revision in report.revisions:
        what = revision.kind + (f" {revision.field}" if revision.field else "")
        changes = f" \u00b7 changes: {revision.changes.replace('_', ' ')}" if revision.changes else ""
        lines.append(f"  r{revision.index}  {what:<38} ends at byte {revision.end:,}{changes}")
    lines.append("signatures" if report.signatures else "signatures   none")
    for sig in report.signatures:
        trust = f" ({sig.trust_problem})" if sig.trust_problem and sig.state == "valid, not trusted" else ""
        lines.append(f"  {sig.field:<28} {sig.signer.describe()}")
        lines.append(f"  {'':<28} signed {_when(sig.signed_at)} \u00b7 revision {sig.revision} \u00b7 {sig.state}{trust}")
    unsigned = [f.name for f in report.fields if not f.signed]
    if unsigned:
        lines.append(f"unsigned     {', '.join(unsigned)}")
    if any(f.code == "content-changed" for f in report.failures):
        lines.append("content      CHANGED after the original revision: more than signatures and form fields")
    elif len(report.revisions) > 1:
        lines.append("content      as in the original revision: later revisions only sign or fill fields")
    else:
        lines.append("content      the original revision, with nothing after it")
    return "\n".join(lines)
