"""Signature fields: one empty AcroForm signature field over each printed signature line.

An execution PDF must be signable as it is, in Acrobat Reader or any other signer, with no one
drawing boxes by hand: the provider signs `provider_signature`, the client `client_signature`,
each declined-control acknowledgement `client_ack_<control>`, and the declined-controls schedule
`client_schedule_signature`. Each field is placed over the underscores of its line, found in
the text LibreOffice laid out, so a template or clause change that moves a line moves its field.

A line is identified by two printed texts: an *anchor* above it (the party's name in capitals,
"acknowledgement for Multi-Factor Authentication", "Acknowledgement of this schedule") and the
*label* that starts the line ("By:", "Initials of", "Client signature:"). Lines with the same label
belong to the nearest anchor before them in reading order, in the same column: the right-hand
"By:" of the signature table belongs to the client's name above it, not to the client's name in
the running header at the top of the page.

Fields are built from pypdf generic objects, inside the same rewrite that finishes the PDF, so
the execution PDF is still one revision with fixed bytes; signing adds incremental updates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from ..errors import ConversionError, SigningError
from ._geometry import Segment, key, page_segments
from ._splice import Splice

# Annotation flags (PDF 32000-1, 12.5.3): print it, and let no one move or delete it.
_PRINT, _LOCKED = 4, 128
_SIGNATURES_EXIST, _APPEND_ONLY = 1, 2  # /SigFlags (12.7.2)
# How many pages past a signing place's own page its line may have flowed to.
_PAGES_AFTER = 2
_UNDERSCORES = re.compile(r"_{3,}")
_UNMEASURED = (-1.0, -1.0)  # a signature line whose glyphs could not be measured


@dataclass(frozen=True)
class SignatureLine:
    """A signature field to place: its name, the text printed above its line, the line's label.

    `tooltip` is what a signer's application shows for the field ("Client signature (Dana Reyes)").
    """

    field: str
    anchor: str
    label: str
    tooltip: str = ""


@dataclass(frozen=True)
class PlacedField:
    """A signature field located on the page: page index and rectangle (x0, y0, x1, y1, points)."""

    line: SignatureLine
    page: int
    rect: tuple[float, float, float, float]
    baseline: float


@dataclass(frozen=True)
class FieldInfo:
    """A signature field of a PDF as a reader sees it: name, page index, rectangle, signed or not."""

    name: str
    page: int | None
    rect: tuple[float, float, float, float]
    signed: bool

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "page": self.page, "rect": list(self.rect), "signed": self.signed}


@dataclass(frozen=True)
class _Occurrence:
    line: SignatureLine
    order: tuple[int, int]
    x0: float
    x1: float


def _overlaps(a0: float, a1: float, b0: float, b1: float) -> bool:
    return a0 < b1 and b0 < a1


def _occurrences(segments: list[Segment], lines: Sequence[SignatureLine]) -> list[_Occurrence]:
    """Every place each anchor is printed (it may wrap over several segments of one page)."""
    found: list[_Occurrence] = []
    for page in sorted({s.page for s in segments}):
        on_page = [(i, s) for i, s in enumerate(segments) if s.page == page]
        text, owners = "", []
        for i, segment in on_page:
            part = key(segment.text)
            text += part
            owners += [i] * len(part)
        for line in lines:
            needle = key(line.anchor)
            for match in (re.finditer(re.escape(needle), text) if needle else ()):
                spanned = [segments[j] for j in sorted(set(owners[match.start():match.end()]))]
                last = owners[match.end() - 1]
                found.append(_Occurrence(line, (page, last), min(s.x0 for s in spanned),
                                         max(s.x1 for s in spanned)))
    return found


def _underscores(segment: Segment, label: str) -> tuple[float, float] | None:
    """The x extent of the first run of underscores after `label`, or None if this is not its line."""
    match = _UNDERSCORES.search(segment.text)
    if match is None or not key(segment.text[:match.start()]).startswith(key(label)):
        return None
    wanted = match.end() - match.start()
    glyphs, i = segment.glyphs, 0
    while i < len(glyphs):
        j = i
        while j + 1 < len(glyphs) and glyphs[j + 1].code == glyphs[i].code:
            j += 1
        if j - i + 1 == wanted:
            return glyphs[i].x0, glyphs[j].x1
        i = j + 1
    return _UNMEASURED


def _rect(segments: list[Segment], line: Segment, x0: float, x1: float) -> tuple[float, float, float, float]:
    """Over the underscores, from just below them up to the line above: within the line's row."""
    bottom = line.y - 0.3 * line.size
    top = line.y + 1.6 * line.size
    for other in segments:
        if other.page == line.page and other.y > line.y + 0.5:
            top = min(top, other.y - 0.3 * other.size)  # clear of the descenders of the line above
    return (round(x0, 2), round(bottom, 2), round(x1, 2), round(max(top, line.y + 0.8 * line.size), 2))


