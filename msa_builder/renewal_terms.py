"""The renewal terms an agreement fixes: term, notice of non-renewal, and the reminder the law requires.

Recorded in each bill of materials (`renewal`), so the renewal calendar (renewals.py) of a signed
agreement is computed from what was signed, not from today's library.
"""

from __future__ import annotations

from typing import Any

from .selection import Selection

RENEWAL_SLOT = "term.renewal"


def renewal_terms(selection: Selection) -> dict[str, Any] | None:
    """The terms a build fixes for the calendar; None when the agreement does not renew automatically."""
    choice = next((c for c in selection.choices if c.slot == RENEWAL_SLOT and c.clause is not None), None)
    if choice is None or choice.clause is None:
        return None
    variables = set(choice.clause.meta.variables)
    if "params.renewal_term_months" not in variables:
        return None  # no automatic renewal (break/fix: open-ended, ended by notice)
    params = {name: p.value for name, p in selection.params.items()}
    manifest = selection.library.manifest
    state = selection.profile.client.jurisdiction
    pack = manifest.jurisdictions.pack_for(state)
    notice = pack[1].renewal_notice if pack and pack[1].renewal_notice else manifest.jurisdictions.generic_renewal_notice
    reminder = None
    if notice is not None and f"params.{notice.max_days_param}" in variables:
        reminder = {"min_days": params[notice.min_days_param] if notice.min_days_param else 0,
                    "max_days": params[notice.max_days_param], "method": notice.method, "statute": notice.statute}
    return {"clause": choice.clause.key, "jurisdiction": state,
            "effective_date": selection.profile.effective_date.isoformat(),
            "initial_term_months": params["initial_term_months"], "renewal_term_months": params["renewal_term_months"],
            "nonrenewal_notice_days": params["nonrenewal_notice_days"], "reminder": reminder}
