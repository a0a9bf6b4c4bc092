"""Conspicuous text: `{.conspicuous}` in clause Markdown, bold capitals in Word, capitals in the text."""

from __future__ import annotations

import pytest

from msa_builder.blocks import ListBlock, Paragraph, Ref, Text, block_lines, is_conspicuous, map_refs, parse_markdown
from msa_builder.errors import LibraryError
from msa_builder.render.wordml import WordWriter
from msa_builder.templating import markdown_escape

BODY = ("Ordinary words.\n\n{.conspicuous}\nThe Provider disclaims every implied warranty, as [](#x) says.\n\n"
        "{.conspicuous}\n1. first limit;\n2. second limit.\n\nMore ordinary words.\n")


def test_the_attribute_marks_the_next_paragraph_or_list_and_nothing_else():
    blocks = parse_markdown(BODY, where="t")
    assert [is_conspicuous(b) for b in blocks] == [False, True, True, False]
    marked = blocks[1]
    assert isinstance(marked, Paragraph)
    assert all(i.bold and i.caps for i in marked.inlines if isinstance(i, Text))
    assert isinstance(blocks[2], ListBlock)
    assert all(p.conspicuous for item in blocks[2].items for p in item)
    # The drafted case is kept: capitals are a property, never typed.
    assert "The Provider disclaims" in marked.inlines[0].text


def test_plain_text_shows_conspicuous_text_in_capitals_references_included():
    blocks = map_refs(parse_markdown(BODY, where="t"), lambda r: Ref(r.target, "Section 9.3"))
    lines = block_lines(blocks)
    assert lines[0] == "Ordinary words."
    assert lines[1] == "THE PROVIDER DISCLAIMS EVERY IMPLIED WARRANTY, AS SECTION 9.3 SAYS."
    assert lines[2:4] == ["(a) FIRST LIMIT;", "(b) SECOND LIMIT."]
    assert lines[4] == "More ordinary words."


def test_word_prints_conspicuous_runs_bold_with_the_caps_effect():
    blocks = map_refs(parse_markdown(BODY, where="t"), lambda r: Ref(r.target, "Section 9.3"))
    xml = WordWriter().blocks(blocks)
    paragraphs = xml.split("</w:p>")
    assert "<w:caps/>" not in paragraphs[0]
    assert "<w:rPr><w:b/><w:caps/></w:rPr>" in paragraphs[1]
    # The cross-reference's cached number is formatted like the words around it.
    assert '<w:r><w:rPr><w:b/><w:caps/></w:rPr><w:t xml:space="preserve">9.3</w:t></w:r>' in paragraphs[1]
    assert "<w:caps/>" in paragraphs[2] and "<w:caps/>" in paragraphs[3]
    assert "<w:caps/>" not in paragraphs[4]


@pytest.mark.parametrize("attribute", ["{.loud}", "{#id}", "{.conspicuous .loud}", "{lang=fr}"])
def test_any_other_block_attribute_is_an_error_naming_it(attribute):
    with pytest.raises(LibraryError, match="unknown block attribute"):
        parse_markdown(f"{attribute}\nText.\n", where="clause.md")


def test_client_data_can_never_become_an_attribute():
    escaped = markdown_escape("{.conspicuous}")
    blocks = parse_markdown(f"{escaped}\nText.\n", where="t")
    assert not any(is_conspicuous(b) for b in blocks)
    assert "{.conspicuous}" in block_lines(blocks)[0]
