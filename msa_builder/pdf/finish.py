"""Finishing LibreOffice's PDF with pypdf: metadata, outline, page labels, watermark, same bytes.

LibreOffice stamps a creation date and a random /ID and ignores SOURCE_DATE_EPOCH; rewriting the
file with metadata and an /ID derived from the lock makes two builds of the same inputs identical.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from ..errors import ConversionError
from ..marks import DRAFT_MARK as WATERMARK
from ._navigation import Bookmark, add_outline, add_page_labels
from ._splice import Splice, normalised
from .fields import SignatureLine, add_signature_fields, place_lines

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


def libreoffice_bookmarks(reader: PdfReader) -> list[tuple[str, int, int]]:
    """LibreOffice's bookmarks in document order: (title, page index, depth).

    Reading them parses every outline item and its destination (~15 ms an agreement), so
    finishing reads them once for locating headings and signing places alike.
    """
    return _flatten(reader, reader.outline)


def locate_pages(reader: PdfReader, wanted: list[OutlineEntry],
                 found: list[tuple[str, int, int]] | None = None) -> list[int]:
    """The page of every wanted heading, from LibreOffice's bookmarks (`found`, or read here; text as fallback)."""
    found = libreoffice_bookmarks(reader) if found is None else found
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
    if pages != sorted(pages) or (len(set(pages)) == 1 and len(reader.pages) > 1 and len(pages) > 1):
        # Headings come in document order, so their pages cannot go backwards, nor all sit on one
        # page of many; LibreOffice's bookmarks are wrong then, and only the text can be trusted.
        return _search_pages(reader, wanted)
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


def _watermark_form(width: float, height: float) -> DecodedStreamObject:
    """The watermark as a form XObject: drawn once, shown on every page of that size."""
    size = 38.0
    text_width = sum(_WIDTHS.get(ch, 667) for ch in WATERMARK) * size / 1000
    angle = math.atan2(height, width)
    cos, sin = math.cos(angle), math.sin(angle)
    x = width / 2 - cos * text_width / 2 + sin * size / 3
    y = height / 2 - sin * text_width / 2 - cos * size / 3
    encoded = WATERMARK.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    form = DecodedStreamObject()
    form.set_data(b"q /MsaWmGs gs 0.75 0 0 rg BT /MsaWmFont %.1f Tf %.4f %.4f %.4f %.4f %.2f %.2f Tm (%s) Tj ET Q"
                  % (size, cos, sin, -sin, cos, x, y, encoded))
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica-Bold"),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})
    state = DictionaryObject({NameObject("/Type"): NameObject("/ExtGState"),
                              NameObject("/ca"): FloatObject(0.16), NameObject("/CA"): FloatObject(0.16)})
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]),
        NameObject("/Resources"): DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/MsaWmFont"): font}),
            NameObject("/ExtGState"): DictionaryObject({NameObject("/MsaWmGs"): state}),
        }),
    })
    return form


def _stamp(splice: Splice) -> None:
    """Put the watermark under every page's content, without touching LibreOffice's streams.

    Each page gets one small stream in front of its own (`q /MsaWm0 Do Q`) and a reference to a
    shared form XObject: merging a stamp page into every page instead means decompressing,
    parsing and recompressing all content streams, several times slower and easily larger.
    """
    calls: dict[tuple[float, float], tuple[NameObject, Any, Any]] = {}
    for index in range(len(splice.reader.pages)):
        sheet = splice.page(index)
        size = (float(sheet.mediabox.width), float(sheet.mediabox.height))
        if size not in calls:
            name = NameObject(f"/MsaWm{len(calls)}")
            call = DecodedStreamObject()
            call.set_data(b"q %s Do Q\n" % name.encode())
            calls[size] = (name, splice.add(call), splice.add(_watermark_form(*size)))
        name, call_ref, form_ref = calls[size]
        if "/Resources" not in sheet:  # inherited from the page tree: give this page its own copy
            node: Any = sheet
            while "/Resources" not in node and "/Parent" in node:
                node = node["/Parent"].get_object()
            sheet[NameObject("/Resources")] = DictionaryObject(node.get("/Resources", DictionaryObject()).get_object())
        resources = splice.edit_item(sheet, "/Resources")
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        splice.edit_item(resources, "/XObject")[name] = form_ref
        contents = sheet.raw_get("/Contents") if "/Contents" in sheet else None
        if contents is None:
            existing: list[Any] = []
        elif isinstance(contents.get_object(), ArrayObject):
            existing = list(contents.get_object())
        else:
            existing = [contents]
        sheet[NameObject("/Contents")] = ArrayObject([call_ref, *existing])


@dataclass(frozen=True)
class SigningPlace:
    """A place someone signs: its bookmark title, text printed there, and headings that lead to it.

    `near` names headings in LibreOffice's own bookmarks, in order (a schedule, then a heading
    inside it); the text search starts on the last one's page instead of reading every page.
    `lines` are the signature lines printed there, which an execution PDF gives signature fields.
    """

    title: str
    text: str
    near: tuple[str, ...] = ()
    lines: tuple[SignatureLine, ...] = ()


