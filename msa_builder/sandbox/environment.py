"""The bounded Jinja environment: guards on filters, calls, loops, `~` and output (see the package doc)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.runtime import Context, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg, pass_context, pass_eval_context
from jinja2.visitor import NodeTransformer

from .estimates import BINOP_CHECKS, FILTER_ESTIMATES, STR_METHOD_ESTIMATES, check_brace_format
from .limits import MAX_OUTPUT, MAX_RANGE, LimitError, bounded, charge, materialize, refuse_size, size_of


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    estimate = FILTER_ESTIMATES.get(name)
    passes = 1 if _PassArg.from_obj(func) is not None else 0  # a context or environment comes first

    @functools.wraps(func)  # keeps Jinja's pass_context / pass_environment marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        charge()
        lead = args[:passes]
        data = [materialize(a) for a in args[passes:]]
        kwargs = {k: materialize(v) for k, v in kwargs.items()}
        refuse_size(f"the input of |{name}", size_of([data, kwargs]))
        if estimate is not None and data:
            refuse_size(f"the result of |{name}", estimate(*data, **kwargs))
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
    refuse_size("the joined text", sum(size_of(item) for item in items))
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

    intercepted_binops = frozenset(BINOP_CHECKS)

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

    def concat(self, pieces: Iterable[str]) -> str:
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
        BINOP_CHECKS[operator](left, right)
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
            check_brace_format(fmt, args, kwargs)
            return wrapped(*args, **kwargs)

        return checked

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        charge()
        args = tuple(materialize(a) for a in args)
        kwargs = {k: materialize(v) for k, v in kwargs.items()}
        owner = getattr(__obj, "__self__", None)
        refuse_size("the arguments", size_of([args, kwargs]))
        if isinstance(owner, str):
            estimate = STR_METHOD_ESTIMATES.get(getattr(__obj, "__name__", ""))
            if estimate is not None:
                refuse_size("the result", estimate(owner, *args, *kwargs.values()))
        return bounded(super().call(__context, __obj, *args, **kwargs))
