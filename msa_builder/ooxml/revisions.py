"""Tracked changes: insertions, deletions, moves and formatting changes as Word revisions.

Word keeps a redline as ordinary content wrapped in revision elements, each naming an author and
a date: `w:ins` and `w:del` around runs (deleted text is `w:delText`, not `w:t`), `w:moveFrom` and
`w:moveTo` for moved text between named range markers, a revision inside a paragraph mark's run
properties when the paragraph break itself was inserted or deleted (that is how two paragraphs are
joined or one is split), `w:ins`/`w:del` in a table row's properties for a whole row, and
`w:pPrChange`/`w:rPrChange` holding the old properties when only formatting changed. Accept All
keeps insertions and move targets and drops deletions and move sources; Reject All does the
opposite. Word and LibreOffice both implement these elements, so the attorney's Accept/Reject
buttons work on our output.
"""

from __future__ import annotations

from datetime import date

from .xml import esc

INS = "ins"
DEL = "del"
MOVE_FROM = "moveFrom"
MOVE_TO = "moveTo"
RUN_KINDS = (INS, DEL, MOVE_FROM, MOVE_TO)
_REMOVED = (DEL, MOVE_FROM)  # text that Accept All removes, so it is written as w:delText


class Revisions:
    """Writes the revision elements of one document: one author, one date, unique ids.

    The date comes from the inputs (a clause version's effective date, a build's as-of date),
    never the clock, so the same redline is the same bytes. Ids are shared with bookmarks, which
    Word also numbers with `w:id`, so no two annotations of a document ever collide.
    """

    def __init__(self, author: str, when: date) -> None:
        self.author = author
        self.date = f"{when.isoformat()}T00:00:00Z"
        self._next = 0

    def next_id(self) -> int:
        self._next += 1
        return self._next

    def _attrs(self) -> str:
        return f'w:id="{self.next_id()}" w:author="{esc(self.author)}" w:date="{self.date}"'

    def wrap(self, kind: str, runs: str) -> str:
        """Runs inserted, deleted or moved: `<w:ins ...>runs</w:ins>` and so on."""
        if kind not in RUN_KINDS:
            raise ValueError(f"not a run revision: {kind!r}")
        return f"<w:{kind} {self._attrs()}>{runs}</w:{kind}>"

    def paragraph_mark(self, kind: str) -> str:
        """The `w:rPr` for a paragraph's `w:pPr` when the paragraph break itself is a revision.

        A deleted mark joins the paragraph to the next one when accepted; an inserted mark splits
        one paragraph into two.
        """
        if kind not in RUN_KINDS:
            raise ValueError(f"not a paragraph-mark revision: {kind!r}")
        return f"<w:rPr><w:{kind} {self._attrs()}/></w:rPr>"

    def row(self, kind: str) -> str:
        """A whole table row inserted or deleted, for the end of its `w:trPr`."""
        if kind not in (INS, DEL):
            raise ValueError(f"a table row can only be inserted or deleted, not {kind!r}")
        return f"<w:{kind} {self._attrs()}/>"

    def paragraph_change(self, old_properties: str) -> str:
        """The old paragraph properties of a paragraph whose style or list level changed."""
        return f"<w:pPrChange {self._attrs()}><w:pPr>{old_properties}</w:pPr></w:pPrChange>"

    def run_change(self, old_properties: str) -> str:
        """The old run properties (last child of `w:rPr`) of text whose formatting changed."""
        return f"<w:rPrChange {self._attrs()}><w:rPr>{old_properties}</w:rPr></w:rPrChange>"

    def move_range(self, kind: str, name: str) -> tuple[str, str]:
        """Start and end markers around a moved passage; source and target share the `name`."""
        if kind not in (MOVE_FROM, MOVE_TO):
            raise ValueError(f"not a move: {kind!r}")
        rid = self.next_id()
        start = (f'<w:{kind}RangeStart w:id="{rid}" w:author="{esc(self.author)}" w:date="{self.date}" '
                 f'w:name="{esc(name)}"/>')
        return start, f'<w:{kind}RangeEnd w:id="{rid}"/>'


def text_run(text: str, properties: str = "", *, kind: str | None = None) -> str:
    """A run of text; inside a deletion or a move source its text must be `w:delText`."""
    tag = "w:delText" if kind in _REMOVED else "w:t"
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    parts = []
    for i, line in enumerate(text.split("\n")):
        if i:
            parts.append("<w:br/>")
        if line:
            parts.append(f'<{tag} xml:space="preserve">{esc(line)}</{tag}>')
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


def tracked_paragraph(content: str, properties: str = "", *, mark: str = "", change: str = "") -> str:
    """A paragraph whose properties end with a mark revision and/or a property change, in schema order."""
    inner = properties + mark + change
    ppr = f"<w:pPr>{inner}</w:pPr>" if inner else ""
    return f"<w:p>{ppr}{content}</w:p>"
