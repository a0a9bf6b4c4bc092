"""Applicability rules: sandboxed Jinja expressions, never Python eval, strict about names."""

from __future__ import annotations

import builtins

import pytest

from msa_builder.errors import LibraryError, RuleError
from msa_builder.library.load import load_library
from msa_builder.rules import RULE_NAMES, compile_rule, rule_for

CONTEXT = {
    "tier": "managed",
    "industry": "healthcare",
    "users": 45,
    "jurisdiction": "Ohio",
    "controls": {"mfa": "accepted", "backup": "declined", "edr": "client_managed"},
    "declined": ["backup"],
    "params": {"client_cyber_insurance_minimum": 2000000, "qbr_cadence": "quarterly"},
}


def evaluate(source: str, context: dict | None = None) -> bool:
    return compile_rule(source, where="rule.md").evaluate(context or CONTEXT, where="rule.md")


@pytest.mark.parametrize("source, expected", [
    ("true", True),
    ("false", False),
    ("tier == 'managed'", True),
    ("tier == 'break_fix'", False),
    ("industry in ['healthcare', 'finance']", True),
    ("industry not in ['healthcare', 'finance']", False),
    ("declined | length > 0", True),
    ("declined | length == 0", False),
    ("'backup' in declined", True),
    ("controls.backup == 'accepted' and tier != 'break_fix'", False),
    ("controls['mfa'] == 'accepted'", True),
    ("users >= 45", True),
    ("users > 100", False),
    ("params.client_cyber_insurance_minimum >= 2000000", True),
    ("jurisdiction == 'Ohio'", True),
])
def test_rules_from_the_readme_evaluate(source, expected):
    assert evaluate(source) is expected


def test_rule_reports_the_dotted_values_it_reads():
    rule = compile_rule("controls.backup == 'accepted' and tier != 'break_fix'", where="r")
    assert rule.names == ("controls.backup", "tier")
    assert rule.values(CONTEXT) == {"controls.backup": "declined", "tier": "managed"}


def test_subscript_with_a_constant_reads_as_a_dotted_name():
    assert compile_rule("controls['mfa'] == 'accepted'", where="r").names == ("controls.mfa",)


def test_rule_reading_no_names():
    rule = compile_rule("true", where="r")
    assert rule.names == ()
    assert rule.values(CONTEXT) == {}


# --- Names a rule may not read are rejected when the library loads --------------------------------


@pytest.mark.parametrize("source, name", [
    ("tiers == 'managed'", "tiers"),
    ("sector == 'legal'", "sector"),
    ("tier == 'managed' and client.users > 5", "client"),
    ("controls[control_id] == 'declined'", "control_id"),
    ("range(10) | length > 1", "range"),
    ("cycler('a') is defined", "cycler"),
    ("lipsum() is defined", "lipsum"),
    ("__import__('os').system('true')", "__import__"),
])
def test_rule_reading_an_unknown_name_is_rejected_at_compile(source, name):
    with pytest.raises(LibraryError) as caught:
        compile_rule(source, where="slots/a.b/c/1.0.0.md")
    error = caught.value
    assert f"reads {name!r}, which rules cannot see" in error.message
    assert error.file == "slots/a.b/c/1.0.0.md"
    assert error.field == "applies_when"
    assert error.allowed == RULE_NAMES


def test_rule_reading_an_unknown_name_stops_the_library_from_loading(mini):
    path = mini.clause("terms.extra", "legal", applies_when="sector == 'legal'", body="Text.\n")
    with pytest.raises(LibraryError) as caught:
        mini.load()
    assert caught.value.file == f"<mini>/{path}"
    assert "'sector'" in caught.value.message


@pytest.mark.parametrize("source", ["tier ==", "tier = 'managed'", "(tier", "tier == 'a' and", "lambda: 1",
                                    "tier }} {{ tier", "import os"])
def test_rule_syntax_errors_are_library_errors(source):
    with pytest.raises(LibraryError) as caught:
        compile_rule(source, where="r.md")
    assert "is not a valid expression" in caught.value.message
    assert caught.value.field == "applies_when"


