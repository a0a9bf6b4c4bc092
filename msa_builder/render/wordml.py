"""Blocks to WordprocessingML: the one place our document model meets Word's XML.

Cross-references become REF fields to bookmarks on the target heading, with the number we
computed as the cached result: the text is right as delivered, and Word or LibreOffice keep it
right when an attorney inserts a section and updates fields.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..blocks import Block, Heading, Inline, LineBreak, ListBlock, Paragraph, Ref, Table, Text, inline_text
from ..ooxml.fields import ref as ref_field
from ..ooxml.layout import LEVEL_STEP, LIST_INDENT, bookmark_name, text_column_widths
from ..ooxml.numbering import BULLET_NUM, NumberingPlan
from ..ooxml.tables import table
from ..ooxml.text import line_break, paragraph, run, run_properties

def table_widths(block: Table) -> list[int]:
    """Column widths for a table block (see ooxml.layout.text_column_widths)."""
    return text_column_widths([[inline_text(c) for c in row] for row in (block.header, *block.rows)])


class WordWriter:
    """Writes blocks for one document, handing out list-numbering instances and bookmark ids."""

    def __init__(self, targets: Mapping[str, str] | None = None) -> None:
        self.numbering = NumberingPlan()
        self.targets = dict(targets or {})  # slot -> label ("Section 3.2" / "Schedule C")
        self._bookmark = 0

    def next_bookmark(self) -> int:
        self._bookmark += 1
        return self._bookmark

    def inlines(self, inlines: tuple[Inline, ...], *, bold: bool = False, highlight: bool = False,
                conspicuous: bool = False) -> str:
        out = []
        for item in inlines:
            if isinstance(item, Text):
                out.append(run(item.text, bold=bold or item.bold, italic=item.italic, highlight=highlight,
                               caps=item.caps))
            elif isinstance(item, Ref):
                out.append(self.reference(item, conspicuous=conspicuous))
            elif isinstance(item, LineBreak):
                out.append(line_break())
        return "".join(out)

    def reference(self, item: Ref, *, conspicuous: bool = False) -> str:
        kind, _, number = item.label.partition(" ")
        rpr = run_properties(bold=True, caps=True) if conspicuous else ""
        if kind == "Section":
            return (run("Section ", bold=conspicuous, caps=conspicuous)
                    + ref_field(bookmark_name(item.target), number, number=True, rpr=rpr))
        return ref_field(bookmark_name(item.target), item.label, number=False, rpr=rpr)

    def blocks(self, blocks: tuple[Block, ...], *, style: str = "BodyText", depth: int = 0) -> str:
        out = []
        for block in blocks:
            if isinstance(block, Paragraph):
                out.append(paragraph(self.inlines(block.inlines, conspicuous=block.conspicuous), style=style))
            elif isinstance(block, Heading):
                out.append(paragraph(self.inlines(block.inlines), style="Heading3", keep_next=True))
            elif isinstance(block, ListBlock):
                out.append(self.list_block(block, depth))
            elif isinstance(block, Table):
                out.append(self.table(block))
        return "".join(out)

    def list_block(self, block: ListBlock, depth: int) -> str:
        out = []
        num_id = self.numbering.new_ordered(depth) if block.ordered else BULLET_NUM
        style = "ClauseList" if block.ordered else "ListBullet"
        for item in block.items:
            first, rest = (item[0], item[1:]) if item and isinstance(item[0], Paragraph) else (None, item)
            if first is not None:
                out.append(paragraph(self.inlines(first.inlines, conspicuous=first.conspicuous), style=style,
                                     num=(num_id, depth)))
            for inner in rest:
                if isinstance(inner, ListBlock):
                    out.append(self.list_block(inner, depth + 1))
                elif isinstance(inner, Paragraph):
                    out.append(paragraph(self.inlines(inner.inlines, conspicuous=inner.conspicuous), style="BodyText",
                                         indent_left=LIST_INDENT + LEVEL_STEP * depth))
                else:
                    out.append(self.blocks((inner,), depth=depth + 1))
        return "".join(out)

    def table(self, block: Table, *, shaded_rows: tuple[int, ...] = ()) -> str:
        columns = max([len(block.header)] + [len(r) for r in block.rows])
        widths = table_widths(block)

        def cell(inlines: tuple[Inline, ...], bold: bool = False) -> str:
            return paragraph(self.inlines(inlines, bold=bold), style="TableText")

        header = [cell(c, bold=True) for c in block.header]
        rows = [[cell(r[i]) if i < len(r) else cell(()) for i in range(columns)] for r in block.rows]
        return table(header, rows, widths, shaded_rows=shaded_rows)
