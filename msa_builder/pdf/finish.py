"""Finishing LibreOffice's PDF with pypdf: metadata, outline, page labels, watermark, same bytes.

LibreOffice stamps a creation date and a random /ID and ignores SOURCE_DATE_EPOCH; rewriting the
file with metadata and an /ID derived from the lock makes two builds of the same inputs identical.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)

from ..errors import ConversionError

WATERMARK = "DRAFT \u2014 FOR ATTORNEY REVIEW"
# Helvetica-Bold advance widths (per 1000 em) for the letters the watermark uses.
_WIDTHS = {" ": 278, "\u2014": 1000, "A": 722, "D": 722, "E": 667, "F": 611, "I": 278, "N": 722, "O": 778,
           "R": 722, "T": 611, "V": 667, "W": 944, "Y": 667}


@dataclass(frozen=True)
class OutlineEntry:
    """A bookmark we want: its title, nesting level and the heading text that finds its page."""

    title: str
    level: int
    match: str


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _flatten(reader: PdfReader, items: list[Any], depth: int = 0) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    for item in items:
        if isinstance(item, list):
            out += _flatten(reader, item, depth + 1)
        else:
            page = reader.get_destination_page_number(item)
            if page is not None:
                out.append((str(item.title), page, depth))
    return out


def locate_pages(reader: PdfReader, wanted: list[OutlineEntry]) -> list[int]:
    """The page of every wanted heading, from LibreOffice's own bookmarks (text search as fallback)."""
    found = _flatten(reader, reader.outline)
    pages: list[int] = []
    position = 0
    for entry in wanted:
        key = _key(entry.match)
        while position < len(found) and key not in _key(found[position][0]):
            position += 1
        if position == len(found):
            return _search_pages(reader, wanted)
        pages.append(found[position][1])
        position += 1
    return pages


def _search_pages(reader: PdfReader, wanted: list[OutlineEntry]) -> list[int]:
    texts = [_key(page.extract_text()) for page in reader.pages]
    pages, start = [], 0
    for entry in wanted:
        key = _key(entry.match)
        index = next((i for i in range(start, len(texts)) if key in texts[i]), None)
        if index is None:
            raise ConversionError(f"cannot find the heading {entry.title!r} in the PDF", field="outline")
        pages.append(index)
        start = index
    return pages


def _watermark_page(width: float, height: float) -> PageObject:
    page = PageObject.create_blank_page(width=width, height=height)
    size = 38.0
    text_width = sum(_WIDTHS.get(ch, 667) for ch in WATERMARK) * size / 1000
    angle = math.atan2(height, width)
    cos, sin = math.cos(angle), math.sin(angle)
    x = width / 2 - cos * text_width / 2 + sin * size / 3
    y = height / 2 - sin * text_width / 2 - cos * size / 3
    encoded = WATERMARK.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = DecodedStreamObject()
    stream.set_data(b"q /MsaWmGs gs 0.75 0 0 rg BT /MsaWmFont %.1f Tf %.4f %.4f %.4f %.4f %.2f %.2f Tm (%s) Tj ET Q"
                    % (size, cos, sin, -sin, cos, x, y, encoded))
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica-Bold"),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})
    state = DictionaryObject({NameObject("/Type"): NameObject("/ExtGState"),
                              NameObject("/ca"): FloatObject(0.16), NameObject("/CA"): FloatObject(0.16)})
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/MsaWmFont"): font}),
        NameObject("/ExtGState"): DictionaryObject({NameObject("/MsaWmGs"): state}),
    })
    page[NameObject("/Contents")] = stream
    return page


def _labels(writer: PdfWriter, label_ranges: list[tuple[int, str | None, str | None, int]]) -> None:
    total = len(writer.pages)
    ranges = sorted(r for r in label_ranges if r[0] < total)
    for index, (start, style, prefix, first) in enumerate(ranges):
        end = (ranges[index + 1][0] - 1) if index + 1 < len(ranges) else total - 1
        if end >= start:
            writer.set_page_label(start, end, style=style, prefix=prefix, start=first)  # type: ignore[arg-type]


def signing_places(reader: PdfReader, wanted: list[tuple[str, str]], start: int) -> list[tuple[str, int]]:
    """Pages (from `start` on) where each signing text appears: (bookmark title, page index)."""
    texts: dict[int, str] = {}
    out = []
    for title, text in wanted:
        key = _key(text)
        for index in range(start, len(reader.pages)):
            if index not in texts:
                texts[index] = _key(reader.pages[index].extract_text())
            if key in texts[index]:
                out.append((title, index))
                break
        else:
            raise ConversionError(f"cannot find where to sign for {title!r} in the PDF", field="outline")
    return out


def finish_pdf(raw: bytes, *, metadata: Mapping[str, str], outline: list[OutlineEntry],
               label_plan: Any, watermark: bool, identity: str,
               signing: list[tuple[str, str]] = (), signing_after: int = 0) -> bytes:  # type: ignore[assignment]
    """Rewrite LibreOffice's PDF: our outline, page labels, metadata, watermark and a fixed /ID.

    `label_plan(pages)` receives the located page index of every outline entry and returns page
    label ranges as (first page index, style, prefix, first number). `signing` lists (bookmark,
    text on the page) for every place someone signs, searched from outline entry `signing_after`
    on; they are gathered under a "Where to sign" bookmark, in signing order.
    """
    reader = PdfReader(BytesIO(raw))
    pages = locate_pages(reader, outline)
    places = signing_places(reader, list(signing), pages[signing_after]) if signing else []
    writer = PdfWriter(clone_from=reader)
    root = writer._root_object
    for key in ("/Outlines", "/Metadata", "/PageLabels"):
        if key in root:
            del root[key]
    writer._info = None
    parents: dict[int, Any] = {}
    for entry, page in zip(outline, pages):
        parent = parents.get(entry.level - 1) if entry.level else None
        parents[entry.level] = writer.add_outline_item(title=entry.title, page_number=page, parent=parent)
    if places:
        group = writer.add_outline_item(title="Where to sign", page_number=places[0][1])
        for title, page in places:
            writer.add_outline_item(title=title, page_number=page, parent=group)
    _labels(writer, label_plan(pages))
    if watermark:
        stamps: dict[tuple[float, float], PageObject] = {}
        for sheet in writer.pages:
            size = (float(sheet.mediabox.width), float(sheet.mediabox.height))
            if size not in stamps:
                stamps[size] = _watermark_page(*size)
            sheet.merge_page(stamps[size], over=False)
            # Merging decompresses the page; without this the file roughly triples in size.
            sheet.compress_content_streams()
    writer.add_metadata(dict(metadata))
    digest = hashlib.sha256(identity.encode("utf-8")).digest()[:16]
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