def test_syntax_error_message_describes_the_rule_not_an_internal_wrapper():
    with pytest.raises(LibraryError) as caught:
        compile_rule("tier ==", where="r.md")
    assert "')'" not in caught.value.message


# --- Malicious rules cannot run --------------------------------------------------------------------


MALICIOUS = [
    "''.__class__.__mro__",
    "''.__class__.__mro__[1].__subclasses__()",
    "''.__class__.__mro__[1].__subclasses__() | length > 0",
    "tier.__class__.__subclasses__()",
    "users.__init__.__globals__",
    "controls.__class__.__init__.__globals__['os']",
    "params.__class__.__base__.__subclasses__()",
    "'' | attr('__class__')",
    "'{0.__class__.__mro__}'.format(users)",
    "controls.update({'mfa': 'declined'}) is none",
    "declined.append('mfa') is none",
]


@pytest.mark.parametrize("source", MALICIOUS)
def test_malicious_rule_cannot_run_and_yields_our_error(source):
    context = {**CONTEXT, "controls": dict(CONTEXT["controls"]), "declined": list(CONTEXT["declined"])}
    with pytest.raises((LibraryError, RuleError)) as caught:
        compile_rule(source, where="evil.md").evaluate(context, where="evil.md")
    assert caught.value.file == "evil.md"
    assert caught.value.field == "applies_when"
    assert "unsafe" in caught.value.message or "cannot see" in caught.value.message
    # The immutable sandbox also keeps a rule from changing what later rules see.
    assert context["controls"] == CONTEXT["controls"]
    assert context["declined"] == CONTEXT["declined"]


def test_rules_never_go_through_python_eval(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("Python eval was called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    assert evaluate("industry in ['healthcare', 'finance'] and declined | length == 1") is True
    with pytest.raises(RuleError):
        evaluate("''.__class__.__mro__[1].__subclasses__()")


def test_malicious_rule_in_a_library_is_a_lint_error_not_a_crash(mini):
    mini.clause("terms.extra", "legal", applies_when="''.__class__.__mro__[1].__subclasses__() | length > 0",
                body="The Provider shall keep privileged material apart from other data.\n")
    mini.release()
    errors = mini.errors()
    assert any("terms.extra/legal" in f.file and "unsafe" in f.message for f in errors)


# --- Rules that compile but fail on a profile raise RuleError, never a raw exception --------------


@pytest.mark.parametrize("source, fragment", [
    ("params.nope > 1", "has no attribute 'nope'"),
    ("controls.bakup == 'accepted'", "has no attribute 'bakup'"),
    ("users > 'many'", "not supported"),
    ("users // 0 > 1", "division"),
    ("(2.0 ** 10000) > 1", "range"),
    ("params | dictsort(by='nope')", "sort by"),
])
def test_rule_failing_at_evaluation_is_a_rule_error(source, fragment):
    with pytest.raises(RuleError) as caught:
        evaluate(source)
    assert source in caught.value.message
    assert fragment in caught.value.message
    assert caught.value.file == "rule.md"


def test_misspelt_name_is_an_error_not_silently_false():
    rule = compile_rule("controls.bakup == 'declined'", where="r")
    with pytest.raises(RuleError) as caught:
        rule.evaluate(CONTEXT, where="r")
    assert caught.value.allowed == RULE_NAMES


def test_rules_are_compiled_once_and_kept_beside_the_library(shipped_library):
    version = shipped_library.find("backup.recovery", "standard", "1.0.0")
    rule = rule_for(version.meta.applies_when, where=version.path)
    assert rule.names == ("controls.backup", "tier")
    assert rule_for(version.meta.applies_when, where="elsewhere") is rule
    assert not hasattr(shipped_library, "rules")  # compiled code would make the library unpicklable


def test_load_library_uses_the_loader_given(mini):
    library = load_library(mini.loader())
    assert library.location == "<mini>"
    assert library.find("terms.service", "premium").meta.applies_when == "tier == 'premium'"
