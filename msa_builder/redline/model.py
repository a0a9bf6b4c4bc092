"""A redline as data: paragraphs and tables whose pieces are kept, inserted, deleted or moved.

One diff of two versions is shown through a *view*, which says what each diff operation becomes:
- `REDLINE`: kept text stays, deletions and insertions are revisions;
- `CLEAN`: the new version alone, no revisions (the "clean view" copy);
- `MOVED_FROM` / `MOVED_TO`: the two places of a moved section. The source shows the old text as
  moved away (words the new version dropped as deleted); the target shows the new text as moved
  in (words the new version added as inserted). Accept All then gives the new section at its new
  place, Reject All the old one at its old place.
The text, HTML and Word writers all consume the result, so they agree on what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..blocks import LineBreak, Ref, Text
from .flat import FlatInline, FlatItem, FlatPara, FlatTable, Label, flat_text
from .worddiff import DiffOp, Op, Token, diff_keys, diff_tokens, inline_tokens, item_tokens

EQ, DEL, INS, MOVE_FROM, MOVE_TO = "eq", "del", "ins", "moveFrom", "moveTo"



@dataclass(frozen=True)
class View:
    """What each diff operation becomes (None: left out), and which version unchanged text is from."""

    eq: str
    deleted: str | None
    inserted: str | None
    old_side: bool = False  # unchanged text shown as the old version has it (a move's source)
    formatting: bool = False  # show format-only changes as revisions

    def __getitem__(self, op: Op) -> str | None:
        return self.eq if op == "eq" else self.deleted if op == "del" else self.inserted


REDLINE = View(EQ, DEL, INS, formatting=True)
CLEAN = View(EQ, None, EQ)
MOVED_FROM = View(MOVE_FROM, DEL, None, old_side=True)
MOVED_TO = View(MOVE_TO, None, INS)

KEPT_ON_ACCEPT = (EQ, INS, MOVE_TO)
KEPT_ON_REJECT = (EQ, DEL, MOVE_FROM)


@dataclass(frozen=True)
class Piece:
    """Inline content with what happened to it; `was` is the old (bold, italic) of restyled text."""

    kind: str
    inline: FlatInline
    was: tuple[bool, bool] | None = None


@dataclass(frozen=True)
class TrackedPara:
    """A paragraph of the redline: its pieces and what happened to its paragraph mark.

    `para` is the paragraph whose mark this is (new side unless the mark was deleted); `was` is the
    old paragraph for a kept mark, so its list can be matched and a format change shown.
    """

    pieces: tuple[Piece, ...]
    mark: str
    para: FlatPara
    was: FlatPara | None = None

    @property
    def changed(self) -> bool:
        return self.mark != EQ or any(p.kind != EQ or p.was is not None for p in self.pieces) or (
            self.was is not None and self.was.format != self.para.format)


@dataclass(frozen=True)
class TrackedRow:
    kind: str  # eq | del | ins (a moved table's rows are deleted or inserted)
    cells: tuple[tuple[Piece, ...], ...]


@dataclass(frozen=True)
class TrackedTable:
    table: FlatTable  # the new version's table (the old one's if it was deleted): style and widths
    header: TrackedRow | None
    rows: tuple[TrackedRow, ...]

    @property
    def changed(self) -> bool:
        rows = ([self.header] if self.header else []) + list(self.rows)
        return any(r.kind != EQ or any(p.kind != EQ or p.was is not None for c in r.cells for p in c) for r in rows)


Tracked = Union[TrackedPara, TrackedTable]
_ROW_KIND = {MOVE_FROM: DEL, MOVE_TO: INS}


def track(old: tuple[FlatItem, ...], new: tuple[FlatItem, ...], view: View = REDLINE) -> list[Tracked]:
    """Diff two sequences of paragraphs and tables and lay the result out through `view`."""
    return _build(diff_tokens(item_tokens(old), item_tokens(new)), view)


def _piece(token: Token, kind: str, was: tuple[bool, bool] | None = None) -> list[Piece]:
    out = []
    if token.space:
        out.append(Piece(kind, Text(token.space, *token.space_format)))
    if token.kind == "word" and token.text:
        out.append(Piece(kind, Text(token.text, token.bold, token.italic), was))
    elif token.kind == "ref":
        assert token.target is not None
        out.append(Piece(kind, Ref(token.target, token.text)))
    elif token.kind == "label":
        assert token.target is not None
        out.append(Piece(kind, Label(token.target, token.text)))
    elif token.kind == "br":
        out.append(Piece(kind, LineBreak()))
    return out


def _shown(op: Op, a: Token | None, b: Token | None, view: View) -> Token:
    token = a if op == "del" or (op == "eq" and view.old_side) else b
    assert token is not None
    return token


def _pieces(ops: list[DiffOp], view: View) -> list[Piece]:
    """Inline pieces of the tokens between two paragraph marks (or of a table cell)."""
    out: list[Piece] = []
    for op, a, b in ops:
        kind = view[op]
        if kind is None:
            continue
        token = _shown(op, a, b, view)
        was = a.format if op == "eq" and view.formatting and a is not None and a.format != token.format else None
        out += _piece(token, kind, was)
    return out


def _build(ops: list[DiffOp], view: View) -> list[Tracked]:
    out: list[Tracked] = []
    pending: list[DiffOp] = []
    for op, a, b in ops:
        if view[op] is None:
            continue
        token = _shown(op, a, b, view)
        if token.kind == "mark":
            kind = view[op]
            assert kind is not None and token.para is not None
            was = a.para if op == "eq" and view.formatting and a is not None else None
            pieces = _pieces(pending, view)
            if token.space:
                pieces += [Piece(kind, Text(token.space, *token.space_format))]
            out.append(TrackedPara(tuple(pieces), kind, token.para, was))
            pending = []
        elif token.kind == "table":
            # Words still open here belong to a paragraph of the other version only (the table was
            # inserted into, or deleted from, the middle of where that paragraph stands), so the two
            # commute: the table goes first and the paragraph continues after it.
            assert all(o not in ("eq", op) for o, _, _ in pending), "a table cannot stand inside a paragraph"
            out.append(_table(op, a, b, view))
        else:
            pending.append((op, a, b))
    assert not pending, "a token stream ends with a paragraph mark or a table"
    return out


def _cell_pieces(old: tuple[FlatInline, ...], new: tuple[FlatInline, ...], view: View) -> tuple[Piece, ...]:
    a, _, _ = inline_tokens(old)
    b, _, _ = inline_tokens(new)
    return tuple(_pieces(diff_tokens(a, b), view))


def _row(kind: str, old: tuple[tuple[FlatInline, ...], ...], new: tuple[tuple[FlatInline, ...], ...],
         view: View) -> TrackedRow:
    return TrackedRow(_ROW_KIND.get(kind, kind), tuple(_cell_pieces(o, n, view) for o, n in zip(old, new, strict=True)))


def _whole(table: FlatTable, op: Op, view: View) -> TrackedTable:
    """A table that only one version has: every row inserted or deleted."""
    kind = view[op]
    assert kind is not None
    empty: tuple[FlatInline, ...] = ()

    def row(cells: tuple[tuple[FlatInline, ...], ...]) -> TrackedRow:
        old = cells if op == "del" else tuple(empty for _ in cells)
        new = cells if op == "ins" else tuple(empty for _ in cells)
        return _row(kind, old, new, view)

    return TrackedTable(table, row(table.header) if table.header else None, tuple(row(r) for r in table.rows))


def _table(op: Op, a: Token | None, b: Token | None, view: View) -> TrackedTable:
    if op != "eq":
        token = a if op == "del" else b
        assert token is not None and token.table is not None
        return _whole(token.table, op, view)
    assert a is not None and b is not None and a.table is not None and b.table is not None
    old, new = a.table, b.table
    header = _row(view.eq, old.header, new.header, view) if new.header else None
    rows: list[TrackedRow] = []
    i = j = 0
    keys_old = ["\x1e".join(flat_text(c) for c in r) for r in old.rows]
    keys_new = ["\x1e".join(flat_text(c) for c in r) for r in new.rows]
    runs = diff_keys(keys_old, keys_new, semantic=False)
    index = 0
    while index < len(runs):
        op_run, count = runs[index]
        if op_run == "eq":
            rows += [_row(view.eq, old.rows[i + k], new.rows[j + k], view) for k in range(count)]
            i, j, index = i + count, j + count, index + 1
            continue
        deleted = inserted = 0
        while index < len(runs) and runs[index][0] != "eq":
            if runs[index][0] == "del":
                deleted += runs[index][1]
            else:
                inserted += runs[index][1]
            index += 1
        rows += _region(old.rows[i:i + deleted], new.rows[j:j + inserted], view)
        i, j = i + deleted, j + inserted
    return TrackedTable(old if view.old_side else new, header, tuple(rows))


def _region(old_rows: tuple[tuple[tuple[FlatInline, ...], ...], ...],
            new_rows: tuple[tuple[tuple[FlatInline, ...], ...], ...], view: View) -> list[TrackedRow]:
    """Changed rows: a row whose first cell is unchanged is the same row edited, others come and go."""
    out: list[TrackedRow] = []
    used = 0
    for row in new_rows:
        match = next((k for k in range(used, len(old_rows))
                      if len(old_rows[k]) == len(row) and row and flat_text(old_rows[k][0]) == flat_text(row[0])),
                     None)
        if match is None:
            if view.inserted is not None:
                out.append(_row(view.inserted, tuple(() for _ in row), row, view))
            continue
        for k in range(used, match):
            if view.deleted is not None:
                out.append(_row(view.deleted, old_rows[k], tuple(() for _ in old_rows[k]), view))
        out.append(_row(view.eq, old_rows[match], row, view))
        used = match + 1
    for k in range(used, len(old_rows)):
        if view.deleted is not None:
            out.append(_row(view.deleted, old_rows[k], tuple(() for _ in old_rows[k]), view))
    return out
