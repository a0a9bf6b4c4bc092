"""Word fields (REF, PAGE, NUMPAGES, TOC) with cached results, so they read right before updating."""

from __future__ import annotations

from .xml import esc


def field(instruction: str, cached_runs: str) -> str:
    """A complex field: Word and LibreOffice show `cached_runs` until the field is updated."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {esc(instruction)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{cached_runs}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def ref(bookmark: str, cached: str, *, number: bool) -> str:
    """A cross-reference to a bookmark; `number` asks for the heading's full paragraph number."""
    switches = r"\w \h" if number else r"\h"
    return field(f"REF {bookmark} {switches}", f'<w:r><w:t xml:space="preserve">{esc(cached)}</w:t></w:r>')


def toc_begin(levels: str = "1-2") -> str:
    """Opening runs of a table-of-contents field; entries follow as paragraphs, then `toc_end`."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> TOC \\o "{levels}" \\h \\z \\u </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )


def toc_end() -> str:
    return '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
