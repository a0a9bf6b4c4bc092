"""Accept All and Reject All over WordprocessingML, and the text a reader then sees.

Written for the tests from the OOXML rules, independently of msa_builder's redline writer:
- run revisions: Accept keeps `w:ins`/`w:moveTo` content and drops `w:del`/`w:moveFrom`; Reject
  the opposite;
- a paragraph mark revision (`w:pPr/w:rPr/w:ins|w:del|...`): when the mark goes, the paragraph
  joins the next one, which keeps its own properties (they live on the surviving mark);
- table rows (`w:trPr/w:ins|w:del`) go or stay whole;
- `w:pPrChange`/`w:rPrChange`: Reject restores the old properties, Accept drops the record.
Text lines follow `blocks.block_lines`: list labels drawn from `w:numPr` ((a), (i), •), a table row
as its cells joined by " | ".
"""

from __future__ import annotations

import copy

from lxml import etree

from msa_builder.numbering import item_label
from msa_builder.ooxml.numbering import BULLET_NUM
from msa_builder.ooxml.package import read_parts

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
RUN_REVISIONS = ("ins", "del", "moveFrom", "moveTo")
COVER_STYLES = {"TOCHeading", "CoverParty", "RedlineNote", "RedlineSummary", "MemoHeading"}


def document(data: bytes) -> etree._Element:
    return etree.fromstring(read_parts(data)["word/document.xml"])


def _unwrap(element: etree._Element) -> None:
    parent = element.getparent()
    index = parent.index(element)
    for child in reversed(list(element)):
        parent.insert(index, child)
    parent.remove(element)


def resolve(root: etree._Element, *, accept: bool) -> etree._Element:
    """A copy of the document with every revision accepted (or rejected)."""
    root = copy.deepcopy(root)
    gone = ("del", "moveFrom") if accept else ("ins", "moveTo")
    stays = ("ins", "moveTo") if accept else ("del", "moveFrom")
    for tr in list(root.iter(f"{W}tr")):
        trpr = tr.find(f"{W}trPr")
        if trpr is None:
            continue
        if any(trpr.find(f"{W}{k}") is not None for k in gone if k in ("ins", "del")):
            tr.getparent().remove(tr)
            continue
        for k in stays:
            for marker in trpr.findall(f"{W}{k}"):
                trpr.remove(marker)
    for tag in ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd"):
        for marker in list(root.iter(f"{W}{tag}")):
            marker.getparent().remove(marker)
    for kind in RUN_REVISIONS:
        for element in list(root.iter(f"{W}{kind}")):
            parent = element.getparent()
            if parent is None or parent.tag in (f"{W}rPr", f"{W}trPr"):
                continue
            if kind in gone:
                parent.remove(element)
            else:
                _unwrap(element)
    for deleted in list(root.iter(f"{W}delText")):
        deleted.tag = f"{W}t"
    for deleted in list(root.iter(f"{W}delInstrText")):
        deleted.tag = f"{W}instrText"
    for change in list(root.iter(f"{W}pPrChange")):
        ppr = change.getparent()
        if accept:
            ppr.remove(change)
            continue
        old = change.find(f"{W}pPr")
        rpr = ppr.find(f"{W}rPr")
        for child in list(ppr):
            ppr.remove(child)
        for child in list(old if old is not None else []):
            ppr.append(child)
        if rpr is not None:
            ppr.append(rpr)
    for change in list(root.iter(f"{W}rPrChange")):
        rpr = change.getparent()
        if accept:
            rpr.remove(change)
            continue
        old = change.find(f"{W}rPr")
        for child in list(rpr):
            rpr.remove(child)
        for child in list(old if old is not None else []):
            rpr.append(child)
    for p in list(root.iter(f"{W}p")):
        rpr = p.find(f"{W}pPr/{W}rPr")
        if rpr is None:
            continue
        kinds = {child.tag[len(W):] for child in rpr if child.tag[len(W):] in RUN_REVISIONS}
        for child in list(rpr):
            if child.tag[len(W):] in RUN_REVISIONS:
                rpr.remove(child)
        if kinds & set(gone):
            _join_with_next(p)
    return root


def _join_with_next(p: etree._Element) -> None:
    """The paragraph lost its mark: its content moves to the start of the next paragraph."""
    following = p.getnext()
    while following is not None and following.tag != f"{W}p":
        following = following.getnext()
    assert following is not None, "a paragraph mark was removed with no paragraph after it"
    content = [c for c in p if c.tag != f"{W}pPr"]
    ppr = following.find(f"{W}pPr")
    index = 0 if ppr is None else following.index(ppr) + 1
    for child in reversed(content):
        following.insert(index, child)
    p.getparent().remove(p)


