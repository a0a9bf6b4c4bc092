"""A Jinja2 sandbox that also bounds work and memory, for clause bodies, rules and Word shells.

Jinja's sandbox stops a template from reaching Python internals, not from asking for the
impossible: `10 ** (10 ** 10)` runs for hours, `'a' * 10**9` takes a gigabyte, and two nested
`range(99999)` loops never finish. A library is written by people, and `msa library lint` renders
every clause, so each render here gets a budget of steps, and every operation that can multiply
sizes checks the size it would make before making it:

- `**`, `*`, `+` and `%` are intercepted (SandboxedEnvironment's own hook) and refuse results
  beyond a size: numbers past MAX_INT_BITS, text or lists past MAX_SIZE characters or items
  (counting shared parts once per use, as printing them would);
- every call, attribute lookup, filter and loop iteration costs a step from the render's budget;
- `range()` is limited, and so is the text one render may write (MAX_OUTPUT);
- filters and methods that multiply their input (`join`, `replace`, `indent`, `center`,
  `format`...) are checked against an estimate of what they would produce.

Exceeding a limit raises LimitError, a SecurityError (so a TemplateRuntimeError): the callers
turn it into a RenderError or RuleError naming the clause.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from jinja2 import nodes
from jinja2.runtime import Context, LoopContext, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Cycler, Namespace, _PassArg, pass_context, pass_eval_context
from jinja2.visitor import NodeTransformer

from .errors import brief

MAX_STEPS = 100_000  # the most any clause of the shipped library takes is under 100
MAX_SIZE = 1_000_000  # characters of text, or items of a list (nested items included)
MAX_OUTPUT = 2_000_000  # characters one render may write
MAX_INT_BITS = 4096  # about 1,200 digits
MAX_RANGE = 10_000


class LimitError(SecurityError):
    """A template asked for more work or memory than one render may use."""


class _Budget:
    __slots__ = ("left", "steps")

    def __init__(self, steps: int) -> None:
        self.left = self.steps = steps


_budget: ContextVar[_Budget | None] = ContextVar("msa_sandbox_budget", default=None)


@contextmanager
def budget(steps: int = MAX_STEPS) -> Iterator[None]:
    """Give the renders inside this block `steps` steps in all; a nested block gets its own."""
    token = _budget.set(_Budget(steps))
    try:
        yield
    finally:
        _budget.reset(token)


def charge(steps: int = 1) -> None:
    """Spend steps of the current render's budget (nothing happens outside a `budget` block)."""
    current = _budget.get()
    if current is None:
        return
    current.left -= steps
    if current.left < 0:
        raise LimitError(f"the template takes more than {current.steps:,} steps; is a loop or a recursion "
                         "unbounded?")


def size_of(value: Any, limit: int = MAX_SIZE) -> int:
    """Characters and items in `value`, shared parts counted once per use; stops just past `limit`.

    This is the size printing the value would produce, which is what a YAML-style tree of shared
    lists (`[b, b, b]` of `[a, a, a]` of ...) makes enormous while its memory stays tiny.
    """
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, dict):
            total += len(item)
            if total <= limit:
                charge(len(item))
                stack.extend(item.keys())
                stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += len(item)
            if total <= limit:
                charge(len(item))
                stack.extend(item)
        elif isinstance(item, Namespace):
            total += 1
            stack.append(object.__getattribute__(item, "_Namespace__attrs"))
        else:
            total += 1
        if total > limit:
            return total
    return total


def _refuse_size(what: str, size: int) -> None:
    if size > MAX_SIZE:
        raise LimitError(f"{what} would hold more than {MAX_SIZE:,} characters or items")


def bounded(value: Any) -> Any:
    """`value`, if its printed form stays within MAX_SIZE."""
    _refuse_size("a value", size_of(value))
    return value


def _materialize(value: Any) -> Any:
    """A lazy iterator (from `map`, `select`...) as a list, refused as soon as it grows too large."""
    if not isinstance(value, Iterator) or isinstance(value, (LoopContext, Cycler)):
        return value
    items = []
    total = 0
    for item in value:
        charge()
        total += size_of(item) + 1
        _refuse_size("a sequence", total)
        items.append(item)
    return items


# -- operators -------------------------------------------------------------------------------------

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_pow(base: Any, exponent: Any) -> None:
    if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
        if exponent > MAX_INT_BITS or exponent * (base.bit_length() - 1) > MAX_INT_BITS:
            raise LimitError(f"{brief(base)} ** {brief(exponent)} is too large a number "
                             f"(more than {MAX_INT_BITS:,} bits)")


def _check_mul(left: Any, right: Any) -> None:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and _is_int(times):
            if times > 0 and times > MAX_SIZE // max(size_of(sequence), 1):
                raise LimitError(f"repeating a value {brief(times)} times would make more than "
                                 f"{MAX_SIZE:,} characters or items")
            return
    if _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise LimitError(f"the product is too large a number (more than {MAX_INT_BITS:,} bits)")


def _check_add(left: Any, right: Any) -> None:
    if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        _refuse_size("the sum", size_of(left) + size_of(right))


_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")


def _check_percent_format(fmt: str, args: Any) -> None:
    """`'%1000000000s' % x` allocates a gigabyte: refuse widths, and estimate the result."""
    fields = _PERCENT.findall(fmt)
    widest = 0
    for width, precision, _ in fields:
        for part in (width, precision):
            if part == "*":
                values = args if isinstance(args, tuple) else (args,)
                widest = max([widest, *(abs(v) for v in values if _is_int(v))])
            elif part:
                widest = max(widest, int(part[:19]))
    if widest > MAX_SIZE:
        raise LimitError(f"a format width of {widest:,} is more than {MAX_SIZE:,} characters")
    _refuse_size("the formatted text", len(fmt) + len(fields) * (size_of(args) + widest))