def _assign(segments: list[Segment], lines: Sequence[SignatureLine]) -> dict[str, PlacedField]:
    """Each line's field on the first signature line that belongs to its anchor, by label."""
    order = {id(s): (s.page, i) for i, s in enumerate(segments)}
    placed: dict[str, PlacedField] = {}
    for label in dict.fromkeys(line.label for line in lines):
        anchors = _occurrences(segments, [line for line in lines if line.label == label])
        for segment in segments:
            extent = _underscores(segment, label)
            if extent is None:
                continue
            position = order[id(segment)]
            before = [a for a in anchors if a.order < position and _overlaps(a.x0, a.x1, segment.x0, segment.x1)]
            if before:
                owner = max(before, key=lambda a: a.order).line
                if owner.field not in placed and extent == _UNMEASURED:
                    raise ConversionError(
                        f"cannot measure the signature line for {owner.field!r}: {segment.text.strip()!r} on page "
                        f"{segment.page + 1}", field="signature fields",
                        hint="its font's glyph widths could not be read, or its underscores are not one run")
                if owner.field not in placed:
                    placed[owner.field] = PlacedField(owner, segment.page, _rect(segments, segment, *extent),
                                                      segment.y)
    return placed


def place_lines(reader: PdfReader, lines: Sequence[SignatureLine], pages: Sequence[int]) -> list[PlacedField]:
    """Where each line's field goes; `pages[i]` is the page where line i's signing place begins.

    Reading a page's glyphs costs ~60 ms, so the pages after a place's own are read only for
    the lines not found on it. Raises ConversionError naming the field whose line is not found.
    """
    names = [line.field for line in lines]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConversionError(f"two signature fields are named {duplicated[0]!r}", field="signature fields")
    read: dict[int, list[Segment]] = {}
    placed: dict[str, PlacedField] = {}
    window: list[int] = []
    for extra in range(_PAGES_AFTER + 1):
        wanted = {p for p in pages} | {p + k for line, p in zip(lines, pages) if line.field not in placed
                                       for k in range(1, extra + 1)}
        window = sorted(p for p in wanted if p < len(reader.pages))
        for page in window:
            if page not in read:
                read[page] = page_segments(reader.pages[page], page)
        for name, spot in _assign([s for p in window for s in read[p]], lines).items():
            placed.setdefault(name, spot)
        if len(placed) == len(lines):
            break
    missing = [line for line in lines if line.field not in placed]
    if missing:
        line = missing[0]
        raise ConversionError(
            f"cannot find the signature line for {line.field!r}: a line starting {line.label!r} below "
            f"{line.anchor!r}", field="signature fields",
            hint=f"searched pages {', '.join(str(p + 1) for p in window)}" if window else None)
    return [placed[line.field] for line in lines]


