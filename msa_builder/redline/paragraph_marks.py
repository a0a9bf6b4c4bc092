"""Where a kept paragraph mark may stand, so LibreOffice's Reject All does not glue paragraphs.

Word keeps each revision where it is written. LibreOffice (seen with 7.4), reading the same markup,
merges two insertions by the same author and time when one ends a paragraph and the other starts
the next,
and the paragraph mark between them, which our diff kept, becomes part of the merged insertion:
Reject All then deletes it and glues the two paragraphs ("…for the Client.The Parties shall
review…"). It happens wherever a kept mark has inserted text on both sides, typically a list item
whose ending changed ("Client{-.-}{+;+}") followed by new items.

So no kept mark is written between two insertions:
- when whole paragraphs are inserted after it, the kept mark moves to the last of them and the
  mark of the paragraph it left is the inserted one. That is how Word itself records typing Enter
  at the end of a paragraph, and both readers then reject the new paragraphs as one insertion;
- otherwise (the next paragraph keeps some text, or a new unit follows) the paragraph's inserted
  ending becomes a paragraph of its own with an inserted mark, after the old paragraph whose
  original mark is shown as deleted: one deletion and one insertion, which neither reader merges.
Accept All and Reject All give the same text either way, by Word's rules and LibreOffice's.

A moved paragraph's mark is written as deleted at the source and inserted at the target, while
its text stays a move: LibreOffice ignores `w:moveFrom`/`w:moveTo` on a paragraph mark, and
Accept All or Reject All then left an empty paragraph for every moved one. Accept All and Reject
All do to a deleted (inserted) mark what they do to a moved-away (moved-here) one.
"""

from __future__ import annotations

from .model import DEL, EQ, INS, MOVE_FROM, MOVE_TO, Tracked, TrackedPara

_MARK_REVISION = {MOVE_FROM: DEL, MOVE_TO: INS}
_INSERTING = (INS, MOVE_TO)


def mark_revision(kind: str) -> str:
    """The revision a paragraph mark of this kind is written as (a moved mark as deleted or inserted)."""
    return _MARK_REVISION.get(kind, kind)


def starts_inserted(items: list[Tracked]) -> bool:
    """Whether the first of `items` begins with inserted text (or is an inserted empty paragraph)."""
    return bool(items) and _begins_inserted(items[0])


def _begins_inserted(item: Tracked) -> bool:
    if not isinstance(item, TrackedPara):
        return False  # a table: LibreOffice never merges across one
    return item.pieces[0].kind in _INSERTING if item.pieces else item.mark in _INSERTING


def keep_marks_apart(items: list[Tracked], *, then_inserted: bool = False) -> list[Tracked]:
    """The same redline with no kept paragraph mark between two insertions.

    `then_inserted` says whether what is written after `items` starts with an insertion.
    """
    out = list(items)
    index = 0
    while index < len(out):
        item = out[index]
        following = _begins_inserted(out[index + 1]) if index + 1 < len(out) else then_inserted
        if not (isinstance(item, TrackedPara) and item.mark == EQ and _ends_inserted(item) and following):
            index += 1
            continue
        last = _last_inserted(out, index)
        if last > index and _movable(item):
            target = out[last]
            assert isinstance(target, TrackedPara)
            out[index] = TrackedPara(item.pieces, INS, item.para)
            out[last] = TrackedPara(target.pieces, EQ, target.para, item.was or item.para)
            index = last  # the mark's new place may stand before another insertion
            continue
        out[index:index + 1] = _split(item)
        index += 2
    return out


def _ends_inserted(item: TrackedPara) -> bool:
    return bool(item.pieces) and item.pieces[-1].kind == INS


def _last_inserted(items: list[Tracked], index: int) -> int:
    """The last of the wholly inserted paragraphs right after `index` (`index` itself if none)."""
    last = index
    while last + 1 < len(items):
        item = items[last + 1]
        if not (isinstance(item, TrackedPara) and item.mark == INS and all(p.kind == INS for p in item.pieces)):
            break
        last += 1
    return last


def _movable(item: TrackedPara) -> bool:
    # Rejecting the merged insertion, LibreOffice keeps the properties of the paragraph it started in,
    # so that paragraph must look as it did; a paragraph whose format changed keeps its own mark.
    return item.was is None or item.was.format == item.para.format


def _split(item: TrackedPara) -> list[Tracked]:
    start = len(item.pieces)
    while start > 0 and item.pieces[start - 1].kind == INS:
        start -= 1
    old = item.was or item.para
    return [TrackedPara(item.pieces[:start], DEL, old), TrackedPara(item.pieces[start:], INS, item.para)]
