"""Parameter value types: what a value may be, and how it reads in a contract."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Literal

from ..fieldtypes import character_problem

ParamType = Literal["money", "days", "hours", "months", "years", "integer", "percent", "text"]

_UNITS = {"days": "day", "hours": "hour", "months": "month", "years": "year"}
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
