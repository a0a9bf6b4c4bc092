"""Reading a delivered agreement .docx back into clause-sized units of flat paragraphs.

`msa compare` works from what was actually sent, the DOCX of each build, because a build's inputs
(the profile, the library, the provider file) move on after it: the very changes a comparison is
meant to show are what make an old build impossible to reproduce from its lock file. The DOCX is
our own output, so reading it back is exact: every section and schedule heading is bookmarked with
its slot (`_Ref_<slot>`, matched through the `msa.clause.*` custom properties), list items carry
their style, level and numbering instance, and cross-references are REF fields to those
bookmarks. The result is the same flat form a clause diff renders from Markdown (flat.py), and a
test checks that a built agreement reads back as exactly its rendered clauses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from ..blocks import LineBreak, Ref, Text
from ..errors import RenderError
from ..ooxml.numbering import BULLET_NUM
from ..ooxml.package import read_parts
from ..ooxml.props import read_custom
from ..ooxml.xml import W_NS
from ..render.wordml import bookmark_name
from .flat import FlatInline, FlatItem, FlatPara, FlatTable, Label, ParaFormat

W = f"{{{W_NS}}}"
# The shell's cover page and table of contents: not part of the agreement's text.
SHELL_STYLES = frozenset({"Title", "Subtitle", "CoverParty", "CoverDetail", "CoverMark", "CoverNote", "TOCHeading",
                          "TOC1", "TOC2"})
CLAUSE_PREFIX = "msa.clause."


@dataclass(frozen=True)
class Unit:
    """One aligned piece of an agreement: the preamble, an article heading, a section, the
    signature page or a schedule, keyed by its slot (articles by their title)."""

    key: str
    kind: str  # preamble | article | section | signature | schedule
    title: str
    label: str  # "Section 3.4", "Schedule C", "Article 3", "Preamble", "Signatures"
    items: tuple[FlatItem, ...] = field(repr=False)

    @property
    def name(self) -> str:
        """How a summary names it: "Section 3.4 Exclusions", "Article 3 (Security)", "Preamble"."""
        if self.kind in ("section", "schedule"):
            return f"{self.label} {self.title}"
        if self.kind == "article":
            return f"{self.label} heading ({self.title})"
        return self.label


@dataclass(frozen=True)
class AgreementDocument:
    """A built agreement as read from its DOCX: bill-of-materials properties and units in order."""

    path: str
    properties: dict[str, str] = field(repr=False)
    units: tuple[Unit, ...] = field(repr=False)

    @property
    def clauses(self) -> dict[str, str]:
        """slot -> "variant@version status sha256:..." for every clause in the agreement."""
        return {k[len(CLAUSE_PREFIX):]: v for k, v in self.properties.items() if k.startswith(CLAUSE_PREFIX)}

    def version_of(self, slot: str) -> str:
        return self.clauses.get(slot, "").split(" ")[0]

    @property
    def as_of(self) -> date | None:
        try:
            return date.fromisoformat(self.properties.get("msa.as_of", ""))
        except ValueError:
            return None

    def describe(self) -> str:
        p = self.properties
        return (f"{p.get('msa.agreement_id', '?')} for {p.get('msa.client', '?')}: library "
                f"{p.get('msa.library', '?')} {p.get('msa.library_version', '?')}, clauses as of "
                f"{p.get('msa.as_of', '?')}, {p.get('msa.status', '?')}")


def read_agreement(data: bytes, *, where: str) -> AgreementDocument:
    """Read an agreement DOCX built by msa-builder; other Word files are refused."""
    try:
        parts = read_parts(data)
        root = etree.fromstring(parts["word/document.xml"])
        properties = read_custom(parts["docProps/custom.xml"]) if "docProps/custom.xml" in parts else {}
    except (KeyError, ValueError, etree.XMLSyntaxError, OSError) as exc:
        raise RenderError(f"not a readable Word document ({exc})", file=where) from None
    except Exception as exc:  # zipfile.BadZipFile and friends: the file is not a package at all
        raise RenderError(f"not a Word document: {exc}", file=where) from None
    if "msa.agreement_id" not in properties:
        raise RenderError("not an agreement built by msa-builder (it has no msa.* document properties)",
                          file=where, hint="compare two outputs of `msa build`, or their lock files")
    slots = [k[len(CLAUSE_PREFIX):] for k in properties if k.startswith(CLAUSE_PREFIX)]
    body = root.find(f"{W}body")
    if body is None:
        raise RenderError("not a readable Word document (word/document.xml has no body)", file=where)
    try:
        units = tuple(_units(body, slots))
    except ValueError as exc:  # a w:val or w:left that is not a number: edited by hand, not by Word
        raise RenderError(f"not a readable Word document ({exc})", file=where) from None
    return AgreementDocument(where, properties, units)


class _Reader:
    def __init__(self, slots: list[str]) -> None:
        self.by_bookmark = {bookmark_name(s): s for s in slots}

    def paragraph(self, p: etree._Element) -> FlatPara:
        ppr = p.find(f"{W}pPr")
        style = _val(ppr, "pStyle") or "Normal"
        level = numbered = None
        list_id = None
        if ppr is not None and ppr.find(f"{W}numPr") is not None:
            level = int(_val(ppr.find(f"{W}numPr"), "ilvl") or 0)
            num_id = int(_val(ppr.find(f"{W}numPr"), "numId") or 0)
            numbered = num_id != BULLET_NUM
            list_id = f"num{num_id}" if numbered else None
        ind = ppr.find(f"{W}ind") if ppr is not None else None
        indent = int(ind.get(f"{W}left")) if ind is not None and ind.get(f"{W}left") else None
        keep_next = ppr is not None and ppr.find(f"{W}keepNext") is not None
        inlines, bookmark = self.inlines(p, label=style == "ScheduleHeading")
        fmt = ParaFormat(style, level=level, numbered=bool(numbered), indent=indent, keep_next=keep_next)
        return FlatPara(fmt, inlines, list_id=list_id, bookmark=bookmark)

    def inlines(self, p: etree._Element, *, label: bool = False) -> tuple[tuple[FlatInline, ...], str | None]:
        """Runs as inlines: REF fields become references, a bookmarked schedule label a Label."""
        out: list[FlatInline] = []
        bookmark: str | None = None
        in_label = False
        field_state: str | None = None
        instruction, result = "", ""
        for element in p.iter(f"{W}r", f"{W}bookmarkStart", f"{W}bookmarkEnd"):
            if element.tag == f"{W}bookmarkStart":
                slot = self.by_bookmark.get(element.get(f"{W}name", ""))
                if slot is not None:
                    bookmark = slot
                    in_label = label
                continue
            if element.tag == f"{W}bookmarkEnd":
                in_label = False
                continue
            rpr = element.find(f"{W}rPr")
            bold = rpr is not None and rpr.find(f"{W}b") is not None
            italic = rpr is not None and rpr.find(f"{W}i") is not None
            for child in element:
                tag = child.tag[len(W):]
                if tag == "fldChar":
                    kind = child.get(f"{W}fldCharType")
                    if kind == "begin":
                        field_state, instruction, result = "instruction", "", ""
                    elif kind == "separate":
                        field_state = "result"
                    elif kind == "end":
                        self._field(out, instruction, result)
                        field_state = None
                elif tag == "instrText" and field_state == "instruction":
                    instruction += child.text or ""
                elif tag == "t":
                    if field_state == "result":
                        result += child.text or ""
                    elif in_label and bookmark is not None:
                        out.append(Label(bookmark, child.text or ""))
                    else:
                        _text(out, child.text or "", bold, italic)
                elif tag == "br" and field_state is None:
                    out.append(LineBreak())
                elif tag == "tab" and field_state is None:
                    _text(out, "\t", bold, italic)
        return tuple(out), bookmark

    def _field(self, out: list[FlatInline], instruction: str, result: str) -> None:
        words = instruction.split()
        target = self.by_bookmark.get(words[1]) if len(words) > 1 and words[0] == "REF" else None
        if target is None:
            _text(out, result, False, False)
            return
        label = result
        # The writer puts the word "Section " before a numbered reference (render/wordml.py).
        last = out[-1] if out else None
        if "\\w" in words and isinstance(last, Text) and last.text.endswith("Section "):
            out.pop()
            label = "Section " + result
            if last.text != "Section ":
                out.append(Text(last.text[: -len("Section ")], last.bold, last.italic))
        out.append(Ref(target, label))

    def table(self, tbl: etree._Element) -> FlatTable:
        style = _val(tbl.find(f"{W}tblPr"), "tblStyle") or "TableNormal"
        header: tuple[tuple[FlatInline, ...], ...] = ()
        rows: list[tuple[tuple[FlatInline, ...], ...]] = []
        cell_style = "TableText"
        for tr in tbl.findall(f"{W}tr"):
            cells = []
            for tc in tr.findall(f"{W}tc"):
                paragraphs = tc.findall(f"{W}p")
                inlines: list[FlatInline] = []
                for index, p in enumerate(paragraphs):
                    if index:
                        inlines.append(LineBreak())
                    inlines += self.inlines(p)[0]
                if paragraphs:
                    cell_style = _val(paragraphs[0].find(f"{W}pPr"), "pStyle") or cell_style
                cells.append(tuple(inlines))
            is_header = tr.find(f"{W}trPr/{W}tblHeader") is not None
            if is_header and not header and not rows:
                # Header cells are bold by the writer, not by their text.
                header = tuple(tuple(Text(i.text) if isinstance(i, Text) else i for i in _merge(c)) for c in cells)
            else:
                rows.append(tuple(cells))
        return FlatTable(header, tuple(rows), style=style, cell_style=cell_style)


def _val(parent: etree._Element | None, name: str) -> str | None:
    if parent is None:
        return None
    node = parent.find(f"{W}{name}")
    return None if node is None else node.get(f"{W}val")


def _text(out: list[FlatInline], text: str, bold: bool, italic: bool) -> None:
    if not text:
        return
    last = out[-1] if out else None
    if isinstance(last, Text) and (last.bold, last.italic) == (bold, italic):
        out[-1] = Text(last.text + text, bold, italic)
    else:
        out.append(Text(text, bold, italic))


def _merge(inlines: tuple[FlatInline, ...]) -> tuple[FlatInline, ...]:
    out: list[FlatInline] = []
    for item in inlines:
        if isinstance(item, Text):
            _text(out, item.text, False, False)
        else:
            out.append(item)
    return tuple(out)


def _is_shell(p: etree._Element) -> bool:
    style = _val(p.find(f"{W}pPr"), "pStyle")
    if style in SHELL_STYLES:
        return True
    texts = "".join(t.text or "" for t in p.iter(f"{W}t"))
    return not texts.strip() and p.find(f".//{W}br[@{W}type='page']") is not None


def _units(body: etree._Element, slots: list[str]) -> list[Unit]:
    reader = _Reader(slots)
    bookmarked = set()
    units: list[Unit] = []
    current: dict[str, str] = {}
    items: list[FlatItem] = []
    article = section = 0

    def close() -> None:
        if current:
            units.append(Unit(current["key"], current["kind"], current["title"], current["label"], tuple(items)))

    def start(key: str, kind: str, title: str, label: str) -> None:
        close()
        current.clear()
        current.update(key=key, kind=kind, title=title, label=label)
        items.clear()

    start(slots[0] if slots else "preamble", "preamble", "Preamble", "Preamble")
    for child in body:
        if child.tag == f"{W}tbl":
            items.append(reader.table(child))
            continue
        if child.tag != f"{W}p" or _is_shell(child):
            continue
        para = reader.paragraph(child)
        style = para.format.style
        text = "".join(i.text for i in para.inlines if isinstance(i, (Text, Label)))
        if style == "Heading1":
            article, section = article + 1, 0
            start(f"article:{text}", "article", text, f"Article {article}")
        elif style == "Heading2" and para.bookmark:
            section += 1
            bookmarked.add(para.bookmark)
            start(para.bookmark, "section", text, f"Section {article}.{section}")
        elif style == "ScheduleHeading" and para.bookmark:
            bookmarked.add(para.bookmark)
            label = "".join(i.text for i in para.inlines if isinstance(i, Label))
            title = "".join(i.text for i in para.inlines if isinstance(i, Text))
            start(para.bookmark, "schedule", title, label)
        elif style == "ScheduleHeading" and current["kind"] in ("preamble", "article", "section"):
            # The signature page's heading comes from the shell, unbookmarked; its clause is the one
            # listed right after the last section (the bill of materials is in reading order).
            after = max((slots.index(s) for s in bookmarked), default=0) + 1
            start(slots[after] if after < len(slots) else "signature", "signature", text, "Signatures")
        items.append(para)
    close()
    return [u for u in units if u.items or u.kind != "preamble"]
