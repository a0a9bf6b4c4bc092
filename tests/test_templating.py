"""Clause bodies: sandboxed Jinja, strict about missing and empty values, escaping every value."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msa_builder.blocks import ListBlock, Paragraph, Table, inline_text, parse_markdown
from msa_builder.errors import LibraryError, RenderError
from msa_builder.library.load import parse_clause
from msa_builder.profile import _clean_text
from msa_builder.templating import MarkdownText, markdown_escape, render_clause, template_variables

FRONT = """\
---
id: terms.test
variant: standard
version: 1.0.0
title: Test
status: approved
effective: 2025-01-01
applies_when: "true"
changelog: First release.
---
"""
BODY_LINE = FRONT.count("\n") + 1  # the file line of the body's first line


def clause(body: str):
    return parse_clause("slots/terms.test/standard/1.0.0.md", (FRONT + body).encode("utf-8"), where="test.md")


CONTEXT = {
    "client": {"legal_name": "Harbor & Finch LLP", "address": "1 Market St", "blank": "   ", "none": None,
               "signatory": {"name": "Dana Reyes"}},
    "params": {"cure_days": "30 days", "empty": ""},
    "declined": [{"name": "Multi-Factor Authentication"}, {"name": "Managed Backup"}],
    "flag": True,
}


def test_values_are_escaped_for_markdown():
    assert render_clause(clause("The Client is {{ client.legal_name }}.\n"), CONTEXT) == \
        "The Client is Harbor \\& Finch LLP.\n"


def test_markdown_text_values_are_not_escaped_twice():
    context = {**CONTEXT, "client": {**CONTEXT["client"], "legal_name": MarkdownText("**Bold** LLP")}}
    assert render_clause(clause("{{ client.legal_name }}\n"), context) == "**Bold** LLP\n"


def test_blocks_trim_their_own_line_breaks():
    body = "{% for d in declined %}\n- {{ d.name }}\n{% endfor %}\n"
    assert render_clause(clause(body), CONTEXT) == "- Multi\\-Factor Authentication\n- Managed Backup\n"


def test_a_missing_variable_names_the_clause_the_line_and_the_expression():
    body = "First line.\n\nSecond paragraph with {{ client.shoe_size }}.\n"
    with pytest.raises(RenderError) as caught:
        render_clause(clause(body), CONTEXT)
    error = caught.value
    assert error.message.startswith("terms.test:standard@1.0.0: undefined variable")
    assert "`Second paragraph with {{ client.shoe_size }}.`" in error.message
    assert "'shoe_size'" in error.message
    assert error.file == "slots/terms.test/standard/1.0.0.md"
    assert error.line == BODY_LINE + 2


def test_an_unknown_top_level_name_is_an_error():
    with pytest.raises(RenderError, match="'nobody' is undefined"):
        render_clause(clause("Hello {{ nobody }}.\n"), CONTEXT)


def test_an_unknown_name_in_a_condition_is_an_error_not_false():
    with pytest.raises(RenderError, match="undefined variable"):
        render_clause(clause("{% if client.vip %}VIP{% endif %}Done.\n"), CONTEXT)


@pytest.mark.parametrize("expression", ["client.blank", "client.none", "params.empty", "flag"])
def test_an_empty_value_is_an_error(expression):
    with pytest.raises(RenderError) as caught:
        render_clause(clause(f"Intro.\nThe value is {{{{ {expression} }}}}.\n"), CONTEXT)
    assert "a value rendered empty" in caught.value.message
    assert expression in caught.value.message
    assert caught.value.line == BODY_LINE + 1


def test_zero_is_not_empty():
    assert render_clause(clause("{{ 0 }}\n"), CONTEXT) == "0\n"


@pytest.mark.parametrize("body, fragment", [
    ("{{ ''.__class__.__mro__ }}\n", "unsafe"),
    ("{{ client.legal_name.__class__.__mro__[1].__subclasses__() }}\n", "unsafe"),
    ("{{ client.update({'legal_name': 'x'}) }}\n", "unsafe"),
    ("{% for i in range(10 ** 6) %}{% endfor %}x\n", "Range too big"),
    ("{{ 2.0 ** 10000 }}\n", "out of range"),
    ("{{ client | dictsort(by='nope') }}\n", "sort by"),
])
def test_sandbox_and_runtime_failures_are_render_errors(body, fragment):
    with pytest.raises(RenderError) as caught:
        render_clause(clause(body), CONTEXT)
    assert fragment in caught.value.message
    assert caught.value.message.startswith("terms.test:standard@1.0.0: cannot render")
    assert CONTEXT["client"]["legal_name"] == "Harbor & Finch LLP"


def test_template_syntax_error_is_a_library_error_with_the_file_line():
    with pytest.raises(LibraryError) as caught:
        render_clause(clause("Line one.\n{% if client.legal_name %}\nunclosed\n"), CONTEXT)
    assert caught.value.message.startswith("template syntax error")
    assert caught.value.file == "slots/terms.test/standard/1.0.0.md"
    assert caught.value.line is not None and caught.value.line >= BODY_LINE + 1


def test_template_variables_are_dotted_and_skip_loop_names():
    body = ("{{ client.legal_name }} {{ client.signatory.name }} {{ tier_name }}\n"
            "{% for d in declined %}{% if not loop.first %}; {% endif %}{{ d.name }}{% endfor %}\n"
            "{% set x = params.cure_days %}{{ x }}\n")
    assert template_variables(clause(body)) == {"client.legal_name", "client.signatory.name", "tier_name",
                                                 "declined", "params.cure_days"}


# --- Escaping: markdown_escape(text), parsed as Markdown, gives back the text ----------------------

PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def test_every_ascii_punctuation_character_is_escaped():
    assert markdown_escape(PUNCTUATION) == "".join("\\" + ch for ch in PUNCTUATION)


def test_line_breaks_in_a_value_become_spaces():
    assert markdown_escape("1 Market St\nSan Francisco") == "1 Market St San Francisco"


def _client_text() -> st.SearchStrategy[str]:
    """Text a profile accepts on one line: anything printable, with the special cases drawn often."""
    special = st.sampled_from(list(PUNCTUATION) + ["&amp;", "&#x41;", "1.", "# ", "- ", "> ", "|", "\\", "**",
                                                   "é", "Ñ", "שלום", "مرحبا", "🎉", "👩‍⚖️", "\u00a0", "\t", "  "])
    ordinary = st.characters(blacklist_categories=("Cs", "Cc"))
    pieces = st.lists(st.one_of(special, ordinary.map(str), st.text(ordinary, max_size=5)), min_size=1, max_size=12)
    return pieces.map("".join).filter(_accepted)


def _accepted(text: str) -> bool:
    try:
        return _clean_text(text) == text
    except ValueError:
        return False


@settings(max_examples=150, deadline=None)
@given(_client_text())
def test_escaped_text_reads_back_exactly_in_a_paragraph(text):
    blocks = parse_markdown(markdown_escape(text), where="prop")
    assert len(blocks) == 1 and isinstance(blocks[0], Paragraph)
    assert inline_text(blocks[0].inlines) == text


@settings(max_examples=80, deadline=None)
@given(_client_text())
def test_escaped_text_reads_back_exactly_inside_a_clause(text):
    body = ("The Client is **{{ v }}**, of {{ v }}.\n\n"
            "1. first: {{ v }}\n2. second\n\n"
            "| Party | Name |\n|---|---|\n| Client | {{ v }} |\n")
    blocks = parse_markdown(render_clause(clause(body), {"v": text}), where="prop")
    paragraph, ordered, table = blocks
    assert isinstance(paragraph, Paragraph)
    assert inline_text(paragraph.inlines) == f"The Client is {text}, of {text}."
    assert [t.text for t in paragraph.inlines if t.bold] == [text]
    assert isinstance(ordered, ListBlock) and ordered.ordered
    assert inline_text(ordered.items[0][0].inlines) == f"first: {text}"
    assert isinstance(table, Table)
    assert inline_text(table.rows[0][1]) == text


@pytest.mark.parametrize("text", [
    "Harbor & Finch LLP", "<script>alert(1)</script>", "O'Brien \"Quoted\" Co.", "*Star* _under_ Co.",
    "A | B | C", "Café Crème", "شركة الخليج", "חברה בע\"מ", "Rocket 🚀 Labs", "[link](#definitions.core)",
    "{not a template}", "100% #1 ~best~",
])
def test_realistic_client_names_read_back_exactly(text):
    blocks = parse_markdown(markdown_escape(text), where="t")
    assert inline_text(blocks[0].inlines) == text


def test_on_a_long_line_the_message_still_names_the_expression():
    body = "Words " * 30 + "then {{ client.blank }} and more words.\n"
    with pytest.raises(RenderError) as caught:
        render_clause(clause(body), CONTEXT)
    assert "in `{{ client.blank }}`" in caught.value.message
    assert caught.value.line == BODY_LINE
