"""Plain-text and CSV forms of a batch report and of the coverage report, for people and spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..ledger import AgreementRecord, StatusEvent
from ..lifecycle.standing import archive_warning, describe_evidence, signed_label
from .coverage import CSV_COLUMNS, ClientCoverage
from .progress import describe
from .runner import BatchReport
from .worker import ClientResult

MAX_LISTED = 25  # a 500-client rebuild lists its first few; the progress lines and --json have the rest


def _summary(report: BatchReport) -> str:
    counts = ", ".join(f"{n} {name}" for name, n in report.counts().items())
    text = f"{counts} in {report.seconds:.1f}s"
    if not report.dry_run:
        text += f" ({report.docs_per_second:.1f} docs/s)"
    if report.interrupted:
        text += "; INTERRUPTED: rerun to finish the rest"
    return text


def format_report(report: BatchReport, *, clients: bool = True) -> str:
    """A batch's outcome: the clients that changed or failed (with why), then the counts.

    Without `clients`, only the counts: the progress lines already named every client.
    """
    lines: list[str] = []
    if not clients:
        return _summary(report)
    if report.dry_run:
        stale = [r for r in report.results if r.status == "stale"]
        lines.append(f"Impact report: {len(stale)} client(s) would be rebuilt" if stale
                     else "Impact report: every client is up to date")
        if report.as_of_rule:
            lines.append(f"  ({report.as_of_rule})")
        for result in stale:
            as_of = f", clauses as of {result.as_of}" if result.as_of else ""
            lines.append(f"  {result.client} [{result.slug}] ({result.label}){as_of}")
            lines += [f"    {change}" for change in result.changes]
        lines += _reach(stale)
    else:
        built = [r for r in report.results if r.status == "built"]
        lines += [describe(r) for r in built[:MAX_LISTED]]
        if len(built) > MAX_LISTED:
            lines.append(f"... and {len(built) - MAX_LISTED} more built (--json lists every client)")
    failed = report.failed
    if failed:
        lines.append(f"{len(failed)} client(s) failed:")
        for result in failed:
            first, *rest = (result.error or "").splitlines() or [""]
            lines.append(f"  {result.label}: {first}")
            lines += [f"    {line.strip()}" for line in rest]
    lines.append(_summary(report))
    return "\n".join(lines)


def _reach(stale: Sequence[ClientResult]) -> list[str]:
    """Each clause change, with the clients it reaches: who a new version is for."""
    reach: dict[str, list[str]] = {}
    for result in stale:
        for change in result.clause_changes:
            reach.setdefault(change, []).append(result.client or result.label)
    if not reach:
        return []
    lines = [f"Clause changes and the clients they reach ({len(reach)}):"]
    lines += [f"  {change}: {', '.join(clients)}" for change, clients in reach.items()]
    return lines


def format_coverage(rows: Sequence[ClientCoverage]) -> str:
    """The coverage report: uncovered clients first, one line each (then what changed), then the totals."""
    lines = []
    for row in rows:
        name = row.client or row.label
        if row.state == "error":
            lines.append(f"{row.state_text:<25} {name}: {(row.error or '').splitlines()[0]}")
            continue
        freshness = {True: ", up to date", False: ", out of date", None: ""}[row.latest_current]
        latest = (f"latest #{row.latest.id} {row.latest.agreement_id} {row.latest.status} "
                  f"({row.latest.generated_at[:10]}{freshness})") if row.latest else "never generated"
        signed = ""
        if row.signed is not None:
            signed = f"signed ({describe_evidence(row.signed)}) {row.in_force or row.signed.agreement_id}"
            signed = f"current: {signed}" if row.state == "current" else signed
        detail = "; ".join(p for p in (signed, latest) if p)
        lines.append(f"{row.state_text:<25} {name} - {detail}")
        lines += [f"{'':<27}{reason}" for reason in row.reasons]
        lines += [f"{'':<27}{change}" for change in row.changes]
        lines += [f"{'':<27}!! {warning}" for warning in row.archive_warnings]
    states = {s: sum(1 for r in rows if r.state == s) for s in ("unsigned", "restate", "amend", "current", "error")}
    lines.append(f"{len(rows)} client(s): {states['current']} signed and current, {states['amend']} need an "
                 f"amendment, {states['restate']} need a restated agreement, {states['unsigned']} with no signed "
                 f"agreement, {states['error']} with profile errors")
    altered = sum(len(r.archive_warnings) for r in rows)
    if altered:
        lines.append(f"!! {altered} archived instrument(s) ALTERED OR MISSING: see the lines marked !! above")
    return "\n".join(lines)


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"):
# a client named "=HYPERLINK(...)" or a `--by` of "@SUM(...)" would run in whoever opens the report.
# The full-width forms are on the list because some spreadsheets fold them to the ASCII ones.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text: a leading quote where it would start a formula."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def coverage_csv(rows: Sequence[ClientCoverage]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        data = row.as_dict()
        data["changes"] = "; ".join(data["changes"])
        writer.writerow({k: "" if data[k] is None else spreadsheet_safe(data[k]) for k in CSV_COLUMNS})
    return out.getvalue()


def format_history(records: Sequence[AgreementRecord], events: dict[int, list[StatusEvent]]) -> str:
    """One client's agreements, oldest first, each with its status steps."""
    lines = []
    for record in records:
        lines.append(f"#{record.id} {record.agreement_id} {record.status}  generated {record.generated_at} "
                     f"(library {record.library_name} {record.library_version}, lock {record.lock_sha256[:12]})")
        if record.status == "signed":
            lines.append(f"    {signed_label(record)}")
        if record.archive_folder is not None:
            lines.append(f"    archive {record.archive_folder} ({len(record.archived_files)} files)")
        warning = archive_warning(record)
        if warning:
            lines.append(f"    !! {warning}")
        for event in events.get(record.id, []):
            step = f"{event.from_status or 'generated'} -> {event.to_status}"
            note = f" ({event.note})" if event.note else ""
            lines.append(f"    {event.at}  {step:<26} by {event.by}{note}")
            for name, digest in sorted((event.hashes or {}).items()):
                lines.append(f"        {name}  sha256 {digest}")
    return "\n".join(lines)


def format_latest(records: Sequence[AgreementRecord]) -> str:
    """Every client's newest agreement, one line each."""
    lines = [f"#{r.id:<5} {r.status:<10} {r.agreement_id:<22} {r.client}  ({r.generated_at[:10]})" for r in records]
    lines.append(f"{len(records)} client(s)")
    return "\n".join(lines)
