"""Parameter value types: what a value may be, and how it reads in a contract."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Literal

ParamType = Literal["money", "days", "business_days", "hours", "months", "years", "integer", "percent", "text"]

_UNITS = {"days": "day", "business_days": "Business Day", "hours": "hour", "months": "month", "years": "year"}


def _is_number(value: Any) -> bool:
    # YAML reads `.nan` and `.inf` as floats; neither is an amount a contract can state.
    return (isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
            and math.isfinite(value))


def check_value(kind: ParamType, value: Any) -> str | None:
    """Why `value` is not a valid `kind`, or None when it is."""
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            return "must be non-empty text"
        if "{{" in value or "{%" in value:
            return "must not contain template markers"
        return None
    if kind in ("money", "percent"):
        if not _is_number(value) or value < 0:
            return "must be a number of 0 or more"
        if kind == "percent" and value > 100:
            return "must be a percentage between 0 and 100"
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return "must be a whole number of 0 or more"
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
