"""Word-level diffing: what counts as a change, and that any redline accepts to the new text and rejects to the old."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from msa_builder.blocks import Block, LineBreak, ListBlock, Paragraph, Ref, Table, Text, block_lines
from msa_builder.ooxml.revisions import Revisions
from msa_builder.redline.flat import flatten
from msa_builder.redline.model import CLEAN, REDLINE, track
from msa_builder.redline.text import diff_text
from msa_builder.redline.worddiff import diff_tokens, inline_tokens
from msa_builder.redline.wordml import TrackedWriter
from redline.wordxml import kept_marks_between_insertions, lines, resolve, revisions

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def redline_xml(old: tuple[Block, ...], new: tuple[Block, ...], view=REDLINE) -> etree._Element:
    writer = TrackedWriter(Revisions("test", date(2026, 1, 1)))
    body = writer.items(track(flatten(old, prefix="o"), flatten(new, prefix="n"), view))
    # A closing paragraph, as every redline document has after its body.
    return etree.fromstring(f"<w:document {NS}><w:body>{body}<w:p/></w:body></w:document>")


def shown(old: tuple[Block, ...], new: tuple[Block, ...], *, accept: bool) -> list[str]:
    return lines(resolve(redline_xml(old, new), accept=accept))[:-1]


def words(text: str) -> list[str]:
    tokens, _, _ = inline_tokens((Text(text),))
    return [t.key for t in tokens]


def test_numbers_words_and_punctuation_are_tokens_and_spaces_are_not():
    assert words("a $3,000,000 cap, the Provider's 1.5% fee") == [
        "a", "$3,000,000", "cap", ",", "the", "Provider's", "1.5%", "fee"]
    tokens, trailing, _ = inline_tokens((Text("two  spaces "), Text("bold", bold=True)))
    assert [t.space for t in tokens] == ["", "  ", " "] and trailing == ""
    assert tokens[-1].bold and tokens[-1].space_format == (False, False)


def test_a_reference_compares_by_its_target_not_its_number():
    old, _, _ = inline_tokens((Text("see "), Ref("fees.payment", "Section 5.1")))
    new, _, _ = inline_tokens((Text("see "), Ref("fees.payment", "Section 6.1")))
    assert [op for op, _, _ in diff_tokens(old, new)] == ["eq", "eq"]
    other, _, _ = inline_tokens((Text("see "), Ref("fees.suspension", "Section 5.1")))
    ops = [(op, (a or b).kind) for op, a, b in diff_tokens(old, other) if (a or b).key]
    assert ops == [("eq", "word"), ("del", "ref"), ("ins", "ref")]


def test_a_rewritten_sentence_is_one_deletion_and_one_insertion_not_confetti():
    old = (Paragraph((Text("The Provider shall use reasonable care in the work."),)),)
    new = (Paragraph((Text("The Client shall bear the risk of any loss in the data."),)),)
    root = redline_xml(old, new)
    deleted = ["".join(d.itertext()) for d in root.iter("{*}del")]
    assert deleted[0] == "Provider shall use reasonable care", "a lone matching 'shall' is not kept"
    assert len(deleted) <= 2 and len(list(root.iter("{*}ins"))) <= 2


def test_unchanged_text_is_the_new_versions_bytes():
    old = (Paragraph((Text("Fees are  due monthly, in advance."),)),)
    new = (Paragraph((Text("Fees are due\u00a0monthly, in  advance, by ACH."),)),)
    accepted = shown(old, new, accept=True)
    assert accepted == ["Fees are due\u00a0monthly, in  advance, by ACH."]


def test_the_clean_view_has_no_revisions_and_the_new_text():
    old = (Paragraph((Text("Old words here."),)), ListBlock(True, ((Paragraph((Text("one"),)),),)))
    new = (Paragraph((Text("New words here."),)), ListBlock(True, ((Paragraph((Text("one"),)),),
                                                                   (Paragraph((Text("two"),)),))))
    root = redline_xml(old, new, CLEAN)
    assert revisions(root) == []
    assert lines(root)[:-1] == block_lines(new)


def test_a_paragraph_split_and_a_join_are_paragraph_mark_revisions():
    one = (Paragraph((Text("First sentence. Second sentence."),)),)
    two = (Paragraph((Text("First sentence."),)), Paragraph((Text("Second sentence."),)))
    split = redline_xml(one, two)
    assert split.find(".//{*}pPr/{*}rPr/{*}ins") is not None
    assert shown(one, two, accept=True) == block_lines(two) and shown(one, two, accept=False) == block_lines(one)
    assert shown(two, one, accept=True) == block_lines(one) and shown(two, one, accept=False) == block_lines(two)


def test_text_view_marks_words_and_whole_paragraphs():
    old = (Paragraph((Text("Keep this. Drop that."),)),)
    new = (Paragraph((Text("Keep this. Add more."),)), Paragraph((Text("A new paragraph."),)))
    out = "\n".join(diff_text(track(flatten(old), flatten(new))))
    assert "~ Keep this. [-Drop that-]{+Add more+}." in out
    assert "+ A new paragraph." in out
    assert out.startswith("@@ -1,1 +1,2 @@")


# --- Any two documents: Accept All gives the new one, Reject All the old one. ----------------------

VOCABULARY = ["the", "Client", "shall", "pay", "Fees", "$1,000", "notice", "within", "30", "days", ",", ".", ";",
              "Provider", "data", "may", "not", "(a)", "Services"]
_text = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=8).map(" ".join)
_inline = st.one_of(
    st.builds(Text, _text, st.booleans(), st.just(False)),
    st.sampled_from([Ref("fees.payment", "Section 5.1"), Ref("schedule.insurance", "Schedule E"), LineBreak()]),
)
_paragraph = st.builds(lambda first, rest: Paragraph((Text(first),) + tuple(rest)), _text,
                       st.lists(_inline, max_size=2))


def _lists(depth: int):  # noqa: ANN202 - a hypothesis strategy
    item = _paragraph.map(lambda p: (p,))
    if depth < 1:
        item = st.one_of(item, st.builds(lambda p, inner: (p, inner), _paragraph, _lists(depth + 1)))
    return st.builds(lambda ordered, items: ListBlock(ordered, tuple(items)), st.booleans(),
                     st.lists(item, min_size=1, max_size=3))


_cell = _text.map(lambda t: (Text(t),))
_table = st.builds(lambda header, rows: Table(header, tuple(rows)),
                   st.sampled_from([((Text("Control"),), (Text("Status"),)), ((Text("Fee"),), (Text("Amount"),))]),
                   st.lists(st.tuples(_cell, _cell), min_size=1, max_size=3))
_blocks = st.lists(st.one_of(_paragraph, _paragraph, _lists(0), _table), min_size=1, max_size=5).map(tuple)


@settings(max_examples=150, deadline=None)
@given(old=_blocks, new=_blocks)
def test_any_redline_accepts_to_the_new_text_and_rejects_to_the_old(old, new):
    assert shown(old, new, accept=True) == block_lines(new)
    assert shown(old, new, accept=False) == block_lines(old)
    # Nor is any kept paragraph mark left between two insertions, which LibreOffice would merge.
    assert kept_marks_between_insertions(redline_xml(old, new)) == []


@settings(max_examples=40, deadline=None)
@given(old=_blocks)
def test_a_document_against_itself_has_no_revisions(old):
    assert revisions(redline_xml(old, old)) == []