def add_signature_fields(splice: Splice, placed: Sequence[PlacedField]) -> None:
    """Add each field as one merged field-and-widget dictionary, listed in the /AcroForm.

    The empty appearance stream is what Acrobat expects of a widget. /SigFlags is 3 from the
    start: "SignaturesExist" (the document has signature fields) and "AppendOnly", which tells
    a signer's application to save incrementally, keeping our bytes as the file's prefix. A
    signer sets both when it signs, and pyHanko's difference analysis counts a change to them
    between our revision and the first signature as a suspicious change.
    """
    if not placed:
        return
    root = splice.root
    if "/AcroForm" not in root:
        root[NameObject("/AcroForm")] = splice.add(DictionaryObject({NameObject("/Fields"): ArrayObject()}))
    form = splice.edit_item(root, "/AcroForm")
    form[NameObject("/SigFlags")] = NumberObject(_SIGNATURES_EXIST | _APPEND_ONLY)
    if "/Fields" not in form:
        form[NameObject("/Fields")] = ArrayObject()
    fields = splice.edit_item(form, "/Fields")
    taken = {str(f.get_object().get("/T")) for f in fields}
    for spot in placed:
        if spot.line.field in taken:
            raise ConversionError(f"the PDF already has a field named {spot.line.field!r}", field="signature fields")
        page: Any = splice.page(spot.page)
        x0, y0, x1, y1 = spot.rect
        appearance = DecodedStreamObject()
        appearance.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0),
                                              FloatObject(round(x1 - x0, 2)), FloatObject(round(y1 - y0, 2))]),
        })
        widget = DictionaryObject({
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/T"): TextStringObject(spot.line.field),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/F"): NumberObject(_PRINT | _LOCKED),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in spot.rect]),
            NameObject("/P"): page.indirect_reference,
            NameObject("/AP"): DictionaryObject({NameObject("/N"): splice.add(appearance)}),
        })
        if spot.line.tooltip:
            widget[NameObject("/TU")] = TextStringObject(spot.line.tooltip)
        ref = splice.add(widget)
        if "/Annots" not in page:
            page[NameObject("/Annots")] = ArrayObject()
        splice.edit_item(page, "/Annots").append(ref)
        fields.append(ref)
        taken.add(spot.line.field)


def _walk(field: Any, prefix: str, inherited_type: Any) -> list[tuple[str, Any]]:
    name = str(field["/T"]) if "/T" in field else ""
    full = f"{prefix}.{name}" if prefix and name else (name or prefix)
    field_type = field.get("/FT", inherited_type)
    kids = [k.get_object() for k in field.get("/Kids", ())]
    named_kids = [k for k in kids if "/T" in k]
    if named_kids:
        return [found for kid in named_kids for found in _walk(kid, full, field_type)]
    return [(full, field)] if field_type == "/Sig" else []


def signature_fields(pdf: bytes) -> list[FieldInfo]:
    """The signature fields of a PDF (its latest revision), in /AcroForm order, as pypdf reads them."""
    try:
        reader = PdfReader(BytesIO(pdf))
        root: Any = reader.trailer["/Root"].get_object()
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise SigningError(f"not a readable PDF: {exc}") from None
    form = root.get("/AcroForm")
    if form is None:
        return []
    page_numbers = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages) if p.indirect_reference}
    out = []
    for ref in form.get_object().get("/Fields", ()):
        for name, field in _walk(ref.get_object(), "", None):
            widget: Any = field
            if "/Rect" not in widget and field.get("/Kids"):
                widget = field["/Kids"][0].get_object()
            page_ref = widget.raw_get("/P") if "/P" in widget else None
            page = page_numbers.get(page_ref.idnum) if page_ref is not None and hasattr(page_ref, "idnum") else None
            rect = [float(v) for v in widget.get("/Rect", (0, 0, 0, 0))]
            out.append(FieldInfo(name, page, (rect[0], rect[1], rect[2], rect[3]), "/V" in field))
    return out
