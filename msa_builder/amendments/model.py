"""An amendment as data: which agreement it amends, its numbered changes, and the agreement as amended.

Like an `Agreement`, an `Amendment` is frozen, self-contained and written beside its lock as JSON
(`<slug>-amendment-<N>-amendment.json`): approval renders the execution version from it, the next
amendment starts from its conformed agreement, and `msa build --conformed` prints that agreement.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..agreement import Agreement
from ..content import agreement_data, agreement_from_data, clause_data, clause_from_data
from ..errors import RenderError
from .plan import Change

FORMAT = "msa-amendment/1"


@dataclass(frozen=True)
class EarlierAmendment:
    number: int
    id: str
    signed_on: str  # YYYY-MM-DD


@dataclass(frozen=True)
class Amendment:
    """Amendment No. `number` to agreement `agreement_id`."""

    id: str
    number: int
    agreement_id: str
    agreement_date: date
    effective_date: date
    earlier: tuple[EarlierAmendment, ...]
    changes: tuple[Change, ...]
    conformed: Agreement  # the agreement as amended by this and every earlier amendment
    effect: str
    counterparts: str

    @property
    def title(self) -> str:
        return f"Amendment No. {self.number} to {self.conformed.title} {self.agreement_id}"

    @property
    def client_name(self) -> str:
        return self.conformed.client_name


def _change(change: Change) -> dict[str, Any]:
    return {"kind": change.kind, "unit": change.unit, "slot": change.slot, "label": change.label,
            "title": change.title, "after": change.after, "article": change.article,
            "old": clause_data(change.old) if change.old else None,
            "new": clause_data(change.new) if change.new else None}


def amendment_data(amendment: Amendment) -> dict[str, Any]:
    return {
        "format": FORMAT, "id": amendment.id, "number": amendment.number, "agreement_id": amendment.agreement_id,
        "agreement_date": amendment.agreement_date.isoformat(), "effective_date": amendment.effective_date.isoformat(),
        "earlier": [e.__dict__ for e in amendment.earlier], "changes": [_change(c) for c in amendment.changes],
        "effect": amendment.effect, "counterparts": amendment.counterparts,
        "conformed": agreement_data(amendment.conformed),
    }


def amendment_json(amendment: Amendment) -> bytes:
    return (json.dumps(amendment_data(amendment), indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def amendment_from_data(data: Any, *, where: str) -> Amendment:
    """An Amendment from its content model; a malformed file is our error, naming it."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RenderError("not an amendment content model", file=where, field="format", allowed=(FORMAT,))
    try:
        changes = tuple(Change(c["kind"], c["unit"], c["slot"], c["label"], c["title"],
                               clause_from_data(c["old"]) if c["old"] else None,
                               clause_from_data(c["new"]) if c["new"] else None, c["after"], c["article"])
                        for c in data["changes"])
        return Amendment(id=data["id"], number=int(data["number"]), agreement_id=data["agreement_id"],
                         agreement_date=date.fromisoformat(data["agreement_date"]),
                         effective_date=date.fromisoformat(data["effective_date"]),
                         earlier=tuple(EarlierAmendment(**e) for e in data["earlier"]), changes=changes,
                         conformed=agreement_from_data(data["conformed"], where=where),
                         effect=data["effect"], counterparts=data["counterparts"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RenderError(f"the amendment content model is damaged: {type(exc).__name__}: {exc}"[:300],
                          file=where) from None


def amendment_id(agreement_id: str, number: int, changes: tuple[Change, ...], conformed_terms: str,
                 effective: date) -> str:
    """`<agreement id>-A<N>-<6 hex>`: the revision digits name what this amendment says."""
    content = json.dumps({"changes": [_change(c) for c in changes], "terms": conformed_terms,
                          "effective": effective.isoformat()}, sort_keys=True, ensure_ascii=False)
    return f"{agreement_id}-A{number}-{hashlib.sha256(content.encode('utf-8')).hexdigest()[:6].upper()}"
