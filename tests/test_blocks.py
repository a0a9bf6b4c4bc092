"""The block model between clause Markdown and every renderer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from msa_builder.blocks import (
    Heading,
    LineBreak,
    ListBlock,
    Paragraph,
    Ref,
    Table,
    Text,
    block_lines,
    inline_text,
    map_refs,
    parse_markdown,
)
from msa_builder.errors import LibraryError


def test_paragraphs_with_bold_and_italic_runs():
    (para,) = parse_markdown('The **"Client"** is *here* now.', where="t")
    assert para == Paragraph((Text("The "), Text('"Client"', bold=True), Text(" is "),
                              Text("here", italic=True), Text(" now.")))


def test_soft_breaks_join_lines_and_neighbouring_runs_merge():
    (para,) = parse_markdown("one\ntwo", where="t")
    assert para.inlines == (Text("one two"),)


def test_hard_break():
    (para,) = parse_markdown("one  \ntwo", where="t")
    assert para.inlines == (Text("one"), LineBreak(), Text("two"))


def test_headings_keep_their_level():
    blocks = parse_markdown("### Multi-Factor Authentication\n\nText.", where="t")
    assert blocks[0] == Heading(3, (Text("Multi-Factor Authentication"),))


def test_ordered_lists_nest_and_are_labelled_a_then_i():
    blocks = parse_markdown("1. first\n2. second\n   1. inner one\n   2. inner two\n3. third\n", where="t")
    (outer,) = blocks
    assert isinstance(outer, ListBlock) and outer.ordered and len(outer.items) == 3
    assert block_lines(blocks) == ["(a) first", "(b) second", "(i) inner one", "(ii) inner two", "(c) third"]


def test_bullet_lists_are_bullets():
    blocks = parse_markdown("- one\n- two\n", where="t")
    assert blocks[0].ordered is False
    assert block_lines(blocks) == ["• one", "• two"]


def test_pipe_tables():
    blocks = parse_markdown("| Control | Status |\n|---|---|\n| MFA | Declined |\n| EDR | Accepted |\n", where="t")
    (table,) = blocks
    assert isinstance(table, Table)
    assert [inline_text(c) for c in table.header] == ["Control", "Status"]
    assert [[inline_text(c) for c in row] for row in table.rows] == [["MFA", "Declined"], ["EDR", "Accepted"]]
    assert block_lines(blocks) == ["Control | Status", "MFA | Declined", "EDR | Accepted"]


def test_cross_reference_is_a_ref_block():
    (para,) = parse_markdown("As [](#liability.limitation) provides.", where="t")
    assert para.inlines == (Text("As "), Ref("liability.limitation"), Text(" provides."))


def test_cross_reference_with_link_text_is_refused():
    with pytest.raises(LibraryError) as caught:
        parse_markdown("See [the cap](#liability.limitation).", where="slots/x.md")
    assert "must have empty text" in caught.value.message
    assert caught.value.file == "slots/x.md"


def test_ordinary_links_keep_only_their_text():
    (para,) = parse_markdown("Visit [our site](https://example.com).", where="t")
    assert inline_text(para.inlines) == "Visit our site."


def test_raw_html_is_text_not_markup():
    (para,) = parse_markdown("A <b>bold</b> claim", where="t")
    assert para.inlines == (Text("A <b>bold</b> claim"),)


def test_code_fences_become_plain_paragraphs():
    blocks = parse_markdown("```\nline one\n\nline two\n```\n", where="t")
    assert blocks == (Paragraph((Text("line one"),)), Paragraph((Text("line two"),)))


def test_map_refs_reaches_refs_in_lists_tables_and_headings():
    markdown = ("## See [](#a.one)\n\n1. item [](#a.two)\n\n"
                "| Where | Ref |\n|---|---|\n| here | [](#a.three) |\n\nAnd [](#a.four).\n")
    labels = {"a.one": "Section 1.1", "a.two": "Section 1.2", "a.three": "Schedule A", "a.four": "Schedule B"}
    blocks = map_refs(parse_markdown(markdown, where="t"), lambda r: replace(r, label=labels[r.target]))
    assert block_lines(blocks) == ["See Section 1.1", "(a) item Section 1.2", "Where | Ref", "here | Schedule A",
                                   "And Schedule B."]


def test_unresolved_refs_render_as_empty_text_until_labelled():
    (para,) = parse_markdown("Per [](#a.b).", where="t")
    assert inline_text(para.inlines) == "Per ."
