"""LibreOffice's own Accept All and Reject All give the new and the old text, paragraph by paragraph.

Each redline goes to a real LibreOffice (libreoffice.py), which presses the Review buttons; the
paragraphs it then shows (style, list label, text) must be exactly those it shows for the new
version, or the old one, written by the same writer without revisions. The cases are where
paragraph marks are inserted or deleted: list items added after existing ones (the
`security.declined_controls` 1.0.0 -> 2.0.0 case of issue #14, where Reject All glued the closing
paragraph onto the last item), at the start and at the end of a list, paragraphs deleted between
others, a paragraph split and two joined, and whole builds compared (Section 3.5 gains two items).
Word's rules are checked on the same files through wordxml.resolve and python-docx.
"""

from __future__ import annotations

import io
import re
import shutil
from datetime import date

import docx as python_docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from msa_builder.blocks import Block, Text, parse_markdown
from msa_builder.ooxml.package import read_parts, write_package
from msa_builder.redline.clause_diff import clause_redline
from msa_builder.redline.compare import AgreementRedline, align, compare_builds
from msa_builder.redline.docx import (
    END_NOTE,
    DocumentText,
    agreement_docx,
    clause_docx,
    new_writer,
    note,
    package,
)
from msa_builder.redline.document import AgreementDocument, Unit
from msa_builder.redline.flat import FlatPara, ParaFormat, flatten
from msa_builder.redline.model import REDLINE, track
from redline.test_worddiff import _lists, _paragraph
from redline.wordxml import COVER_STYLES, document, kept_marks_between_insertions, lines, resolve, style

