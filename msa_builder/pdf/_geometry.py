"""Where text sits on a PDF page: pypdf's text extraction plus each glyph's advance from the font.

pypdf's `visitor_text` reports where a run of text starts, but not where it ends, and a signature
line is a run of underscores inside a longer line ("Initials of Dana Reyes: ____  Date: ____").
So the text-showing operators are followed as well, and each glyph is measured with the font's
own widths (/Widths of a simple font, /W of a CID font): that gives the x where every glyph
starts and ends, which is what a signature field must cover.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pypdf import PageObject
from pypdf.generic import ArrayObject, DictionaryObject, NumberObject

Matrix = Sequence[float]
# A segment's neighbours on its baseline join it when the gap is under this many ems: LibreOffice
# starts a new text object when the formatting changes within a line ("By:" then a run of "____").
_JOIN_EMS = 1.0


@dataclass(frozen=True)
class Glyph:
    """One shown glyph: its character code and where it starts and ends on the page (x, points)."""

    code: int
    x0: float
    x1: float


@dataclass
class Segment:
    """Text on one baseline of one page, as printed: its text, extent and glyphs (in page space)."""

    page: int
    text: str
    x0: float
    x1: float
    y: float
    size: float
    glyphs: list[Glyph] = field(default_factory=list)


class _Unmeasurable(Exception):
    """A font whose glyph widths we cannot read (a CID font with a non-identity encoding...)."""


def _mult(m: Matrix, n: Matrix) -> list[float]:
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
            m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
            m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


class _FontWidths:
    """Glyph widths (text space units per 1000 em) of one font resource, by character code."""

    def __init__(self, font: Any) -> None:  # a font dictionary; pypdf types its entries loosely
        subtype = font.get("/Subtype")
        self.two_byte = subtype == "/Type0"
        self.widths: dict[int, float] = {}
        self.default = 0.0
        self.scale = 0.001
        if self.two_byte:
            if font.get("/Encoding") not in ("/Identity-H", "/Identity-V"):
                raise _Unmeasurable(f"CID font with encoding {font.get('/Encoding')}")
            descendant = font["/DescendantFonts"][0].get_object()
            self.default = float(descendant.get("/DW", 1000))
            self._read_cid_widths(descendant.get("/W", ArrayObject()))
        else:
            if "/Widths" not in font:
                raise _Unmeasurable(f"font {font.get('/BaseFont')} has no /Widths")
            first = int(font.get("/FirstChar", 0))
            widths: Any = font["/Widths"].get_object()
            for offset, width in enumerate(widths):
                self.widths[first + offset] = float(width)
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None:
                self.default = float(descriptor.get_object().get("/MissingWidth", 0))
            if subtype == "/Type3":
                self.scale = float(font["/FontMatrix"][0])

    def _read_cid_widths(self, spec: Any) -> None:
        items = list(spec.get_object())
        i = 0
        while i < len(items):
            first = int(items[i])
            following = items[i + 1].get_object() if i + 1 < len(items) else None
            if isinstance(following, ArrayObject):
                for offset, width in enumerate(following):
                    self.widths[first + offset] = float(width)
                i += 2
            else:
                last, width = int(items[i + 1]), float(items[i + 2])
                for code in range(first, last + 1):
                    self.widths[code] = width
                i += 3

    def codes(self, raw: bytes) -> list[int]:
        if self.two_byte:
            return [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw) - 1, 2)]
        return list(raw)

    def advance(self, code: int) -> float:
        return self.widths.get(code, self.default) * self.scale


def _raw(operand: Any) -> bytes:
    original = getattr(operand, "original_bytes", None)
    return bytes(original) if original is not None else bytes(operand)


class _GlyphTracker:
    """Follows the text operators of one page and records the glyphs every Tj/TJ shows."""

    def __init__(self, page: PageObject) -> None:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        self._fonts: DictionaryObject = fonts.get_object() if fonts is not None else DictionaryObject()
        self._measures: dict[str, _FontWidths | None] = {}
        # text state (part of the graphics state: saved and restored by q/Q)
        self._state: dict[str, Any] = {"font": None, "size": 0.0, "Tc": 0.0, "Tw": 0.0, "Tz": 1.0}
        self._saved: list[dict[str, Any]] = []
        self._pen = 0.0  # advance, in text space, since the line matrix was last set
        self.runs: list[tuple[float, float, float, list[Glyph]]] = []  # (y, x start, size, glyphs)

    def _measure(self, name: str) -> _FontWidths | None:
        if name not in self._measures:
            font = self._fonts.get(name)
            try:
                self._measures[name] = _FontWidths(font.get_object()) if font is not None else None
            except (_Unmeasurable, KeyError, IndexError, TypeError, ValueError):
                self._measures[name] = None
        return self._measures[name]

    def before(self, operator: bytes, operands: list[Any], cm: Matrix, tm: Matrix) -> None:
        state = self._state
        if operator == b"q":
            self._saved.append(dict(state))
        elif operator == b"Q" and self._saved:
            self._state = self._saved.pop()
        elif operator == b"Tf" and len(operands) >= 2:
            state["font"], state["size"] = str(operands[0]), float(operands[1])
        elif operator in (b"Tc", b"Tw") and operands:
            state[operator.decode()] = float(operands[0])
        elif operator == b"Tz" and operands:
            state["Tz"] = float(operands[0]) / 100
        elif operator in (b"BT", b"Td", b"TD", b"Tm", b"T*"):
            self._pen = 0.0
        elif operator in (b"Tj", b"'") and operands:
            self._show([operands[0]], cm, tm, newline=operator == b"'")
        elif operator == b'"' and len(operands) >= 3:
            state["Tw"], state["Tc"] = float(operands[0]), float(operands[1])
            self._show([operands[2]], cm, tm, newline=True)
        elif operator == b"TJ" and operands and isinstance(operands[0], ArrayObject):
            self._show(list(operands[0]), cm, tm, newline=False)

    def _show(self, items: list[Any], cm: Matrix, tm: Matrix, *, newline: bool) -> None:
        state = self._state
        if newline:
            self._pen = 0.0  # pypdf moves its matrix to the next line itself for ' and "
        measure = self._measure(state["font"]) if state["font"] else None
        if measure is None:
            return
        size, scale = state["size"], state["Tz"]
        matrix = _mult(list(tm), list(cm))
        start = self._pen

        def x_at(pen: float) -> float:
            return pen * matrix[0] + matrix[4]

        glyphs: list[Glyph] = []
        for item in items:
            if isinstance(item, (NumberObject, int, float)) and not isinstance(item, bool):
                self._pen -= float(item) / 1000 * size * scale
                continue
            raw = _raw(item)
            for code in measure.codes(raw):
                width = measure.advance(code) * size
                x0 = x_at(self._pen)
                x1 = x_at(self._pen + width * scale)
                glyphs.append(Glyph(code, min(x0, x1), max(x0, x1)))
                spacing = state["Tc"] + (state["Tw"] if code == 32 and not measure.two_byte else 0.0)
                self._pen += (width + spacing) * scale
        if glyphs:
            y = start * matrix[1] + matrix[5]
            self.runs.append((y, x_at(start), abs(size * matrix[3]) or size, glyphs))


def page_segments(page: PageObject, index: int) -> list[Segment]:
    """Every line of text on the page, in content order, with its extent and measured glyphs."""
    tracker = _GlyphTracker(page)
    starts: list[tuple[str, float, float, float]] = []

    def on_text(text: str, cm: Matrix, tm: Matrix, font: Any, size: float) -> None:
        if text.strip():
            matrix = _mult(list(tm), list(cm))
            starts.append((text, matrix[4], matrix[5], abs(size * matrix[3]) or size))

    page.extract_text(visitor_operand_before=tracker.before, visitor_text=on_text)
    segments: list[Segment] = []
    for position, (text, x, y, size) in enumerate(starts):
        # This text's glyphs: those shown on its baseline from its start up to the next text there.
        limit = min((sx for _, sx, sy, _ in starts[position + 1:] if abs(sy - y) < 0.5 and sx > x + 0.5),
                    default=float("inf"))
        glyphs = [g for ry, rx, _, run in tracker.runs if abs(ry - y) < 0.5 and x - 0.5 <= rx < limit - 0.5
                  for g in run]
        # Unmeasured text (a font without readable widths) gets a rough extent, half an em a
        # character: enough to tell columns apart, never used as a field's edge.
        x1 = max((g.x1 for g in glyphs), default=x + 0.5 * size * len(text))
        last = segments[-1] if segments else None
        if last is not None and abs(last.y - y) < 0.5 and 0 <= x - last.x1 < _JOIN_EMS * size and glyphs:
            last.text += text
            last.x1 = max(last.x1, x1)
            last.glyphs += glyphs
            continue
        segments.append(Segment(index, text, x, x1, y, size, glyphs))
    return segments


def key(text: str) -> str:
    """Text reduced to letters and digits of any script, case-folded: what matching compares."""
    return re.sub(r"[\W_]+", "", text.casefold())
