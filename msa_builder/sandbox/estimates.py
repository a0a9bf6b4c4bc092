"""What an operator, filter or string method would produce, checked before it runs.

A result that would pass MAX_SIZE (or MAX_INT_BITS, for numbers) raises LimitError instead of
being built: `'a' * 10**9`, `'%1000000000s' % x`, `s|replace('a', big)`, `sep.join(many)`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any

from ..errors import brief
from .limits import MAX_INT_BITS, MAX_SIZE, LimitError, charge, is_int, refuse_size, size_of


def _check_pow(base: Any, exponent: Any) -> None:
    if is_int(base) and is_int(exponent) and exponent > 0 and abs(base) > 1:
        if exponent > MAX_INT_BITS or exponent * (base.bit_length() - 1) > MAX_INT_BITS:
            raise LimitError(f"{brief(base)} ** {brief(exponent)} is too large a number "
                             f"(more than {MAX_INT_BITS:,} bits)")


def _check_mul(left: Any, right: Any) -> None:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and is_int(times):
            if times > 0 and times > MAX_SIZE // max(size_of(sequence), 1):
                raise LimitError(f"repeating a value {brief(times)} times would make more than "
                                 f"{MAX_SIZE:,} characters or items")
            return
    if is_int(left) and is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise LimitError(f"the product is too large a number (more than {MAX_INT_BITS:,} bits)")


def _check_add(left: Any, right: Any) -> None:
    if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        refuse_size("the sum", size_of(left) + size_of(right))


_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")


def _check_percent_format(fmt: str, args: Any) -> None:
    """`'%1000000000s' % x` allocates a gigabyte: refuse widths, and estimate the result."""
    fields = _PERCENT.findall(fmt)
    widest = 0
    for width, precision, _ in fields:
        for part in (width, precision):
            if part == "*":
                values = args if isinstance(args, tuple) else (args,)
                widest = max([widest, *(abs(v) for v in values if is_int(v))])
            elif part:
                widest = max(widest, int(part[:19]))
    if widest > MAX_SIZE:
        raise LimitError(f"a format width of {widest:,} is more than {MAX_SIZE:,} characters")
    refuse_size("the formatted text", len(fmt) + len(fields) * (size_of(args) + widest))


def check_brace_format(fmt: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The same for `'{:>1000000000}'.format(x)` and `'{0}{0}{0}'.format(big)`."""
    try:
        fields = [spec or "" for _, name, spec, _ in string.Formatter().parse(fmt) if name is not None]
    except ValueError:
        return  # str.format raises the same error itself
    widest = 0
    for spec in fields:
        if "{" in spec:
            raise LimitError("nested replacement fields in a format specification are not allowed")
        for digits in re.findall(r"\d+", spec):
            widest = max(widest, int(digits[:19]))
    if widest > MAX_SIZE:
        raise LimitError(f"a format width of {widest:,} is more than {MAX_SIZE:,} characters")
    refuse_size("the formatted text", len(fmt) + len(fields) * (size_of([args, kwargs]) + widest))


def _check_mod(left: Any, right: Any) -> None:
    if isinstance(left, str):
        _check_percent_format(left, right)


BINOP_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "**": _check_pow, "*": _check_mul, "+": _check_add, "%": _check_mod,
}


# -- filters and methods that multiply their input -------------------------------------------------

def _width(name: str, value: Any) -> int:
    if is_int(value) and abs(value) > MAX_SIZE:
        raise LimitError(f"{name} of {brief(value)} is more than {MAX_SIZE:,}")
    return abs(value) if is_int(value) else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _replacements(text: str, old: str, count: Any) -> int:
    most = len(text) + 1 if not old else len(text) // len(old)
    return min(most, count) if is_int(count) and count >= 0 else most


def _est_replace(s: Any, old: Any = "", new: Any = "", count: Any = None, *_: Any) -> int:
    text = str(s) if isinstance(s, str) else ""
    return len(text) + _replacements(text, _text(old), count) * len(_text(new))


