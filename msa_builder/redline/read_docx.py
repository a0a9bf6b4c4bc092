"""Reading a delivered agreement .docx back into clause-sized units of flat paragraphs.

`msa compare` of two DOCX files (a build's lock leads to its content model instead, compare.py)
works from what was actually sent, because a build's inputs (the profile, the library, the
provider file) move on after it: the very changes a comparison is meant to show are what make an
old build impossible to reproduce from its lock file. The DOCX is
our own output, so reading it back is exact: every section and schedule heading is bookmarked with
its slot (`_Ref_<slot>`, matched through the `msa.clause.*` custom properties), list items carry
their style, level and numbering instance, and cross-references are REF fields to those
bookmarks. The result is the same flat form a clause diff renders from Markdown (flat.py), and a
test checks that a built agreement reads back as exactly its rendered clauses.
"""

from __future__ import annotations

from lxml import etree

from ..blocks import LineBreak, Ref, Text
from ..errors import RenderError
from ..ooxml.package import read_parts
from ..ooxml.props import read_custom
from ..ooxml.xml import W_NS
from ..ooxml.layout import LEVEL_STEP, LIST_INDENT, bookmark_name
from ..ooxml.styles import SHELL_STYLES, canonical_style
from .document import CLAUSE_PREFIX, AgreementDocument, Unit
from .flat import FlatInline, FlatItem, FlatPara, FlatTable, Label, ParaFormat

W = f"{{{W_NS}}}"


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
        raise RenderError("not a readable Word document (its document part has no body)", file=where)
    try:
        reader = _Reader(slots, _style_names(parts.get("word/styles.xml")), _bullets(parts.get("word/numbering.xml")))
        return AgreementDocument(where, properties, tuple(_units(body, slots, reader)))
    except (ValueError, etree.XMLSyntaxError) as exc:
        raise RenderError(f"not a readable agreement ({exc})", file=where) from None


def _style_names(xml: bytes | None) -> dict[str, str]:
    """styleId -> name: Word and LibreOffice may rename ids on save, never the names."""
    if not xml:
        return {}
    out = {}
    for style in etree.fromstring(xml).iter(f"{W}style"):
        name = style.find(f"{W}name")
        out[style.get(f"{W}styleId", "")] = name.get(f"{W}val", "") if name is not None else ""
    return out


def _bullets(xml: bytes | None) -> set[tuple[str, str]]:
    """(numId, level) pairs that draw bullets rather than numbers, read from the numbering part.

    The numbering instances' ids are renumbered when Word or LibreOffice saves a file, so a bullet
    is known by its format, not by the id our writer gave it.
    """
    if not xml:
        return set()
    root = etree.fromstring(xml)
    bullet_levels: dict[str, set[str]] = {}
    for abstract in root.iter(f"{W}abstractNum"):
        levels = {lvl.get(f"{W}ilvl", "0") for lvl in abstract.iter(f"{W}lvl")
                  if _val(lvl, "numFmt") == "bullet"}
        bullet_levels[abstract.get(f"{W}abstractNumId", "")] = levels
    out = set()
    for num in root.iter(f"{W}num"):
        abstract_id = _val(num, "abstractNumId") or ""
        out |= {(num.get(f"{W}numId", ""), level) for level in bullet_levels.get(abstract_id, set())}
    return out


