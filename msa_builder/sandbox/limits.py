"""The limits of one render and the budget it spends: the measures every guard of the sandbox uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.utils import Cycler, Namespace

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


def refuse_size(what: str, size: int) -> None:
    if size > MAX_SIZE:
        raise LimitError(f"{what} would hold more than {MAX_SIZE:,} characters or items")


def bounded(value: Any) -> Any:
    """`value`, if its printed form stays within MAX_SIZE."""
    refuse_size("a value", size_of(value))
    return value


def materialize(value: Any) -> Any:
    """A lazy iterator (from `map`, `select`...) as a list, refused as soon as it grows too large."""
    if not isinstance(value, Iterator) or isinstance(value, (LoopContext, Cycler)):
        return value
    items = []
    total = 0
    for item in value:
        charge()
        total += size_of(item) + 1
        refuse_size("a sequence", total)
        items.append(item)
    return items


# -- operators -------------------------------------------------------------------------------------


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
