"""Tracked paragraphs and tables to WordprocessingML with real revisions.

The redline's counterpart of render/wordml.py: the same styles, list numbering and cross-reference
fields as the agreement, so a redline looks like the document it compares, with every piece that
changed wrapped in the revision elements of ooxml/revisions.py.
"""

from __future__ import annotations

from ..blocks import LineBreak, Ref, Text
from ..ooxml.fields import ref as ref_field
from ..ooxml.numbering import BULLET_NUM, NumberingPlan
from ..ooxml.revisions import Revisions, text_run, tracked_paragraph
from ..ooxml.tables import table
from ..ooxml.text import bookmarked, line_break, paragraph_properties, run_properties
from ..ooxml.layout import TEXT_WIDTH, bookmark_name, text_column_widths
from .flat import FlatPara, Label, ParaFormat, flat_text
from .paragraph_marks import keep_marks_apart, mark_revision
from .model import DEL, EQ, INS, KEPT_ON_ACCEPT, MOVE_FROM, Piece, Tracked, TrackedPara, TrackedRow, TrackedTable

_OLD_SIDE = (DEL, MOVE_FROM)


class _Lists:
    """Numbering instances for a redline's ordered lists.

    An old list and the new list it became (joined by a kept paragraph) share one numbering
    instance, so its items count (a), (b), (c) correctly both after Accept All and after Reject
    All. Pairs are one-to-one: when a list was split or merged, a kept item whose list changed
    records its old instance in a paragraph-property revision instead.
    """

    def __init__(self, items: list[Tracked]) -> None:
        self.pairs: dict[tuple[str, str], tuple[str, str]] = {}
        taken: set[tuple[str, str]] = set()
        for item in items:
            if isinstance(item, TrackedPara) and item.was is not None:
                new, old = self.key(item.para, old=False), self.key(item.was, old=True)
                if new is not None and old is not None and old not in self.pairs and new not in taken:
                    self.pairs[old] = new
                    taken.add(new)

    @staticmethod
    def key(para: FlatPara, *, old: bool) -> tuple[str, str] | None:
        return ("old" if old else "new", para.list_id) if para.list_id is not None else None

    def root(self, key: tuple[str, str]) -> tuple[str, str]:
        return self.pairs.get(key, key)