class _Reader:
    def __init__(self, slots: list[str], style_names: dict[str, str], bullets: set[tuple[str, str]]) -> None:
        self.by_bookmark = {bookmark_name(s): s for s in slots}
        self.style_names = style_names
        self.bullets = bullets

    def style(self, ppr: etree._Element | None) -> str:
        style_id = _val(ppr, "pStyle") or "Normal"
        return canonical_style(style_id, self.style_names.get(style_id))

    def paragraph(self, p: etree._Element) -> FlatPara:
        ppr = p.find(f"{W}pPr")
        style = self.style(ppr)
        level = numbered = None
        list_id = None
        if ppr is not None and ppr.find(f"{W}numPr") is not None:
            level = int(_val(ppr.find(f"{W}numPr"), "ilvl") or 0)
            num_id = _val(ppr.find(f"{W}numPr"), "numId") or "0"
            numbered = (num_id, str(level)) not in self.bullets
            list_id = f"num{num_id}" if numbered else None
        indent = _list_indent(ppr)
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
                    cell_style = self.style(paragraphs[0].find(f"{W}pPr"))
                cells.append(tuple(inlines))
            is_header = tr.find(f"{W}trPr/{W}tblHeader") is not None
            if is_header and not header and not rows:
                # Header cells are bold by the writer, not by their text.
                header = tuple(tuple(Text(i.text) if isinstance(i, Text) else i for i in _merge(c)) for c in cells)
            else:
                rows.append(tuple(cells))
        return FlatTable(header, tuple(rows), style=style, cell_style=cell_style)


def _list_indent(ppr: etree._Element | None) -> int | None:
    """The left indent of a paragraph that continues a list item, as our writer sets it, else None.

    Other indents are not ours: LibreOffice, for one, writes the indent it laid a paragraph out
    with after a list, which must not read as an edit.
    """
    ind = ppr.find(f"{W}ind") if ppr is not None else None
    value = ind.get(f"{W}left") if ind is not None else None
    if value is None or not value.lstrip("-").isdigit():
        return None
    indent = int(value)
    steps, rest = divmod(indent - LIST_INDENT, LEVEL_STEP)
    return indent if steps >= 0 and rest == 0 else None


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


def _is_shell(p: etree._Element, reader: _Reader) -> bool:
    if reader.style(p.find(f"{W}pPr")) in SHELL_STYLES:
        return True
    texts = "".join(t.text or "" for t in p.iter(f"{W}t"))
    # An empty paragraph that breaks the page, or ends a section of the shell (cover and contents).
    return not texts.strip() and (p.find(f".//{W}br[@{W}type='page']") is not None
                                  or p.find(f"{W}pPr/{W}sectPr") is not None)


def _unheaded(body: etree._Element, slots: list[str], reader: _Reader) -> tuple[str, str]:
    """The preamble's and the signature page's slots: the two clauses without a bookmarked heading.

    Listed in reading order by the bill of materials; a program that sorts the properties on save
    (LibreOffice does) still lists them in that order as long as their ids sort that way, as the
    shipped `agreement.parties` and `agreement.signature` do.
    """
    headed = {reader.by_bookmark.get(b.get(f"{W}name", "")) for b in body.iter(f"{W}bookmarkStart")}
    rest = [s for s in slots if s not in headed]
    return (rest[0] if rest else "preamble"), (rest[1] if len(rest) > 1 else "signature")


def _units(body: etree._Element, slots: list[str], reader: _Reader) -> list[Unit]:
    preamble, signature = _unheaded(body, slots, reader)
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

    start(preamble, "preamble", "Preamble", "Preamble")
    for child in body:
        if child.tag == f"{W}tbl":
            items.append(reader.table(child))
            continue
        if child.tag != f"{W}p" or _is_shell(child, reader):
            continue
        para = reader.paragraph(child)
        style = para.format.style
        text = "".join(i.text for i in para.inlines if isinstance(i, (Text, Label)))
        if style == "Heading1":
            article, section = article + 1, 0
            start(f"article:{text}", "article", text, f"Article {article}")
        elif style == "Heading2" and para.bookmark:
            section += 1
            start(para.bookmark, "section", text, f"Section {article}.{section}")
        elif style == "ScheduleHeading" and para.bookmark:
            label = "".join(i.text for i in para.inlines if isinstance(i, Label))
            title = "".join(i.text for i in para.inlines if isinstance(i, Text))
            start(para.bookmark, "schedule", title, label)
        elif style == "ScheduleHeading" and current["kind"] in ("preamble", "article", "section"):
            # The signature page's heading comes from the shell, unbookmarked.
            start(signature, "signature", text, "Signatures")
        items.append(para)
    close()
    return [u for u in units if u.items or u.kind != "preamble"]
