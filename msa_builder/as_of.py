"""The as-of rule: on which day's library a client's clause versions are chosen, and which date decided.

Versions are chosen as of `--as-of` when given; otherwise as of today, or the agreement's effective
date when that is later. So a version released for existing clients (effective 2027-03-01) reaches
a client whose agreement started in 2026 at its first regeneration on or after 2027-03-01, instead
of never.

Recording "today" in the lock would make every client stale every morning, and rewrite every review
memo that prints the date. So, unless `--as-of` was given, the date recorded is the one that
decided: the earliest day from which the same versions hold up to the day they were chosen for. It
is the agreement's effective date until a newer version of one of its slots takes effect, then that
version's effective date; `msa explain --as-of` with it chooses exactly the same versions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from .library.model import Library, OutlineEntry

GIVEN, EFFECTIVE, CLAUSE = "given", "effective date", "clause"

# (kind, entry, day) -> a value that differs exactly when the slot's decision differs
Decide = Callable[[str, OutlineEntry, date], Any]


def selection_day(effective_date: date, as_of: date | None, today: date) -> date:
    """The day whose library the versions are chosen from."""
    if as_of is not None:
        return as_of
    return max(today, effective_date)


def _statuses(allow_drafts: bool) -> set[str]:
    return {"approved", "draft"} if allow_drafts else {"approved"}


def _dates(library: Library, slot: str, allow_drafts: bool) -> list[date]:
    statuses = _statuses(allow_drafts)
    found = library.slots.get(slot)
    if found is None:
        return []
    return sorted({v.meta.effective for var in found.variants.values() for v in var.versions
                   if v.meta.status in statuses})


def first_day(library: Library, entries: Sequence[tuple[str, OutlineEntry]], allow_drafts: bool) -> tuple[date, str]:
    """The first day every required slot has a usable version, and the slot that sets it."""
    first, slot = date.min, ""
    for _, entry in entries:
        dates = _dates(library, entry.slot, allow_drafts)
        if not entry.optional and dates and dates[0] > first:
            first, slot = dates[0], entry.slot
    return first, slot


def deciding_day(library: Library, entries: Sequence[tuple[str, OutlineEntry]], decisions: Sequence[Any],
                 decide: Decide, *, floor: date, chosen: Sequence[date], day: date, allow_drafts: bool) -> date:
    """The earliest date from `floor` on whose library gives the same `decisions` as the library of `day`.

    Starts from the newest effective date among the chosen versions; a slot whose versions changed
    between that date and `day` is decided again there, and while any slot differs the date moves
    to that slot's next effective date. Only slots with a version taking effect in between are
    re-decided, so an unchanged library costs nothing extra.
    """
    since = max([floor, *chosen])
    while True:
        for (kind, entry), decision in zip(entries, decisions, strict=True):
            later = [d for d in _dates(library, entry.slot, allow_drafts) if since < d <= day]
            if later and decide(kind, entry, since) != decision:
                since = later[0]
                break
        else:
            return since


def describe(rule: str, recorded: date, selected_on: date | None, effective_date: date) -> str:
    """Which as-of date decided a client's versions, and why, in one sentence."""
    if rule == GIVEN:
        return f"clause versions as of {recorded.isoformat()}, given with --as-of"
    if selected_on is None or selected_on <= effective_date:
        return (f"clause versions as of {recorded.isoformat()}, the agreement's effective date "
                "(today is not later)")
    today = selected_on.isoformat()
    if rule == EFFECTIVE:
        return (f"clause versions as of {recorded.isoformat()}, the agreement's effective date: no newer "
                f"version of its clauses took effect between then and today ({today})")
    return (f"clause versions as of {recorded.isoformat()}: today ({today}) is after the effective date "
            f"{effective_date.isoformat()}, and the newest version in force took effect on {recorded.isoformat()}")


def describe_batch(as_of: date | None, today: date) -> str:
    """The as-of rule a whole batch ran under."""
    if as_of is not None:
        return f"clause versions as of {as_of.isoformat()} (--as-of)"
    return (f"clause versions as of today ({today.isoformat()}), or each agreement's effective date when later; "
            "each client's lock records the date that decided")