class TrackedWriter:
    """Writes one redline document's body: numbering instances, bookmarks and revision ids.

    `links` are the slots whose headings are bookmarked in this document; references to them become
    REF fields as in the agreement, other references plain text (a single clause has no targets).
    """

    def __init__(self, revisions: Revisions, *, links: frozenset[str] = frozenset()) -> None:
        self.revisions = revisions
        self.numbering = NumberingPlan()
        self.links = links
        self._bookmarked: set[str] = set()

    def items(self, items: list[Tracked], *, bookmarks: bool = True, move: tuple[str, str] | None = None,
              then_inserted: bool = False) -> str:
        """Paragraphs and tables; `move` = (moveFrom|moveTo, name) marks them as one moved passage.

        `then_inserted` says whether the next thing written starts with an insertion (see paragraph_marks.py).
        """
        items = keep_marks_apart(items, then_inserted=then_inserted)
        lists = _Lists(items)
        nums: dict[tuple[str, str], int] = {}
        start, end = self.revisions.move_range(*move) if move is not None and items else ("", "")
        out = []
        for index, item in enumerate(items):
            lead = start if index == 0 else ""
            tail = end if index == len(items) - 1 else ""
            if isinstance(item, TrackedPara):
                out.append(self.paragraph(item, lists, nums, bookmarks=bookmarks, lead=lead, tail=tail))
            else:
                # Range markers may also stand between block-level elements.
                out.append(lead + self.table(item) + tail)
        return "".join(out)

    def _num(self, para: FlatPara, old: bool, lists: _Lists,
             nums: dict[tuple[str, str], int]) -> tuple[int, int] | None:
        fmt = para.format
        if fmt.level is None:
            return None
        if not fmt.numbered:
            return BULLET_NUM, fmt.level
        key = lists.key(para, old=old)
        assert key is not None
        root = lists.root(key)
        if root not in nums:
            nums[root] = self.numbering.new_ordered(fmt.level)
        return nums[root], fmt.level

    def _properties(self, fmt: ParaFormat, num: tuple[int, int] | None) -> str:
        return paragraph_properties(style=fmt.style, num=num, keep_next=fmt.keep_next, indent_left=fmt.indent)

    def paragraph(self, item: TrackedPara, lists: _Lists, nums: dict[tuple[str, str], int], *,
                  bookmarks: bool = True, lead: str = "", tail: str = "") -> str:
        para = item.para
        old_side = item.mark in _OLD_SIDE
        properties = self._properties(para.format, self._num(para, old_side, lists, nums))
        mark = self.revisions.paragraph_mark(mark_revision(item.mark)) if item.mark != EQ else ""
        change = ""
        if item.mark == EQ and item.was is not None:
            old_num = self._num(item.was, True, lists, nums)
            if item.was.format != para.format or old_num != self._num(para, old_side, lists, nums):
                change = self.revisions.paragraph_change(self._properties(item.was.format, old_num))
        bookmark = para.bookmark if bookmarks and para.bookmark and para.bookmark not in self._bookmarked else None
        label_bookmark = bookmark if bookmark and any(isinstance(p.inline, Label) for p in item.pieces) else None
        content = self.pieces(item.pieces, label_bookmark=label_bookmark)
        if bookmark is not None:
            self._bookmarked.add(bookmark)
            if label_bookmark is None:
                content = bookmarked(content, self.revisions.next_id(), bookmark_name(bookmark))
        return tracked_paragraph(lead + content + tail, properties, mark=mark, change=change)

    def pieces(self, pieces: tuple[Piece, ...], *, bold: bool = False, label_bookmark: str | None = None) -> str:
        """Runs, grouped so that each insertion or deletion is one revision element."""
        out = []
        index = 0
        while index < len(pieces):
            kind = pieces[index].kind
            end = index
            while end < len(pieces) and pieces[end].kind == kind:
                end += 1
            runs = "".join(self._runs(pieces[index:end], kind, bold, label_bookmark))
            out.append(runs if kind == EQ else self.revisions.wrap(kind, runs))
            index = end
        return "".join(out)

    def _runs(self, pieces: tuple[Piece, ...], kind: str, bold: bool, label_bookmark: str | None) -> list[str]:
        out: list[str] = []
        text: list[str] = []
        style: tuple[bool, bool, tuple[bool, bool] | None] | None = None

        def flush() -> None:
            if text and style is not None:
                props = run_properties(bold=bold or style[0], italic=style[1])
                if style[2] is not None:
                    props += self.revisions.run_change(run_properties(bold=bold or style[2][0], italic=style[2][1]))
                out.append(text_run("".join(text), props, kind=kind))
            text.clear()

        for piece in pieces:
            inline = piece.inline
            if isinstance(inline, Text):
                key = (inline.bold, inline.italic, piece.was)
                if key != style:
                    flush()
                    style = key
                text.append(inline.text)
                continue
            flush()
            style = None
            if isinstance(inline, LineBreak):
                out.append(line_break())
            elif isinstance(inline, Ref):
                out.append(self._reference(inline, kind, bold))
            elif isinstance(inline, Label):
                label = text_run(inline.text, run_properties(bold=bold), kind=kind)
                if label_bookmark is not None and kind in KEPT_ON_ACCEPT:
                    label = bookmarked(label, self.revisions.next_id(), bookmark_name(label_bookmark))
                out.append(label)
        flush()
        return out

    def _reference(self, ref: Ref, kind: str, bold: bool) -> str:
        props = run_properties(bold=bold)
        if ref.target not in self.links:
            return text_run(ref.label, props, kind=kind)
        # Deleted and moved-away references stay fields too, so Reject All gives live references back.
        deleted = kind not in KEPT_ON_ACCEPT
        word, _, number = ref.label.partition(" ")
        if word == "Section":
            return (text_run("Section ", props, kind=kind)
                    + ref_field(bookmark_name(ref.target), number, number=True, deleted=deleted))
        return ref_field(bookmark_name(ref.target), ref.label, number=False, deleted=deleted)

    def table(self, item: TrackedTable) -> str:
        fmt = item.table
        columns = max([len(fmt.header)] + [len(r) for r in fmt.rows] + [1])
        if fmt.style == "MsaTable":
            widths = text_column_widths([[flat_text(c) for c in row] for row in (fmt.header, *fmt.rows)])
        else:
            widths = [TEXT_WIDTH // columns] * columns
            widths[-1] += TEXT_WIDTH - sum(widths)

        def cells(row: TrackedRow, bold: bool = False) -> list[str]:
            # Each cell's paragraph mark is its own revision: a revision id is unique in the document.
            out = [tracked_paragraph(self.pieces(c, bold=bold), paragraph_properties(style=fmt.cell_style),
                                     mark=self.revisions.paragraph_mark(row.kind) if row.kind != EQ else "")
                   for c in row.cells]
            return out + [tracked_paragraph("", paragraph_properties(style=fmt.cell_style))] * (columns - len(out))

        def row_mark(row: TrackedRow) -> str:
            return self.revisions.row(row.kind) if row.kind in (INS, DEL) else ""

        header = cells(item.header, bold=True) if item.header else []
        return table(header, [cells(r) for r in item.rows], widths, style=fmt.style,
                     header_mark=row_mark(item.header) if item.header else "",
                     row_marks=[row_mark(r) for r in item.rows])