def _est_join(value: Any, d: Any = "", *_: Any, **__: Any) -> int:
    items = value if isinstance(value, (list, tuple, str, dict, set)) else ()
    return size_of(items) + len(items) * len(_text(d))


def _est_indent(s: Any, width: Any = 4, *_: Any, **__: Any) -> int:
    text = _text(s)
    prefix = len(width) if isinstance(width, str) else _width("the indent", width)
    return len(text) + (text.count("\n") + 1) * prefix


def _est_center(value: Any, width: Any = 80, *_: Any, **__: Any) -> int:
    return size_of(value) + _width("the width", width)


def _est_wordwrap(s: Any, width: Any = 79, break_long_words: Any = True, wrapstring: Any = None,
                  *_: Any, **__: Any) -> int:
    text = _text(s)
    lines = len(text) // max(_width("the width", width), 1) + 1
    return len(text) + lines * max(len(_text(wrapstring)), 1)


def _est_truncate(s: Any, length: Any = 255, killwords: Any = False, end: Any = "...", *_: Any, **__: Any) -> int:
    return size_of(s) + _width("the length", length) + len(_text(end))


def _est_fill(value: Any, count: Any = 1, fill_with: Any = None, *_: Any, **__: Any) -> int:
    return size_of(value) + _width("the count", count) * (size_of(fill_with) + 1)


def _est_format(value: Any, *args: Any, **kwargs: Any) -> int:
    _check_percent_format(_text(value), kwargs or args)
    return 0


def _est_tojson(value: Any, indent: Any = None, *_: Any, **__: Any) -> int:
    # Each nested value gets its own line, indented once per level: bounded by size x indent x depth.
    return size_of(value) * (2 + _width("the indent", indent or 0) * 64)


def _est_sum(iterable: Any, attribute: Any = None, start: Any = 0, *_: Any, **__: Any) -> int:
    # Adding lists or tuples copies the running total each time: quadratic in the item count.
    items = iterable if isinstance(iterable, (list, tuple)) else ()
    if isinstance(start, (list, tuple)) or any(isinstance(i, (list, tuple)) for i in items[:1]):
        charge(len(items) * (size_of(items) + size_of(start)) // 64)
    return 0


def _est_urlize(value: Any, trim_url_limit: Any = None, nofollow: Any = False, target: Any = None,
                rel: Any = None, *_: Any, **__: Any) -> int:
    text = _text(value)
    _width("the limit", trim_url_limit or 0)
    return len(text) + (len(text) // 4 + 1) * (64 + len(_text(target)) + len(_text(rel)))


FILTER_ESTIMATES: dict[str, Callable[..., int]] = {
    "replace": _est_replace, "join": _est_join, "indent": _est_indent, "center": _est_center,
    "wordwrap": _est_wordwrap, "truncate": _est_truncate, "batch": _est_fill, "slice": _est_fill,
    "format": _est_format, "tojson": _est_tojson, "sum": _est_sum, "urlize": _est_urlize,
    "round": lambda value, precision=0, *_, **__: _width("the precision", precision),
}


def _est_str_join(sep: str, iterable: Any = (), *_: Any) -> int:
    return _est_join(iterable, sep)


def _est_translate(text: str, table: Any = None, *_: Any) -> int:
    longest = max((size_of(v) for v in table.values()), default=1) if isinstance(table, dict) else 1
    return len(text) * max(longest, 1)


def _est_expandtabs(text: str, tabsize: Any = 8, *_: Any) -> int:
    return len(text) + text.count("\t") * _width("the tab size", tabsize)


def _est_pad(text: str, width: Any = 0, *_: Any) -> int:
    return len(text) + _width("the width", width)


STR_METHOD_ESTIMATES: dict[str, Callable[..., int]] = {
    "replace": lambda text, old="", new="", count=-1, *_: _est_replace(text, old, new, count),
    "join": _est_str_join, "translate": _est_translate, "expandtabs": _est_expandtabs,
    "center": _est_pad, "ljust": _est_pad, "rjust": _est_pad, "zfill": _est_pad,
}
