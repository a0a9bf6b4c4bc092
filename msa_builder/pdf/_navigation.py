"""Bookmarks and page labels as PDF objects, added to a finishing's `Splice`.

pypdf's writer builds these only inside its own full rewrite; the splice needs them as plain
objects. Each bookmark jumps straight to its page (`/Dest [page /Fit]`), and every level is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from ._splice import Splice


@dataclass
class Bookmark:
    """One bookmark to write: its title, the page index it opens, and the bookmarks under it."""

    title: str
    page: int
    children: list[Bookmark] = field(default_factory=list)

    def visible(self) -> int:
        """How many bookmarks show under this one with every level open (the PDF's /Count)."""
        return sum(1 + child.visible() for child in self.children)


def add_outline(splice: Splice, bookmarks: Sequence[Bookmark]) -> None:
    """Make `bookmarks` the document's outline (the catalog's /Outlines)."""
    if not bookmarks:
        return
    root = DictionaryObject({NameObject("/Type"): NameObject("/Outlines")})
    root_ref = splice.add(root)
    _link(splice, root, root_ref, bookmarks)
    root[NameObject("/Count")] = NumberObject(sum(1 + b.visible() for b in bookmarks))
    splice.root[NameObject("/Outlines")] = root_ref


def _link(splice: Splice, parent: DictionaryObject, parent_ref: Any, children: Sequence[Bookmark]) -> None:
    pages = splice.reader.pages
    items = [DictionaryObject({
        NameObject("/Title"): TextStringObject(child.title), NameObject("/Parent"): parent_ref,
        NameObject("/Dest"): ArrayObject([pages[child.page].indirect_reference, NameObject("/Fit")]),
    }) for child in children]
    refs = [splice.add(item) for item in items]
    for index, (child, item) in enumerate(zip(children, items)):
        if index:
            item[NameObject("/Prev")] = refs[index - 1]
        if index + 1 < len(items):
            item[NameObject("/Next")] = refs[index + 1]
        if child.children:
            _link(splice, item, refs[index], child.children)
            item[NameObject("/Count")] = NumberObject(child.visible())
    parent[NameObject("/First")] = refs[0]
    parent[NameObject("/Last")] = refs[-1]


def add_page_labels(splice: Splice, ranges: Sequence[tuple[int, str | None, str | None, int]]) -> None:
    """Page labels from (first page index, style, prefix, first number) ranges, each up to the next.

    A range whose first page is past the end is left out; the first range should start at 0.
    """
    total = len(splice.reader.pages)
    chosen = {r[0]: r for r in sorted((r for r in ranges if r[0] < total), key=lambda r: r[0])}  # a later one wins
    nums = ArrayObject()
    for start, style, prefix, first in chosen.values():
        label = DictionaryObject()
        if style is not None:
            label[NameObject("/S")] = NameObject(style)
        if prefix is not None:
            label[NameObject("/P")] = TextStringObject(prefix)
        if first:
            label[NameObject("/St")] = NumberObject(first)
        nums += [NumberObject(start), label]
    if nums:
        splice.root[NameObject("/PageLabels")] = DictionaryObject({NameObject("/Nums"): nums})