pytestmark = [pytest.mark.soffice,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")]

WHEN = date(2026, 6, 1)


def blocks_docx(old: tuple[Block, ...], new: tuple[Block, ...]) -> bytes:
    """A redline document from `old` to `new` (clause bodies), in the redline shell with its end note."""
    writer = new_writer("msa-builder", WHEN)
    body = writer.items(track(flatten(old, prefix="old:"), flatten(new, prefix="new:"), REDLINE))
    text = DocumentText("Clause redline", "test", "test", "test", "test", {})
    return package(text, "", body + note(END_NOTE), writer, when=WHEN, clean=False)


def markdown_docx(old: str, new: str) -> bytes:
    return blocks_docx(parse_markdown(old, where="old"), parse_markdown(new, where="new"))


def assert_libreoffice_resolves(libreoffice, redline: bytes, old: bytes, new: bytes) -> None:
    """LibreOffice's Accept All shows `new`'s paragraphs, its Reject All `old`'s, and no change is left."""
    review = libreoffice.review(redline)
    assert review.left == (0, 0)
    assert review.body("accepted") == libreoffice.review(new).body("shown")
    assert review.body("rejected") == libreoffice.review(old).body("shown")


def word_paragraphs(data: bytes, *, accept: bool | None) -> list[tuple[str, str]]:
    """(style name, line) of the body by Word's rules (None: as written), styles read by python-docx."""
    root = document(data) if accept is None else resolve(document(data), accept=accept)
    parts = read_parts(data)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    names = [p.style.name for p in python_docx.Document(io.BytesIO(write_package(parts))).paragraphs]
    ids = [style(p) for p in root.iter("{*}p") if p.getparent().tag.endswith("body")]
    body_names = [name for name, sid in zip(names, ids, strict=True) if sid not in COVER_STYLES]
    return list(zip(body_names, lines(root), strict=True))


def assert_word_resolves(redline: bytes, old: bytes, new: bytes) -> None:
    assert kept_marks_between_insertions(document(redline)) == []
    assert word_paragraphs(redline, accept=True) == word_paragraphs(new, accept=None)
    assert word_paragraphs(redline, accept=False) == word_paragraphs(old, accept=None)


CASES = {
    # Issue #14: items added after changed items, and the closing paragraph after them, whose first
    # sentence changed too (as in security.declined_controls 2.0.0).
    "items inserted after existing items, before a closing paragraph": (
        "For each control:\n\n1. the first duty;\n2. the second duty; and\n3. the last duty for the Client.\n\n"
        "The Parties shall review the controls at each meeting. Either Party may ask for a meeting.\n",
        "For each control:\n\n1. the first duty;\n2. the second duty;\n3. the last duty for the Client;\n"
        "4. a new duty of the Provider; and\n5. a new duty of the Client, which is in place.\n\n"
        "The Provider is not responsible for the answers of the Client. Either Party may ask for a meeting.\n"),
    "items inserted at the end of a list that ends the clause": (
        "The Client shall:\n\n1. keep records;\n2. give notice.\n",
        "The Client shall:\n\n1. keep records;\n2. give notice;\n3. pay on time; and\n4. answer questions\n"),
    "items inserted at the start of a list": (
        "The Client shall\n\n1. keep records;\n2. give notice.\n\nNothing else applies.\n",
        "The Client shall:\n\n1. act in good faith;\n2. keep records;\n3. give notice.\n\nNothing else applies.\n"),
    "a new list after a paragraph whose ending changed": (
        "The Provider may suspend the Services.\n\nSuspension ends on payment.\n",
        "The Provider may suspend the Services if:\n\n1. an invoice is unpaid; or\n2. the Client breaches "
        "Section 4.\n\nSuspension ends on payment.\n"),
    "paragraphs deleted between others": (
        "First paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\nFourth paragraph.\n",
        "First paragraph.\n\nFourth paragraph.\n"),
    "items deleted after a changed item": (
        "1. one thing;\n2. another thing; and\n3. a third thing.\n\nClosing words.\n",
        "1. one thing; and\n2. another thing.\n\nClosing words.\n"),
    "a paragraph split in two": (
        "The first sentence stays. The second sentence moves down.\n\nAfter.\n",
        "The first sentence stays.\n\nThe second sentence moves down.\n\nAfter.\n"),
    "two paragraphs joined": (
        "The first sentence stays.\n\nThe second sentence moves up.\n\nAfter.\n",
        "The first sentence stays. The second sentence moves up.\n\nAfter.\n"),
    "the end of one paragraph and the start of the next both gain words": (
        "Fees are due monthly\n\nInterest accrues daily.\n",
        "Fees are due monthly in advance\n\nSimple Interest accrues daily.\n"),
}


@pytest.mark.parametrize("case", CASES)
def test_libreoffice_accepts_and_rejects_paragraph_mark_changes(libreoffice, case):
    old, new = CASES[case]
    redline, before, after = markdown_docx(old, new), markdown_docx(old, old), markdown_docx(new, new)
    assert_libreoffice_resolves(libreoffice, redline, before, after)
    assert_word_resolves(redline, before, after)


def test_declined_controls_reject_all_keeps_the_closing_paragraph_apart(libreoffice, shipped_library):
    """`msa diff security.declined_controls:declined@1.0.0 …@2.0.0 -o x.docx`, in LibreOffice."""
    old, new = "security.declined_controls:declined@1.0.0", "security.declined_controls:declined@2.0.0"
    redline = clause_docx(clause_redline(shipped_library, old, new))
    before = clause_docx(clause_redline(shipped_library, old, old))
    after = clause_docx(clause_redline(shipped_library, new, new))
    review = libreoffice.review(redline)
    rejected = [text for _, _, text in review.body("rejected")]
    assert rejected[-2].endswith("had authority to make it for the Client.")
    assert rejected[-1].startswith("The Parties shall review the Declined Controls")
    assert_libreoffice_resolves(libreoffice, redline, before, after)
    assert_word_resolves(redline, before, after)


def test_msa_compare_of_builds_resolves_in_libreoffice(libreoffice, as_of_builds):
    """Section 3.5 gains two list items between the January and the November build."""
    old, new = as_of_builds
    redline = agreement_docx(compare_builds(old.lock, new.lock))
    before = agreement_docx(compare_builds(old.lock, old.lock))
    after = agreement_docx(compare_builds(new.lock, new.lock))
    review = libreoffice.review(redline)
    rejected = [text for _, _, text in review.body("rejected")]
    closing = next(i for i, text in enumerate(rejected) if text.startswith("The Parties shall review the Declined"))
    assert rejected[closing - 1].endswith("had authority to make it for the Client.")
    assert_libreoffice_resolves(libreoffice, redline, before, after)
    assert kept_marks_between_insertions(document(redline)) == []


def test_msa_compare_of_a_moved_section_resolves_in_libreoffice(libreoffice, moved_builds):
    """No empty paragraph is left where the moved section was, or where it went."""
    old, new = moved_builds
    review = libreoffice.review(agreement_docx(compare_builds(old.lock, new.lock)))
    before = libreoffice.review(agreement_docx(compare_builds(old.lock, old.lock)))
    after = libreoffice.review(agreement_docx(compare_builds(new.lock, new.lock)))
    assert review.left == (0, 0)
    assert review.body("accepted") == after.body("shown")
    # A reference to the moved section keeps its new number after Reject All: its heading's bookmark
    # is at the new place, which Reject All removes (a field update in Word then shows the error).
    assert _numbers_hidden(review.body("rejected")) == _numbers_hidden(before.body("shown"))


def _numbers_hidden(paragraphs: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [(s, label, re.sub(r"Section \d+\.\d+", "Section #", text)) for s, label, text in paragraphs]


def _section(key: str, title: str, *texts: str) -> Unit:
    heading = FlatPara(ParaFormat("Heading2", keep_next=True), (Text(title),), bookmark=key)
    return Unit(key, "section", title, "Section 1.1",
                (heading, *(FlatPara(ParaFormat("BodyText"), (Text(t),)) for t in texts)))


def test_a_new_section_after_a_section_whose_end_gained_words(libreoffice):
    """Two units of the redline meet at the kept mark: the writer looks across them (docx.agreement_docx)."""
    properties = {"msa.agreement_id": "MSA-1", "msa.client": "Client", "msa.as_of": "2026-06-01"}
    fees = _section("fees.payment", "Payment", "Fees are due monthly")
    old_units = (fees, _section("fees.taxes", "Taxes", "The Client pays taxes."))
    new_units = (_section("fees.payment", "Payment", "Fees are due monthly in advance"),
                 _section("fees.late", "Late Payment", "Interest accrues daily."), old_units[1])

    def docx(before: tuple[Unit, ...], after: tuple[Unit, ...]) -> bytes:
        old_doc, new_doc = AgreementDocument("old", properties, before), AgreementDocument("new", properties, after)
        return agreement_docx(AgreementRedline(old_doc, new_doc, tuple(align(before, after)), WHEN))

    redline = docx(old_units, new_units)
    assert kept_marks_between_insertions(document(redline)) == []
    assert_libreoffice_resolves(libreoffice, redline, docx(old_units, old_units), docx(new_units, new_units))


def _texts(paragraphs: list[tuple[str, str, str]]) -> list[str]:
    # Where LibreOffice recognises deleted text as moved (the same words inserted elsewhere), it
    # can give the end note the format of a deleted paragraph before it; the note is not the body.
    return [text for _, _, text in paragraphs if text != END_NOTE]


@settings(max_examples=20, deadline=None)
@given(old=st.lists(st.one_of(_paragraph, _lists(0)), min_size=1, max_size=5).map(tuple),
       new=st.lists(st.one_of(_paragraph, _lists(0)), min_size=1, max_size=5).map(tuple))
def test_libreoffice_accepts_and_rejects_any_redline_of_paragraphs_and_lists(libreoffice, old, new):
    """Paragraph by paragraph, the texts; formats are the named cases' business above (LibreOffice
    7.4 does not always undo a paragraph's format change on Reject All, nor number a list whose
    first item's format changed as Word does)."""
    review = libreoffice.review(blocks_docx(old, new))
    assert _texts(review.body("accepted")) == _texts(libreoffice.review(blocks_docx(new, new)).body("shown"))
    assert _texts(review.body("rejected")) == _texts(libreoffice.review(blocks_docx(old, old)).body("shown"))
