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

from .errors import LibraryError, RuleError, brief, clip
from .sandbox import BoundedSandbox, budget

RULE_NAMES = ("tier", "industry", "users", "controls", "declined", "params", "jurisdiction", "required", "regulators")
RULE_STEPS = 10_000  # a rule is one expression; the shipped ones take a few steps

_env = BoundedSandbox(undefined=StrictUndefined)


def _shown(source: str) -> str:
    """A rule as quoted in a message: whole unless it is absurdly long."""
    return repr(clip(source, 200))


@dataclass(frozen=True)
class Rule:
    """A compiled applicability rule and the profile values it reads."""

    source: str
    names: tuple[str, ...]  # dotted paths the expression reads, e.g. ("tier", "controls.backup")
    _compiled: Any

    def evaluate(self, context: Mapping[str, Any], *, where: str) -> bool:
        try:
            with budget(RULE_STEPS):
                return bool(self._compiled(**context))
        except UndefinedError as exc:
            raise RuleError(f"rule {_shown(self.source)} failed: {exc.message}", file=where,
                            field="applies_when", allowed=RULE_NAMES) from None
        # The sandbox raises SecurityError (a TemplateRuntimeError, like our LimitError); filters
        # raise their own runtime errors, and arithmetic can overflow (`2.0 ** 10000`): all are a
        # broken rule, not a crash.
        except (TemplateRuntimeError, ArithmeticError, LookupError, TypeError, ValueError, RecursionError,
                MemoryError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else clip(str(exc))
            raise RuleError(f"rule {_shown(self.source)} failed: {reason}", file=where,
                            field="applies_when") from None

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
        raise LibraryError(f"rule {_shown(source)} is not a valid expression: {exc.message}",
                           file=where, field="applies_when") from None
    except RecursionError:
        raise LibraryError(f"rule {_shown(source)} is not a valid expression: nested too deeply",
                           file=where, field="applies_when") from None
    names = tuple(_paths(template))
    for name in names:
        if name.split(".")[0] not in RULE_NAMES:
            raise LibraryError(f"rule {_shown(source)} reads {brief(name.split('.')[0])}, which rules cannot see",
                               file=where, field="applies_when", allowed=RULE_NAMES)
    return Rule(source=source, names=names, _compiled=compiled)


_compiled_rules: dict[str, Rule] = {}


def rule_for(source: str, *, where: str) -> Rule:
    """The compiled rule for an `applies_when` source, compiled once per process.

    Compiled rules hold generated code, so they live in this cache beside the library rather than
    in it: a `Library` (and every Selection or Agreement made from it) stays plain, picklable data.
    """
    rule = _compiled_rules.get(source)
    if rule is None:
        rule = _compiled_rules[source] = compile_rule(source, where=where)
    return rule