def paragraph_text(p: etree._Element, *, refs: bool = False) -> str:
    """Text as shown: `w:t` (and any `w:delText` left), breaks as newlines; field codes are not text.

    With `refs`, a REF field shows as `<REF bookmark>` instead of its cached number, so texts whose
    only difference is renumbering compare equal (Word recomputes those numbers itself).
    """
    out = []
    state, instruction = None, ""
    for element in p.iter(f"{W}t", f"{W}delText", f"{W}br", f"{W}tab", f"{W}fldChar", f"{W}instrText",
                          f"{W}delInstrText"):
        tag = element.tag[len(W):]
        if tag == "fldChar":
            kind = element.get(f"{W}fldCharType")
            if kind == "begin":
                state, instruction = "instruction", ""
            elif kind == "separate":
                state = "result"
                words = instruction.split()
                if refs and words and words[0] == "REF":
                    out.append(f"<REF {words[1]}>")
                    state = "hidden"
            elif kind == "end":
                state = None
        elif tag in ("instrText", "delInstrText"):
            instruction += element.text or ""
        elif state == "hidden":
            continue
        elif tag == "br":
            out.append("\n")
        elif tag == "tab":
            out.append("\t")
        else:
            out.append(element.text or "")
    return "".join(out)


def style(p: etree._Element) -> str | None:
    node = p.find(f"{W}pPr/{W}pStyle")
    return None if node is None else node.get(f"{W}val")


def lines(root: etree._Element, *, skip_cover: bool = True, refs: bool = False) -> list[str]:
    """The body as text lines, like block_lines: list labels, table rows joined by " | "."""
    body = root.find(f"{W}body")
    counts: dict[tuple[str, str], int] = {}
    out: list[str] = []
    for child in body:
        if child.tag == f"{W}p":
            if skip_cover and style(child) in COVER_STYLES:
                continue
            text = paragraph_text(child, refs=refs)
            num = child.find(f"{W}pPr/{W}numPr")
            if num is not None:
                num_id = num.find(f"{W}numId").get(f"{W}val")
                level = num.find(f"{W}ilvl").get(f"{W}val")
                if int(num_id) == BULLET_NUM:
                    text = f"\u2022 {text}"
                else:
                    index = counts.get((num_id, level), 0)
                    counts[(num_id, level)] = index + 1
                    text = f"{item_label(int(level), index)} {text}"
            out.append(text)
        elif child.tag == f"{W}tbl":
            for tr in child.iter(f"{W}tr"):
                cells = ["\n".join(paragraph_text(p, refs=refs) for p in tc.iter(f"{W}p")) for tc in tr.iter(f"{W}tc")]
                out.append(" | ".join(cells))
    return out


def revisions(root: etree._Element) -> list[etree._Element]:
    """Every revision element (run, mark, row and property changes) in the document."""
    tags = [f"{W}{k}" for k in (*RUN_REVISIONS, "pPrChange", "rPrChange")]
    return [e for e in root.iter(*tags)]


SHELL_STYLES = {"Title", "Subtitle", "CoverParty", "CoverDetail", "CoverMark", "CoverNote", "TOCHeading", "TOC1",
                "TOC2"}


def agreement_lines(data: bytes, *, refs: bool = False) -> list[str]:
    """An agreement DOCX's body as lines, without the cover page and table of contents."""
    root = document(data)
    body = root.find(f"{W}body")
    for p in list(body):
        if p.tag != f"{W}p":
            continue
        empty = not "".join(p.itertext()).strip()
        page_break = empty and (p.find(f".//{W}br") is not None or p.find(f"{W}pPr/{W}sectPr") is not None)
        if style(p) in SHELL_STYLES or page_break:
            body.remove(p)
    return lines(root, skip_cover=False, refs=refs)


def body_lines(data: bytes, *, accept: bool, refs: bool = False) -> list[str]:
    """A redline DOCX's body after Accept All (or Reject All), without its cover."""
    return lines(resolve(document(data), accept=accept), refs=refs)


_CONTENT = tuple(f"{W}{tag}" for tag in ("t", "delText", "br", "tab", "fldChar", "instrText", "delInstrText"))


def _inserted_at(p: etree._Element, *, last: bool) -> bool:
    """Whether the paragraph's first (or last) visible content is inside a `w:ins`."""
    runs = [r for r in p.iter(f"{W}r") if any(child.tag in _CONTENT for child in r)]
    if not runs:
        return False
    node = runs[-1 if last else 0].getparent()
    while node is not None and node is not p:
        if node.tag == f"{W}ins":
            return True
        node = node.getparent()
    return False


def kept_marks_between_insertions(root: etree._Element) -> list[str]:
    """Texts of paragraphs whose kept mark has inserted text on both sides (see redline/paragraph_marks.py).

    LibreOffice merges the two insertions across such a mark, and its Reject All glues the paragraphs.
    """
    out = []
    for container in [root.find(f"{W}body"), *root.iter(f"{W}tc")]:
        # Range markers between blocks take no place in the text; a table does.
        blocks = [b for b in container if b.tag in (f"{W}p", f"{W}tbl")] if container is not None else []
        for p, following in zip(blocks, blocks[1:]):
            if p.tag != f"{W}p" or following.tag != f"{W}p":
                continue
            mark = p.find(f"{W}pPr/{W}rPr")
            revised = mark is not None and any(child.tag[len(W):] in RUN_REVISIONS for child in mark)
            following_mark = following.find(f"{W}pPr/{W}rPr/{W}ins")
            starts = _inserted_at(following, last=False) or (
                following_mark is not None and not following.findall(f".//{W}r"))
            if not revised and _inserted_at(p, last=True) and starts:
                out.append(paragraph_text(p))
    return out
