"""An agreement's terms: what it says, apart from how it is printed, and the instrument id that names it.

The terms are the clause versions (each by its text's sha256), the control catalogue version, and
every value the clauses print: client and provider facts, parameters, controls, law. Two builds
with the same terms say the same thing, whatever else differs (the profile's comments or key
order, YAML or CSV, the tool version, the Word template); two builds with different terms never
do. So the terms decide:

- the instrument id printed in the agreement, its lock, its PDF and the ledger: the agreement's
  base id (`MSA-<date>-<client>`, or the profile's own) plus six hex digits of the terms' hash,
  so a revised draft is a new instrument and the execution version of a draft keeps its id;
- whether a signed agreement is current (`msa status`): the terms a build would have now against
  those of the signed instrument.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .profile import Profile, agreement_id_for
from .selection import Selection

REVISION_DIGITS = 6


@dataclass(frozen=True)
class Terms:
    """The terms of one agreement as JSON-ready data, and their hash."""

    data: dict[str, Any]
    sha256: str


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def agreement_terms(selection: Selection, printed: Mapping[str, Any]) -> Terms:
    """The terms of the agreement this selection makes, from the values its clauses print."""
    clauses = [{"slot": c.slot, "variant": c.clause.meta.variant, "version": c.clause.meta.version,
                "sha256": c.clause.sha256} for c in selection.included if c.clause is not None]
    if selection.catalogue is not None:
        entry = selection.catalogue.bom_entry()
        clauses.append({k: entry[k] for k in ("slot", "variant", "version", "sha256")})
    data = {"title": selection.library.manifest.agreement_title,
            "effective_date": selection.profile.effective_date.isoformat(),
            "clauses": clauses, "printed": dict(printed)}
    return Terms(data, hashlib.sha256(_canonical(data)).hexdigest())


def instrument_id(profile: Profile, terms_sha256: str) -> str:
    """The instrument's id: the agreement's base id and a revision drawn from its terms."""
    return f"{agreement_id_for(profile)}-{terms_sha256[:REVISION_DIGITS].upper()}"


def base_id(instrument: str) -> str:
    """The agreement id an instrument id revises (`MSA-20261201-DA242C-4E1B9A` -> `MSA-20261201-DA242C`)."""
    head, _, tail = instrument.rpartition("-")
    return head if head and len(tail) == REVISION_DIGITS else instrument


def terms_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What differs between two agreements' terms, one line each: clauses first, then printed values."""
    before = {c["slot"]: c for c in old.get("clauses", [])}
    after = {c["slot"]: c for c in new.get("clauses", [])}
    lines = []
    for slot, c in after.items():
        was = before.get(slot)
        if was is None:
            lines.append(f"+{slot} {c['variant']}@{c['version']}")
        elif was["variant"] != c["variant"]:
            lines.append(f"{slot} {was['variant']}@{was['version']}\u2192{c['variant']}@{c['version']}")
        elif was["version"] != c["version"]:
            lines.append(f"{slot} {was['version']}\u2192{c['version']}")
        elif was["sha256"] != c["sha256"]:
            lines.append(f"{slot} {c['version']} text changed")
    lines += [f"-{slot} {c['variant']}@{c['version']}" for slot, c in before.items() if slot not in after]
    for key in ("title", "effective_date"):
        if old.get(key) != new.get(key):
            lines.append(f"{key} {old.get(key)}\u2192{new.get(key)}")
    lines += _value_changes(old.get("printed", {}), new.get("printed", {}), "")
    return lines


def _value_changes(old: Any, new: Any, path: str) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in dict.fromkeys([*old, *new]):
            out += _value_changes(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return out
    if old == new:
        return []
    if isinstance(old, list) or isinstance(new, list):
        return [f"{path} changed"]
    return [f"{path} {_short(old)}\u2192{_short(new)}"]


def _short(value: Any) -> str:
    text = "-" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
