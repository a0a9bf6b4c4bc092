"""How list items are labelled in our agreements: (a), then (i), then (A)."""

from __future__ import annotations

_ROMAN = ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def roman(number: int) -> str:
    """Lower-case roman numerals, enough for list items (1 to 39)."""
    out = ""
    for value, letters in _ROMAN:
        while number >= value:
            out += letters
            number -= value
    return out


def alpha(number: int) -> str:
    """a..z, then aa, bb... as legal drafting does."""
    letter = chr(ord("a") + (number - 1) % 26)
    return letter * ((number - 1) // 26 + 1)


def item_label(depth: int, index: int) -> str:
    """The label of the `index`-th (0-based) item of an ordered list at nesting `depth`."""
    kind = depth % 3
    if kind == 0:
        return f"({alpha(index + 1)})"
    if kind == 1:
        return f"({roman(index + 1)})"
    return f"({alpha(index + 1).upper()})"
