"""Parameter value types: what a value may be, and how it reads in a contract."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ..fieldtypes import character_problem

ParamType = Literal["money", "days", "business_days", "hours", "months", "years", "integer", "percent", "text"]

_UNITS = {"days": "day", "business_days": "Business Day", "hours": "hour", "months": "month", "years": "year"}
# A quadrillion dollars, days or percent is no contract's figure, and bounding values keeps every
# later step (float conversion, `{:,}` formatting, comparisons) exact and instant.
MAX_VALUE = 10**15


def _is_number(value: Any) -> bool:
    # YAML reads `.nan` and `.inf` as floats; neither is an amount a contract can state.
    if not isinstance(value, (int, float, Decimal)) or isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


_SYMBOLS = {"money": "$", "percent": "%"}


_TOO_LARGE = f"is too large (at most {MAX_VALUE:,})"


def _number(text: str, symbol: str) -> int | float:
    cleaned = text.replace(",", "").strip().strip(symbol).strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("is not a number") from None
    if not value.is_finite():
        raise ValueError("is not a number")
    # `$1e400` is a finite Decimal whose int() has 400 digits (and `1e999999999` would take
    # minutes to build); no contract states such an amount.
    if value.adjusted() > len(str(MAX_VALUE)):
        raise ValueError(_TOO_LARGE)
    return int(value) if value == value.to_integral_value() else float(value)


def _whole(text: str) -> int:
    cleaned = text.replace(",", "").replace("_", "").strip()
    if not re.fullmatch(r"[+-]?\d+", cleaned):
        raise ValueError("is not a whole number")
    if len(cleaned.lstrip("+-0")) > len(str(MAX_VALUE)):  # before int(), which refuses 4,300 digits
        raise ValueError(_TOO_LARGE)
    return int(cleaned)


def parse_text(kind: ParamType, text: str) -> Any:
    """A value written as text (`$3,000,000`, `1.5%`, `1,200`) as its type's value; ValueError says why not.

    One reading for every place a person types a value: a CSV cell, a quoted YAML string, a prompt.
    """
    if kind == "text":
        return text
    if kind in _SYMBOLS:
        return _number(text, _SYMBOLS[kind])
    return _whole(text)


def parse_value(kind: ParamType, value: Any) -> Any:
    """A profile's value for a parameter: text is read as `parse_text` reads it, anything else is kept."""
    if isinstance(value, str) and kind != "text":
        return parse_text(kind, value)
    return value


def check_value(kind: ParamType, value: Any) -> str | None:
    """Why `value` is not a valid `kind`, or None when it is."""
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            return "must be non-empty text"
        if "{{" in value or "{%" in value:
            return "must not contain template markers"
        return character_problem(value)
    if kind in ("money", "percent"):
        if not _is_number(value) or value < 0:
            return "must be a number of 0 or more"
        if kind == "percent" and value > 100:
            return "must be a percentage between 0 and 100"
        if value > MAX_VALUE:
            return f"must be at most {MAX_VALUE:,}"
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return "must be a whole number of 0 or more"
    if value > MAX_VALUE:
        return f"must be at most {MAX_VALUE:,}"
    return None


def display(kind: ParamType, value: Any) -> str:
    """The value as the contract shows it: `$3,000,000`, `30 days`, `1.5%`."""
    if kind == "money":
        if float(value).is_integer():
            return f"${int(value):,}"
        return f"${float(value):,.2f}"
    if kind == "percent":
        return f"{Decimal(str(value)).normalize():f}%"
    if kind in _UNITS:
        unit = _UNITS[kind]
        return f"{value} {unit}" if value == 1 else f"{value} {unit}s"
    return str(value)
