"""sandbox.py: clause bodies, rules and Word-shell tags cannot exhaust time or memory.

Every case here hung or took gigabytes before the sandbox bounded it; each must now be a
RenderError (or RuleError) naming the clause. No test measures time: a case that regressed would
hang or be killed for memory, not pass slowly.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from msa_builder.errors import LibraryError, RenderError, RuleError
from msa_builder.library.model import ClauseMeta, ClauseVersion
from msa_builder.rules import compile_rule
from msa_builder.sandbox import MAX_OUTPUT, BoundedSandbox, budget, size_of
from msa_builder.templating import render_clause

CONTEXT = {"client": {"legal_name": "Harbor & Finch LLP", "users": 45},
           "controls": [{"id": "mfa", "status": "declined", "name": "MFA"}] * 6, "declined": [], "params": {}}
RULE_CONTEXT = {"tier": "managed", "industry": "legal", "users": 45, "controls": {"mfa": "declined"},
                "declined": ["mfa"], "params": {"fee": 100}, "jurisdiction": "Ohio"}


def clause(body: str) -> ClauseVersion:
    meta = ClauseMeta(id="terms.test", variant="standard", version="1.0.0", title="Test", status="approved",
                      effective=date(2025, 1, 1), applies_when="true", changelog="First release.")
    return ClauseVersion(meta=meta, body=body + "\n", path="slots/terms.test/standard/1.0.0.md",
                         sha256=hashlib.sha256(body.encode()).hexdigest(), body_line=11)


LOOP = "{% for i in range(9999) %}"
DOUBLING = "{% set ns = namespace(v=VALUE) %}{% for i in range(64) %}{% set ns.v = STEP %}{% endfor %}"

BOMBS = {
    "power": "{{ 10 ** (10 ** 10) }}",
    "power of a power": "{{ 9 ** 9 ** 9 ** 9 ** 9 }}",
    "product of powers": "{{ 2 ** 4000 * 2 ** 4000 }}",
    "string repetition": "{{ 'a' * 10**9 }}",
    "list repetition": "{{ ([1, 2] * 10**8)|length }}",
    "repetition of a repetition": "{{ ('a' * 1000) * 1000000 }}",
    "range": "{% for i in range(10**9) %}{% endfor %}x",
    "nested ranges": LOOP + LOOP + "{% endfor %}{% endfor %}x",
    "nested ranges with output": LOOP + LOOP + "x{% endfor %}{% endfor %}",
    "nested loops over data": "".join("{% for c" + str(i) + " in controls %}" for i in range(9)) + "x"
                              + "{% endfor %}" * 9,
    "doubling text with ~": DOUBLING.replace("VALUE", "'ab'").replace("STEP", "ns.v ~ ns.v") + "{{ ns.v|length }}",
    "doubling a list with +": DOUBLING.replace("VALUE", "[1]").replace("STEP", "ns.v + ns.v") + "{{ ns.v|length }}",
    "printing a tree of shared lists": DOUBLING.replace("VALUE", "['a']").replace("STEP", "[ns.v, ns.v]") + "{{ ns.v }}",
    "stringifying shared lists": DOUBLING.replace("VALUE", "['a']").replace("STEP", "[ns.v, ns.v]")
                                 + "{{ ns.v|string|length }}",
    "joining shared lists lazily": DOUBLING.replace("VALUE", "['a']").replace("STEP", "[ns.v, ns.v]")
                                   + "{{ ns.v|map('string')|join|length }}",
    "printing the namespace": DOUBLING.replace("VALUE", "['a']").replace("STEP", "[ns.v, ns.v]") + "{{ ns }}",
    "a list literal of big strings": "{% set a = 'a' * 1000000 %}{{ [a, a, a, a, a, a]|join|length }}",
    "center filter": "{{ 'a'|center(10**9) }}",
    "center method": "{{ 'a'.center(10**9) }}",
    "ljust method": "{{ 'a'.ljust(10**9) }}",
    "replace filter": "{{ ('a' * 100000)|replace('a', 'b' * 100000)|length }}",
    "replace method": "{{ ('a' * 100000).replace('a', 'b' * 100000)|length }}",
    "join method": "{{ ('x' * 100000).join(['a'] * 100000)|length }}",
    "expandtabs": "{{ ('\t' * 100000).expandtabs(100000)|length }}",
    "indent": "{{ ('a\n' * 400000)|indent('x' * 400000)|length }}",
    "wordwrap": "{{ ('x' * 100000)|wordwrap(1, wrapstring='y' * 100000)|length }}",
    "batch fill": "{{ [1, 2, 3]|batch(1000000, fill_with='x' * 1000000)|list|length }}",
    "percent width": "{{ '%1000000000s' % 1 }}",
    "format filter width": "{{ '%1000000000d'|format(1) }}",
    "str.format width": "{{ '{:>1000000000}'.format(1) }}",
    "str.format repetition": "{{ ('{0}' * 100000).format('x' * 1000)|length }}",
    "tojson indent": "{{ [[1, 2], [3]]|tojson(indent=1000000) }}",
    "recursive macro": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "exponential macro": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}x{% endmacro %}{{ f(60) }}",
    "recursive loop": "{% for i in [1] recursive %}{{ loop([1, 2]) }}{% endfor %}",
    "output size": "{% for i in range(5000) %}{{ 'a' * 1000 }}{% endfor %}",
    "block set output": "{% set x %}{% for i in range(5000) %}{{ 'a' * 1000 }}{% endfor %}{% endset %}{{ x|length }}",
    "sum of lists": "{{ [[1]] * 100000|sum(start=[])|length }}",
}


@pytest.mark.parametrize("body", list(BOMBS.values()), ids=list(BOMBS))
def test_every_bomb_is_a_render_error_naming_the_clause(body):
    with pytest.raises(RenderError) as caught:
        render_clause(clause(body), CONTEXT)
    assert caught.value.message.startswith("terms.test:standard@1.0.0: ")
    assert caught.value.file == "slots/terms.test/standard/1.0.0.md"
    assert len(caught.value.format()) < 2_000


def test_lipsum_is_not_available():
    with pytest.raises(RenderError, match="'lipsum' is undefined"):
        render_clause(clause("{{ lipsum(10**6) }}"), CONTEXT)


def test_an_expression_nested_too_deeply_to_compile_is_a_library_error():
    with pytest.raises(LibraryError, match="nested too deeply"):
        render_clause(clause("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"), CONTEXT)


@pytest.mark.parametrize("body, expected", [
    ("{{ client.legal_name }} has {{ controls|length }} controls", "Harbor \\& Finch LLP has 6 controls"),
    ("{{ 2 ** 10 }} {{ 10 ** 15 }} {{ 'ab' * 3 }} {{ [1, 2] + [3] }}", "1024 1000000000000000 ababab \\[1\\, 2\\, 3\\]"),
    ("{{ '%s and %s' % ('a', 'b') }} {{ '{} {}'.format('x', 'y') }} {{ 'a' ~ 'b' }}", "a and b x y ab"),
    ("{{ range(3)|list|join(',') }} {{ 'abc'|replace('b', 'B') }} {{ 'x'|center(5) }}", "0\\,1\\,2 aBc   x  "),
    ("{% for c in controls %}{% if loop.first %}{{ loop.length }} {{ c.name }}{% endif %}{% endfor %}.", "6 MFA."),
    ("{% set ns = namespace(n=0) %}{% for c in controls %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}", "6"),
    ("{% macro m(x) %}({{ x }}){% endmacro %}{{ m('a') }}", "\\(a\\)"),
])
def test_ordinary_templates_render_as_jinja_renders_them(body, expected):
    assert render_clause(clause(body), CONTEXT) == expected + "\n"


RULE_BOMBS = ["10 ** (10 ** 10) > 1", "('a' * 10**9)|length > 0", "users ** users ** users > 0",
              "tier * 10**9", "(params|string) * 10**7", "'%1000000000s'|format(tier)",
              "declined|join('x' * 1000000)|length > 0"]


@pytest.mark.parametrize("source", RULE_BOMBS)
def test_rule_bombs_are_rule_errors(source):
    rule = compile_rule(source, where="slots/x/y/1.0.0.md")
    with pytest.raises(RuleError) as caught:
        rule.evaluate(RULE_CONTEXT, where="slots/x/y/1.0.0.md")
    assert caught.value.file == "slots/x/y/1.0.0.md" and caught.value.field == "applies_when"


def test_a_rule_nested_too_deeply_is_a_library_error():
    with pytest.raises(LibraryError, match="nested too deeply"):
        compile_rule("(" * 5000 + "true" + ")" * 5000, where="x.md")


def test_a_budget_covers_its_block_and_a_nested_budget_is_its_own():
    env = BoundedSandbox()
    template = env.from_string("{% for i in range(9000) %}{% endfor %}ok")
    with budget(20_000):
        assert template.render() == "ok"  # about 9,000 steps
        with budget(100), pytest.raises(Exception, match="more than 100 steps"):
            template.render()
        assert template.render() == "ok"  # the outer budget's remainder still holds another 9,000
        with pytest.raises(Exception, match="more than 20,000 steps"):
            template.render()


def test_size_of_counts_shared_parts_once_per_use_and_stops_early():
    inner = ["x" * 10] * 10
    assert size_of(inner) == 10 + 100
    tree: list = ["a"]
    for _ in range(200):
        tree = [tree, tree]  # 2**200 leaves, a few hundred objects
    assert 1_000_000 < size_of(tree) < 1_000_100


def test_the_shell_environment_bounds_output_too():
    env = BoundedSandbox(autoescape=True)
    with pytest.raises(Exception, match=f"more than {MAX_OUTPUT:,} characters"):
        env.from_string("{% for i in range(3000) %}{{ 'a' * 1000 }}{% endfor %}").render()