def _check_brace_format(fmt: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
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
    _refuse_size("the formatted text", len(fmt) + len(fields) * (size_of([args, kwargs]) + widest))


def _check_mod(left: Any, right: Any) -> None:
    if isinstance(left, str):
        _check_percent_format(left, right)


_BINOP_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "**": _check_pow, "*": _check_mul, "+": _check_add, "%": _check_mod,
}


# -- filters and methods that multiply their input -------------------------------------------------

def _width(name: str, value: Any) -> int:
    if _is_int(value) and abs(value) > MAX_SIZE:
        raise LimitError(f"{name} of {brief(value)} is more than {MAX_SIZE:,}")
    return abs(value) if _is_int(value) else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _replacements(text: str, old: str, count: Any) -> int:
    most = len(text) + 1 if not old else len(text) // len(old)
    return min(most, count) if _is_int(count) and count >= 0 else most


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


_FILTER_ESTIMATES: dict[str, Callable[..., int]] = {
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


_STR_METHOD_ESTIMATES: dict[str, Callable[..., int]] = {
    "replace": lambda text, old="", new="", count=-1, *_: _est_replace(text, old, new, count),
    "join": _est_str_join, "translate": _est_translate, "expandtabs": _est_expandtabs,
    "center": _est_pad, "ljust": _est_pad, "rjust": _est_pad, "zfill": _est_pad,
}


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    estimate = _FILTER_ESTIMATES.get(name)
    passes = 1 if _PassArg.from_obj(func) is not None else 0  # a context or environment comes first

    @functools.wraps(func)  # keeps Jinja's pass_context / pass_environment marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        charge()
        lead = args[:passes]
        data = [_materialize(a) for a in args[passes:]]
        kwargs = {k: _materialize(v) for k, v in kwargs.items()}
        _refuse_size(f"the input of |{name}", size_of([data, kwargs]))
        if estimate is not None and data:
            _refuse_size(f"the result of |{name}", estimate(*data, **kwargs))
        return bounded(func(*lead, *data, **kwargs))

    return guarded


@pass_context  # never folded into a constant at compile time
def _counted(context: Any, value: Any) -> Iterator[Any]:
    """What a `{% for %}` loop iterates: its items, one step each."""
    for item in value:
        charge()
        yield item


@pass_eval_context
def _concat(eval_ctx: Any, items: list[Any]) -> str:
    """The `~` operator, with its result's size checked before it is built."""
    _refuse_size("the joined text", sum(size_of(item) for item in items))
    join = markup_join if eval_ctx.autoescape else str_join
    return join(items)


class _Bound(NodeTransformer):
    """Route loops and `~` through the guards above (neither has a sandbox hook of its own)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "_msa_counted", [], [], None, None, lineno=node.iter.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), "_msa_concat", [], [], None, None,
                            lineno=node.lineno)


def _bounded_range(*args: Any) -> range:
    numbers = range(*args)
    try:
        length = len(numbers)
    except OverflowError:
        length = MAX_RANGE + 1
    if length > MAX_RANGE:
        raise LimitError(f"Range too big: range() may give at most {MAX_RANGE:,} numbers")
    return numbers


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with every render's work and memory bounded (see the module doc)."""

    intercepted_binops = frozenset(_BINOP_CHECKS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        inner = kwargs.pop("finalize", None)
        super().__init__(*args, finalize=(lambda value: inner(bounded(value))) if inner else bounded, **kwargs)
        self.globals["range"] = _bounded_range
        self.globals.pop("lipsum", None)  # lorem ipsum by the megabyte has no place in a contract
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}
        self.filters["_msa_counted"] = _counted
        self.filters["_msa_concat"] = _concat

    def _generate(self, source: nodes.Template, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        return super()._generate(_Bound().visit(source), name, filename, defer_init)

    def concat(self, pieces: Iterable[str]) -> str:  # type: ignore[override]
        """Join a render's output, refusing it as soon as it passes MAX_OUTPUT characters."""
        out = []
        total = 0
        for piece in pieces:
            total += len(piece)
            if total > MAX_OUTPUT:
                raise LimitError(f"the template writes more than {MAX_OUTPUT:,} characters")
            out.append(piece)
        return "".join(out)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        charge()
        _BINOP_CHECKS[operator](left, right)
        return bounded(self.binop_table[operator](left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        charge()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        charge()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__

        @functools.wraps(wrapped)
        def checked(*args: Any, **kwargs: Any) -> str:
            _check_brace_format(fmt, args, kwargs)
            return wrapped(*args, **kwargs)

        return checked

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        charge()
        args = tuple(_materialize(a) for a in args)
        kwargs = {k: _materialize(v) for k, v in kwargs.items()}
        owner = getattr(__obj, "__self__", None)
        _refuse_size("the arguments", size_of([args, kwargs]))
        if isinstance(owner, str):
            estimate = _STR_METHOD_ESTIMATES.get(getattr(__obj, "__name__", ""))
            if estimate is not None:
                _refuse_size("the result", estimate(owner, *args, *kwargs.values()))
        return bounded(super().call(__context, __obj, *args, **kwargs))
