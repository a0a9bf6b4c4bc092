"""The instrument's content model on disk: an `Agreement` as JSON, and back.

Every build writes it beside the lock (`<slug>-agreement.json`, hashed by the lock like every
output), so what an agreement said can be known later without rebuilding it (its library and
profile have moved on by then) and without reading Word XML back (a round trip through Word or
LibreOffice rewrites that XML freely). `msa compare`, `msa status` and amendments read it.

The format is versioned (`format`); a reader refuses what it does not know rather than guess.
Stored client and provider facts are restored without re-validation: an instrument signed under
older rules is still exactly what it was.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

from ._jsontext import dumps
from .agreement import Agreement, Article, Clause, LeftOut, Provenance, Schedule, Section
from .blocks import Block, Heading, Inline, LineBreak, ListBlock, Paragraph, Ref, Table, Text, block_lines
from .errors import RenderError
from .params import ResolvedParam
from .profile import ClientDetails, ControlDecision, Provider, Signatory
from .selection import ControlState

FORMAT = "msa-agreement/1"


def text_sha256(clause: Clause) -> str:
    """The hash of a clause's rendered text: changes when a printed value changes, not only the source."""
    return _lines_sha256(block_lines(clause.blocks))


def _lines_sha256(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# -- writing -----------------------------------------------------------------------------------

def _inline(item: Inline) -> dict[str, Any]:
    if isinstance(item, Text):
        out: dict[str, Any] = {"text": item.text}
        if item.bold:
            out["bold"] = True
        if item.italic:
            out["italic"] = True
        if item.caps:
            out["caps"] = True
        return out
    if isinstance(item, Ref):
        return {"ref": item.target, "label": item.label}
    return {"break": True}


def _inlines(items: tuple[Inline, ...]) -> list[dict[str, Any]]:
    return [_inline(i) for i in items]


def _block(block: Block) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"paragraph": _inlines(block.inlines), **_conspicuous(block.conspicuous)}
    if isinstance(block, Heading):
        return {"heading": _inlines(block.inlines), "level": block.level}
    if isinstance(block, ListBlock):
        return {"list": [[_block(b) for b in item] for item in block.items], "ordered": block.ordered,
                **_conspicuous(block.conspicuous)}
    return {"table": {"header": [_inlines(c) for c in block.header],
                      "rows": [[_inlines(c) for c in row] for row in block.rows]}}


def _conspicuous(flag: bool) -> dict[str, Any]:
    return {"conspicuous": True} if flag else {}


def clause_data(clause: Clause) -> dict[str, Any]:
    lines = block_lines(clause.blocks)
    return {
        "slot": clause.slot, "key": clause.key, "variant": clause.variant, "version": clause.version,
        "status": clause.status, "title": clause.title, "sha256": clause.sha256, "path": clause.path,
        "reason": clause.reason, "text_sha256": _lines_sha256(lines),
        "text": lines, "blocks": [_block(b) for b in clause.blocks],
    }


def agreement_data(agreement: Agreement) -> dict[str, Any]:
    """The agreement as JSON-ready data, in reading order."""
    return {
        "format": FORMAT,
        "id": agreement.id,
        "title": agreement.title,
        "effective_date": agreement.effective_date.isoformat(),
        "as_of": agreement.as_of.isoformat(),
        "allow_drafts": agreement.allow_drafts,
        "client": agreement.client.model_dump(mode="json"),
        "tier": agreement.tier,
        "industry": agreement.industry,
        "provider": agreement.provider.model_dump(mode="json"),
        "provenance": dict(agreement.provenance.__dict__),
        "params": [dict(p.__dict__) for p in agreement.params],
        "controls": [_control(c) for c in agreement.controls],
        "left_out": [dict(c.__dict__) for c in agreement.left_out],
        "preamble": clause_data(agreement.preamble),
        "articles": [{"number": a.number, "title": a.title,
                      "sections": [{"number": s.number, **clause_data(s.clause)} for s in a.sections]}
                     for a in agreement.articles],
        "signature": clause_data(agreement.signature),
        "schedules": [{"letter": s.letter, **clause_data(s.clause)} for s in agreement.schedules],
        "source": agreement.source,
        "review_notes": list(agreement.review_notes),
        "terms_sha256": agreement.terms_sha256,
    }


def _control(state: ControlState) -> dict[str, Any]:
    return {**state.__dict__, "offered": state.offered.isoformat() if state.offered else None,
            "record": state.record.model_dump(mode="json") if state.record is not None else None}


