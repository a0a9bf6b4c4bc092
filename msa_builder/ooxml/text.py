"""Runs, paragraphs, breaks and bookmarks."""

from __future__ import annotations

from .xml import esc


def run_properties(*, bold: bool = False, italic: bool = False, style: str | None = None,
                   highlight: bool = False, caps: bool = False) -> str:
    """The children of a run's `w:rPr`, in schema order (empty for plain text).

    `caps` is Word's "All caps" font effect: conspicuous text is printed in capitals without
    being typed in them, so an attorney who turns the effect off gets the drafted case back.
    """
    props = ""
    if style:
        props += f'<w:rStyle w:val="{style}"/>'
    if bold:
        props += "<w:b/>"
    if italic:
        props += "<w:i/>"
    if caps:
        props += "<w:caps/>"
    if highlight:
        props += '<w:highlight w:val="yellow"/>'
    return props


def run(text: str, *, bold: bool = False, italic: bool = False, style: str | None = None,
        highlight: bool = False, caps: bool = False) -> str:
    """A run of text; tabs and line breaks inside `text` become Word's own elements."""
    props = run_properties(bold=bold, italic=italic, style=style, highlight=highlight, caps=caps)
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    parts = []
    for i, line in enumerate(text.split("\n")):
        if i:
            parts.append("<w:br/>")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                parts.append("<w:tab/>")
            if chunk:
                parts.append(f'<w:t xml:space="preserve">{esc(chunk)}</w:t>')
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


def line_break() -> str:
    return "<w:r><w:br/></w:r>"


def page_break() -> str:
    return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def paragraph_properties(*, style: str | None = None, num: tuple[int, int] | None = None,
                         keep_next: bool = False, page_break_before: bool = False, align: str | None = None,
                         indent_left: int | None = None) -> str:
    """The children of a paragraph's `w:pPr`, in schema order (a redline appends its marks after them)."""
    ppr = ""
    if style:
        ppr += f'<w:pStyle w:val="{style}"/>'
    if keep_next:
        ppr += "<w:keepNext/>"
    if page_break_before:
        ppr += "<w:pageBreakBefore/>"
    if num is not None:
        ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    if indent_left is not None:
        ppr += f'<w:ind w:left="{indent_left}" w:hanging="0"/>'
    if align:
        ppr += f'<w:jc w:val="{align}"/>'
    return ppr


def paragraph(content: str, *, style: str | None = None, num: tuple[int, int] | None = None,
              keep_next: bool = False, page_break_before: bool = False, align: str | None = None,
              bookmark: tuple[int, str] | None = None, indent_left: int | None = None) -> str:
    """A paragraph with a style, optional list numbering (numId, level) and an optional bookmark."""
    ppr = paragraph_properties(style=style, num=num, keep_next=keep_next, page_break_before=page_break_before,
                               align=align, indent_left=indent_left)
    ppr_xml = f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
    if bookmark is not None:
        bid, name = bookmark
        content = (f'<w:bookmarkStart w:id="{bid}" w:name="{esc(name)}"/>{content}'
                   f'<w:bookmarkEnd w:id="{bid}"/>')
    return f"<w:p>{ppr_xml}{content}</w:p>"


def bookmarked(content: str, bid: int, name: str) -> str:
    """Wrap runs in a bookmark, e.g. the "Schedule C" words of a schedule heading."""
    return f'<w:bookmarkStart w:id="{bid}" w:name="{esc(name)}"/>{content}<w:bookmarkEnd w:id="{bid}"/>'