def _page_text(reader: PdfReader, texts: dict[int, str], page: int) -> str:
    """A page's text as a search key, extracted once per finishing."""
    if page not in texts:
        texts[page] = _key(reader.pages[page].extract_text())
    return texts[page]


def signing_places(reader: PdfReader, wanted: Sequence[SigningPlace], start: int,
                   headings: list[tuple[str, int, int]] | None = None) -> list[tuple[str, int]]:
    """Pages (from `start` on) where each signing text appears: (bookmark title, page index).

    Extracting a page's text is the slow part of finishing (~15 ms a page), so the search for
    each place starts at the page of its nearest heading (in `headings`, LibreOffice's bookmarks,
    read if not given) and usually reads one page.
    """
    headings = libreoffice_bookmarks(reader) if headings is None else headings
    position = 0
    texts: dict[int, str] = {}
    out = []
    for place in wanted:
        first = start
        for near in place.near:
            key = _key(near)
            index = next((i for i in range(position, len(headings)) if key in _key(headings[i][0])), None)
            if index is None:
                break
            position = index + 1
            first = max(first, headings[index][1])
        needle = _key(place.text)
        # Past the heading's page first; if the bookmarks led too far, the pages skipped after all.
        order = [*range(first, len(reader.pages)), *range(start, first)]
        found = next((page for page in order if needle in _page_text(reader, texts, page)), None)
        if found is None:
            raise ConversionError(f"cannot find where to sign for {place.title!r} in the PDF", field="outline")
        out.append((place.title, found))
        start = found
    return out


def _pdf_version(source: str, *, watermark: bool) -> str:
    """The header our rewrite declares: LibreOffice's version, or what our own additions need.

    The watermark's transparency needs 1.4, and the content LibreOffice wrote needs the version
    it declared (1.6 today).
    """
    match = re.fullmatch(r"%PDF-(\d)\.(\d)", source.strip())
    declared = (int(match.group(1)), int(match.group(2))) if match else (1, 3)
    needed = max(declared, (1, 4) if watermark else (1, 3))  # signature fields and page labels: 1.3
    return f"%PDF-{needed[0]}.{needed[1]}"


def finish_pdf(raw: bytes, *, metadata: Mapping[str, str], outline: list[OutlineEntry],
               label_plan: Any, watermark: bool, identity: str,
               signing: Sequence[SigningPlace] = (), signing_after: int = 0,
               signature_fields: bool = False, reader: PdfReader | None = None) -> bytes:
    """Rewrite LibreOffice's PDF: our outline, page labels, metadata, watermark and a fixed /ID.

    `label_plan(pages)` receives the located page index of every outline entry and returns page
    label ranges as (first page index, style, prefix, first number). `signing` lists the
    places in the order the parties sign, searched from outline entry `signing_after` on; they
    are gathered under a "Where to sign" bookmark, in signing order. With `signature_fields`,
    each place's signature lines get an empty signature field (an execution PDF; never a draft).
    `reader`, when given, already parses `raw`; finishing edits its objects, so it is used up.
    """
    reader, raw = normalised(raw, reader)
    found = libreoffice_bookmarks(reader)
    pages = locate_pages(reader, outline, found)
    places = signing_places(reader, list(signing), pages[signing_after], found) if signing else []
    lines = [(line, page) for place, (_, page) in zip(signing, places) for line in place.lines]
    fields = place_lines(reader, [line for line, _ in lines], [page for _, page in lines]) if signature_fields else []
    if fields:
        # "Where to sign" leads to the line itself, which may sit a page after its heading.
        owners = [i for i, place in enumerate(signing) for _ in place.lines]
        first: dict[int, int] = {}
        for owner, placed in zip(owners, fields):
            first.setdefault(owner, placed.page)
        places = [(title, first.get(i, page)) for i, (title, page) in enumerate(places)]
    splice = Splice(reader, raw)
    for key in ("/Outlines", "/Metadata", "/PageLabels"):  # LibreOffice's, replaced by ours
        if key in splice.root:
            splice.drop_tree(splice.root.raw_get(key))
            del splice.root[key]
    if "/Info" in reader.trailer:
        splice.drop(reader.trailer.raw_get("/Info"))
    add_outline(splice, _bookmarks(outline, pages, places))
    add_page_labels(splice, label_plan(pages))
    if watermark:
        _stamp(splice)
    add_signature_fields(splice, fields)
    info = DictionaryObject({NameObject(key): TextStringObject(value) for key, value in metadata.items()})
    return splice.write(header=_pdf_version(reader.pdf_header, watermark=watermark).encode(), info=info,
                        ident=hashlib.sha256(identity.encode("utf-8")).digest()[:16])


def _bookmarks(outline: list[OutlineEntry], pages: list[int], places: list[tuple[str, int]]) -> list[Bookmark]:
    """Our outline (each entry under the nearest shallower one), then "Where to sign" with its places."""
    top: list[Bookmark] = []
    parents: dict[int, Bookmark] = {}
    for entry, page in zip(outline, pages):
        bookmark = Bookmark(entry.title, page)
        parent = parents.get(entry.level - 1) if entry.level else None
        (parent.children if parent is not None else top).append(bookmark)
        parents[entry.level] = bookmark
    if places:
        top.append(Bookmark("Where to sign", places[0][1], [Bookmark(title, page) for title, page in places]))
    return top