def _read_control(data: dict[str, Any]) -> ControlState:
    record = data.get("record")
    return ControlState(**{**data, "offered": date.fromisoformat(data["offered"]) if data["offered"] else None,
                           "record": _record(record) if record is not None else None})


def _record(data: dict[str, Any]) -> ControlDecision:
    """A control's long-form entry as it was recorded (dates back to dates, nothing re-validated)."""
    dates = {k: date.fromisoformat(v) for k, v in data.items()
             if k in ("offered", "date_declined", "review_by", "attestation") and v}
    return ControlDecision.model_construct(**{**data, **dates})


def agreement_json(agreement: Agreement) -> bytes:
    """The content model file's bytes: deterministic, readable, one key per line."""
    return (dumps(agreement_data(agreement), indent=1) + "\n").encode("utf-8")


# -- reading -----------------------------------------------------------------------------------

def _read_inline(data: dict[str, Any]) -> Inline:
    if "text" in data:
        return Text(str(data["text"]), bool(data.get("bold")), bool(data.get("italic")), bool(data.get("caps")))
    if "ref" in data:
        return Ref(str(data["ref"]), str(data.get("label", "")))
    if data.get("break"):
        return LineBreak()
    raise ValueError(f"unknown inline {sorted(data)}")


def _read_inlines(items: list[dict[str, Any]]) -> tuple[Inline, ...]:
    return tuple(_read_inline(i) for i in items)


def _read_block(data: dict[str, Any]) -> Block:
    if "paragraph" in data:
        return Paragraph(_read_inlines(data["paragraph"]), bool(data.get("conspicuous")))
    if "heading" in data:
        return Heading(int(data["level"]), _read_inlines(data["heading"]))
    if "list" in data:
        return ListBlock(bool(data["ordered"]), tuple(tuple(_read_block(b) for b in item) for item in data["list"]),
                         bool(data.get("conspicuous")))
    if "table" in data:
        table = data["table"]
        return Table(tuple(_read_inlines(c) for c in table["header"]),
                     tuple(tuple(_read_inlines(c) for c in row) for row in table["rows"]))
    raise ValueError(f"unknown block {sorted(data)}")


def clause_from_data(data: dict[str, Any]) -> Clause:
    return Clause(slot=data["slot"], key=data["key"], variant=data["variant"], version=data["version"],
                  status=data["status"], title=data["title"], sha256=data["sha256"], path=data["path"],
                  reason=data["reason"], blocks=tuple(_read_block(b) for b in data["blocks"]))


def _facts(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "signatory": Signatory.model_construct(**data["signatory"])}


def agreement_from_data(data: Any, *, where: str) -> Agreement:
    """Rebuild an Agreement from its content model; a malformed file is our error, naming it."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise RenderError(f"not an agreement content model (format {found!r})", file=where, field="format",
                          allowed=(FORMAT,))
    try:
        return Agreement(
            id=data["id"], title=data["title"], effective_date=date.fromisoformat(data["effective_date"]),
            as_of=date.fromisoformat(data["as_of"]), allow_drafts=bool(data["allow_drafts"]),
            client=ClientDetails.model_construct(**_facts(data["client"])), tier=data["tier"],
            industry=data["industry"], provider=Provider.model_construct(**_facts(data["provider"])),
            provenance=Provenance(**data["provenance"]),
            params=tuple(ResolvedParam(**p) for p in data["params"]),
            controls=tuple(_read_control(c) for c in data["controls"]),
            left_out=tuple(LeftOut(**c) for c in data["left_out"]),
            preamble=clause_from_data(data["preamble"]),
            articles=tuple(Article(a["number"], a["title"],
                                   tuple(Section(s["number"], clause_from_data(s)) for s in a["sections"]))
                           for a in data["articles"]),
            signature=clause_from_data(data["signature"]),
            schedules=tuple(Schedule(s["letter"], clause_from_data(s)) for s in data["schedules"]),
            source=data["source"], review_notes=tuple(data.get("review_notes", ())),
            terms_sha256=data.get("terms_sha256", ""),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RenderError(f"the agreement content model is damaged: {type(exc).__name__}: {exc}"[:300],
                          file=where) from None


def read_agreement_json(path: Path | str) -> Agreement:
    """Read a `<slug>-agreement.json` file."""
    where = str(path)
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8"))
    except OSError as exc:
        raise RenderError(f"cannot read the agreement content model: {exc.strerror}", file=where) from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise RenderError(f"the agreement content model is not valid JSON ({type(exc).__name__})", file=where) from None
    return agreement_from_data(data, where=where)
