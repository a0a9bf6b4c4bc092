"""Applicability rules: small Jinja2 expressions over the profile, evaluated in a sandbox.

A rule like `tier == 'managed' and industry in ['healthcare', 'finance']` is compiled once with
Jinja's sandboxed expression compiler. No Python `eval`: the sandbox refuses attribute access to
internals, and strict undefined turns a misspelt name into an error rather than a silent false.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import TemplateRuntimeError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import LibraryError, RuleError

RULE_NAMES = ("tier", "industry", "users", "controls", "declined", "params", "jurisdiction", "required", "regulators")

_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined)


@dataclass(frozen=True)
class Rule:
    """A compiled applicability rule and the profile values it reads."""

    source: str
    names: tuple[str, ...]  # dotted paths the expression reads, e.g. ("tier", "controls.backup")
    _compiled: Any

    def evaluate(self, context: Mapping[str, Any], *, where: str) -> bool:
        try:
            return bool(self._compiled(**context))
        except UndefinedError as exc:
            raise RuleError(f"rule {self.source!r} failed: {exc.message}", file=where,
                            field="applies_when", allowed=RULE_NAMES) from None
        # The sandbox raises SecurityError (a TemplateRuntimeError); filters raise their own runtime
        # errors, and arithmetic can overflow (`2.0 ** 10000`): all are a broken rule, not a crash.
        except (TemplateRuntimeError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
            raise RuleError(f"rule {self.source!r} failed: {exc}", file=where, field="applies_when") from None

    def values(self, context: Mapping[str, Any]) -> dict[str, Any]:
        """The profile values this rule looked at, for explaining why it matched or not."""
        out: dict[str, Any] = {}
        for name in self.names:
            value: Any = context
            for part in name.split("."):
                value = value.get(part) if isinstance(value, Mapping) else None
            out[name] = value
        return out


def _paths(node: nodes.Node) -> list[str]:
    """Dotted names read by an expression: `controls.backup` rather than just `controls`."""
    found: list[str] = []

    def visit(n: nodes.Node) -> None:
        if isinstance(n, nodes.Getattr) and isinstance(n.node, nodes.Name):
            found.append(f"{n.node.name}.{n.attr}")
            return
        if (isinstance(n, nodes.Getitem) and isinstance(n.node, nodes.Name)
                and isinstance(n.arg, nodes.Const) and isinstance(n.arg.value, str)):
            found.append(f"{n.node.name}.{n.arg.value}")
            return
        if isinstance(n, nodes.Name):
            found.append(n.name)
            return
        for child in n.iter_child_nodes():
            visit(child)

    visit(node)
    return list(dict.fromkeys(found))


def compile_rule(source: str, *, where: str) -> Rule:
    """Compile a rule, checking syntax and that it reads only names rules may use."""
    try:
        # The expression first, so a syntax error describes the rule as written, not the wrapper.
        compiled = _env.compile_expression(source, undefined_to_none=False)
        template = _env.parse("{{ (" + source + ") }}")
    except TemplateSyntaxError as exc:
        raise LibraryError(f"rule {source!r} is not a valid expression: {exc.message}",
                           file=where, field="applies_when") from None
    names = tuple(_paths(template))
    for name in names:
        if name.split(".")[0] not in RULE_NAMES:
            raise LibraryError(f"rule {source!r} reads {name.split('.')[0]!r}, which rules cannot see",
                               file=where, field="applies_when", allowed=RULE_NAMES)
    return Rule(source=source, names=names, _compiled=compiled)
