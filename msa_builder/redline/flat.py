"""The flat form of a clause's blocks that diffs work on: a sequence of paragraphs and tables.

Nested lists become paragraphs with a list level and the identity of their list, exactly as the
Word writer lays them out (render/wordml.py), so the diff compares what the reader sees: a
paragraph's words and its format. List labels ((a), (b)...) and section numbers are not text here;
Word draws them, which is why renumbering never shows up as a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..blocks import Block, Heading, LineBreak, ListBlock, Paragraph, Ref, Table, Text, inline_text
from ..ooxml.layout import LEVEL_STEP, LIST_INDENT


@dataclass(frozen=True)
class Label:
    """A schedule's own label ("Schedule C") in its heading: numbering, compared by slot, not text."""

    slot: str
    text: str


FlatInline = Union[Text, Ref, LineBreak, Label]


@dataclass(frozen=True)
class ParaFormat:
    """What a paragraph looks like, compared between versions (a change is a formatting revision)."""

    style: str
    level: int | None = None  # list level (w:ilvl) of a list item
    numbered: bool = False  # an ordered list item, (a) (b); otherwise a bullet
    indent: int | None = None  # left indent of a paragraph continuing a list item
    keep_next: bool = False


@dataclass(frozen=True)
class FlatPara:
    format: ParaFormat
    inlines: tuple[FlatInline, ...]
    list_id: str | None = None  # the ordered list this item belongs to, unique within one side
    bookmark: str | None = None  # the slot whose heading this is (cross-references point here)


@dataclass(frozen=True)
class FlatTable:
    header: tuple[tuple[FlatInline, ...], ...]
    rows: tuple[tuple[tuple[FlatInline, ...], ...], ...]
    style: str = "MsaTable"
    cell_style: str = "TableText"


FlatItem = Union[FlatPara, FlatTable]


def flat_text(inlines: tuple[FlatInline, ...]) -> str:
    """The visible text of a paragraph or cell."""
    return "".join(i.text if isinstance(i, Label) else inline_text((i,)) for i in inlines)


class _Lists:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.count = 0

    def new(self) -> str:
        self.count += 1
        return f"{self.prefix}L{self.count}"


def flatten(blocks: tuple[Block, ...], *, style: str = "BodyText", prefix: str = "") -> tuple[FlatItem, ...]:
    """Blocks as paragraphs and tables, in the order and format the Word writer gives them.

    `prefix` makes list identities unique when several clauses share one diff (one per side and unit).
    """
    out: list[FlatItem] = []
    _blocks(blocks, style, 0, _Lists(prefix), out)
    return tuple(out)


def _blocks(blocks: tuple[Block, ...], style: str, depth: int, lists: _Lists, out: list[FlatItem]) -> None:
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(FlatPara(ParaFormat(style), block.inlines))
        elif isinstance(block, Heading):
            out.append(FlatPara(ParaFormat("Heading3", keep_next=True), block.inlines))
        elif isinstance(block, ListBlock):
            _list(block, depth, lists, out)
        elif isinstance(block, Table):
            out.append(FlatTable(block.header, block.rows))


def _list(block: ListBlock, depth: int, lists: _Lists, out: list[FlatItem]) -> None:
    list_id = lists.new() if block.ordered else None
    item_format = ParaFormat("ClauseList" if block.ordered else "ListBullet", level=depth, numbered=block.ordered)
    for item in block.items:
        first, rest = (item[0], item[1:]) if item and isinstance(item[0], Paragraph) else (None, item)
        if isinstance(first, Paragraph):
            out.append(FlatPara(item_format, first.inlines, list_id=list_id))
        for inner in rest:
            if isinstance(inner, ListBlock):
                _list(inner, depth + 1, lists, out)
            elif isinstance(inner, Paragraph):
                out.append(FlatPara(ParaFormat("BodyText", indent=LIST_INDENT + LEVEL_STEP * depth), inner.inlines))
            else:
                _blocks((inner,), "BodyText", depth + 1, lists, out)
