"""The renewal-notice calendar: when each signed agreement renews and when its reminder must go out.

An automatic renewal is only as good as the notice that preserves it: in New York it is
unenforceable unless the Provider serves a reminder personally or by certified mail 15 to 30 days
before the Client's notice deadline (GOL 5-903), and the generic terms promise a reminder in the
same window. Each build records the terms that decide the dates (`renewal` in the bill of
materials), so the calendar of a signed agreement is computed from what was signed, not from
today's library; for agreements signed before 2026.12 it falls back to the client's profile.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .errors import MsaError
from .ledger import AgreementRecord, Ledger
from .renewal_terms import renewal_terms

COLUMNS = ("client", "agreement_id", "record", "signed_at", "jurisdiction", "renews_on", "notice_deadline",
           "reminder_from", "reminder_by", "method", "statute", "status", "basis")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the last day of a shorter month when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class RenewalRow:
    """One signed agreement on the calendar."""

    client: str
    agreement_id: str
    record: int
    signed_at: str
    jurisdiction: str | None
    renews_on: date | None  # the first day of the next Renewal Term
    notice_deadline: date | None  # the last day either Party may give notice of non-renewal
    reminder_from: date | None  # the Provider's reminder window opens
    reminder_by: date | None  # the last day to send the reminder
    method: str | None
    statute: str | None
    status: str  # upcoming | send now | window missed | no reminder | no automatic renewal
    basis: str  # what the dates were computed from

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


def calendar_row(record: AgreementRecord, terms: dict[str, Any] | None, today: date, basis: str) -> RenewalRow:
    """Where one signed agreement stands on `today`."""
    if terms is None:
        return RenewalRow(record.client, record.agreement_id, record.id, record.status_at, None, None, None, None,
                          None, None, None, "no automatic renewal", basis)
    effective = date.fromisoformat(terms["effective_date"])
    renews_on = add_months(effective, terms["initial_term_months"])
    while renews_on - timedelta(days=1) < today:  # the current period ended: it renewed (or ended)
        renews_on = add_months(renews_on, terms["renewal_term_months"])
    deadline = renews_on - timedelta(days=1) - timedelta(days=terms["nonrenewal_notice_days"])
    reminder = terms.get("reminder")
    if reminder is None:
        return RenewalRow(record.client, record.agreement_id, record.id, record.status_at, terms.get("jurisdiction"),
                          renews_on, deadline, None, None, None, None, "no reminder", basis)
    opens = deadline - timedelta(days=reminder["max_days"])
    closes = deadline - timedelta(days=reminder["min_days"])
    status = "upcoming" if today < opens else "send now" if today <= closes else "window missed"
    return RenewalRow(record.client, record.agreement_id, record.id, record.status_at, terms.get("jurisdiction"),
                      renews_on, deadline, opens, closes, reminder["method"], reminder["statute"], status, basis)


def _profile_terms(source: Path | None, record: AgreementRecord, library_dir: Path | None) -> dict[str, Any] | None:
    """Terms from the client's profile and today's library, for a build that did not record them."""
    from .batch.sources import load_entry, read_source
    from .library.load import open_library

    library = open_library(library_dir)
    entries = read_source(source, library.manifest) if source is not None else []
    entry = next((e for e in entries if not e.skip and e.slug == record.slug), None)
    if entry is not None:
        loaded = load_entry(entry)
    else:
        from .profile import load_profile

        loaded = load_profile(Path(record.source))
    from .selection import select

    return renewal_terms(select(library, loaded))


def renewal_calendar(ledger: Ledger, *, today: date, within: int | None = None, source: Path | None = None,
                     library_dir: Path | None = None) -> list[RenewalRow]:
    """Every signed agreement's renewal, soonest reminder first; `within` keeps those due in DAYS.

    With SOURCE, only its clients are listed, and their profiles fill in agreements that were
    signed before builds recorded their renewal terms.
    """
    slugs: Iterable[str] = [r.slug for r in ledger.latest_all()]
    if source is not None:
        from .batch.sources import read_source
        from .library.load import open_library

        wanted = {e.slug for e in read_source(source, open_library(library_dir).manifest) if not e.skip}
        slugs = [s for s in slugs if s in wanted]
    rows = []
    for slug in slugs:
        record = ledger.latest_signed(slug)
        if record is None:
            continue
        bom = ledger.bom(record.id)
        if "renewal" in bom:
            rows.append(calendar_row(record, bom["renewal"], today, "signed bill of materials"))
            continue
        try:
            terms = _profile_terms(source, record, library_dir)
        except (MsaError, OSError) as exc:
            message = exc.format() if isinstance(exc, MsaError) else str(exc)
            rows.append(RenewalRow(record.client, record.agreement_id, record.id, record.status_at, None, None, None,
                                   None, None, None, None, "unknown", f"profile unreadable: {message}"))
            continue
        rows.append(calendar_row(record, terms, today, "current profile and library (signed before 2026.12)"))
    if within is not None:
        horizon = today + timedelta(days=within)
        rows = [r for r in rows if (r.reminder_by or r.notice_deadline) is not None
                and today <= (r.reminder_by or r.notice_deadline) <= horizon]  # type: ignore[operator]
    return sorted(rows, key=lambda r: (r.reminder_by or r.notice_deadline or date.max, r.client.casefold()))


def format_calendar(rows: Sequence[RenewalRow], today: date) -> str:
    """The calendar for a person: one block per agreement."""
    if not rows:
        return f"No signed agreement has a renewal notice due (as of {today.isoformat()})."
    lines = [f"Renewal calendar as of {today.isoformat()}: {len(rows)} signed agreement(s)"]
    for row in rows:
        lines.append(f"  {row.client} ({row.agreement_id}, record #{row.record}): {row.status}")
        if row.renews_on is not None:
            lines.append(f"    renews on {row.renews_on.isoformat()}; notice of non-renewal by "
                         f"{row.notice_deadline.isoformat() if row.notice_deadline else '-'}")
        if row.reminder_by is not None and row.reminder_from is not None:
            lines.append(f"    send the reminder between {row.reminder_from.isoformat()} and "
                         f"{row.reminder_by.isoformat()}: {row.method} ({row.statute})")
        lines.append(f"    from the {row.basis}")
    return "\n".join(lines)


def calendar_csv(rows: Sequence[RenewalRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.as_dict().items()})
    return out.getvalue()
