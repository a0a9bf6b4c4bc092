"""Word fields (REF, PAGE, NUMPAGES, TOC) with cached results, so they read right before updating."""

from __future__ import annotations

from .xml import esc


def field(instruction: str, cached_runs: str, *, deleted: bool = False) -> str:
    """A complex field: Word and LibreOffice show `cached_runs` until the field is updated.

    Inside a tracked deletion the instruction is `w:delInstrText` (and the cached text `w:delText`).
    """
    tag = "w:delInstrText" if deleted else "w:instrText"
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><{tag} xml:space="preserve"> {esc(instruction)} </{tag}></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{cached_runs}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def ref(bookmark: str, cached: str, *, number: bool, deleted: bool = False, rpr: str = "") -> str:
    """A cross-reference to a bookmark; `number` asks for the heading's full paragraph number.

    `rpr` formats the cached result, e.g. bold capitals inside conspicuous text.
    """
    switches = r"\w \h" if number else r"\h"
    text = "w:delText" if deleted else "w:t"
    props = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return field(f"REF {bookmark} {switches}",
                 f'<w:r>{props}<{text} xml:space="preserve">{esc(cached)}</{text}></w:r>', deleted=deleted)


def toc_begin(levels: str = "1-2") -> str:
    """Opening runs of a table-of-contents field; entries follow as paragraphs, then `toc_end`."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> TOC \\o "{levels}" \\h \\z \\u </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )


def toc_end() -> str:
    return '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
