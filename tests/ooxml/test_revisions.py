"""ooxml/revisions.py: revision elements are well-formed, ordered as the schema wants, and mean what they say."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree
from redline.wordxml import W, lines, resolve

from msa_builder.ooxml.revisions import DEL, INS, MOVE_FROM, MOVE_TO, Revisions, text_run, tracked_paragraph
from msa_builder.ooxml.text import paragraph_properties, run_properties

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def doc(*paragraphs: str) -> etree._Element:
    return etree.fromstring(f"<w:document {NS}><w:body>{''.join(paragraphs)}</w:body></w:document>")


def test_every_revision_names_the_author_and_the_date_from_the_input_not_the_clock():
    revisions = Revisions("Counsel & Co <review>", date(2026, 6, 1))
    xml = tracked_paragraph(revisions.wrap(INS, text_run("new")) + revisions.wrap(DEL, text_run("old", kind=DEL)))
    root = doc(xml)
    changes = list(root.iter(f"{W}ins", f"{W}del"))
    assert [c.get(f"{W}author") for c in changes] == ["Counsel & Co <review>"] * 2
    assert {c.get(f"{W}date") for c in changes} == {"2026-06-01T00:00:00Z"}
    assert [c.get(f"{W}id") for c in changes] == ["1", "2"]


def test_deleted_and_moved_away_text_is_deltext_and_kept_text_is_t():
    assert "<w:delText" in text_run("gone", kind=DEL) and "<w:t " not in text_run("gone", kind=DEL)
    assert "<w:delText" in text_run("moved", kind=MOVE_FROM)
    assert "<w:t " in text_run("new", kind=INS) and "<w:t " in text_run("moved", kind=MOVE_TO)
    assert "<w:br/>" in text_run("two\nlines")
    assert "&amp;" in text_run("A & B") and "&lt;" in text_run("<x>")


def test_paragraph_mark_and_property_change_come_last_in_ppr():
    revisions = Revisions("a", date(2026, 1, 1))
    ppr = paragraph_properties(style="ClauseList", num=(100, 0))
    xml = tracked_paragraph(text_run("x"), ppr, mark=revisions.paragraph_mark(INS),
                            change=revisions.paragraph_change(paragraph_properties(style="BodyText")))
    children = [c.tag[len(W):] for c in doc(xml).find(f"{W}body/{W}p/{W}pPr")]
    assert children == ["pStyle", "numPr", "rPr", "pPrChange"]


def test_accept_and_reject_a_hand_made_redline():
    r = Revisions("a", date(2026, 1, 1))
    first = tracked_paragraph(text_run("The Client shall pay") + r.wrap(DEL, text_run(" promptly", kind=DEL))
                              + r.wrap(INS, text_run(" within 30 days")) + text_run("."),
                              paragraph_properties(style="BodyText"), mark=r.paragraph_mark(DEL))
    second = tracked_paragraph(r.wrap(INS, text_run(" Late amounts bear interest.")),
                               paragraph_properties(style="BodyText"))
    root = doc(first, second)
    assert lines(resolve(root, accept=True)) == ["The Client shall pay within 30 days. Late amounts bear interest."]
    assert lines(resolve(root, accept=False)) == ["The Client shall pay promptly.", ""]


def test_reject_restores_old_formatting_and_accept_keeps_the_new():
    r = Revisions("a", date(2026, 1, 1))
    props = run_properties(bold=True) + r.run_change(run_properties())
    xml = tracked_paragraph(text_run("Client Data", props), paragraph_properties(style="ClauseList", num=(100, 0)),
                            change=r.paragraph_change(paragraph_properties(style="BodyText")))
    accepted, rejected = resolve(doc(xml), accept=True), resolve(doc(xml), accept=False)
    assert accepted.find(f".//{W}r/{W}rPr/{W}b") is not None
    assert rejected.find(f".//{W}r/{W}rPr/{W}b") is None
    assert lines(accepted) == ["(a) Client Data"] and lines(rejected) == ["Client Data"]


def test_move_ranges_pair_source_and_target_by_name():
    r = Revisions("a", date(2026, 1, 1))
    start, end = r.move_range(MOVE_FROM, "msaMove1")
    assert 'w:name="msaMove1"' in start and start.startswith("<w:moveFromRangeStart")
    assert end.startswith("<w:moveFromRangeEnd") and etree.fromstring(f"<x {NS}>{start}{end}</x>") is not None
    source = tracked_paragraph(start + r.wrap(MOVE_FROM, text_run("Moved.", kind=MOVE_FROM)) + end,
                               mark=r.paragraph_mark(MOVE_FROM))
    keep = tracked_paragraph(text_run("Kept."))
    s2, e2 = r.move_range(MOVE_TO, "msaMove1")
    target = tracked_paragraph(s2 + r.wrap(MOVE_TO, text_run("Moved.")) + e2, mark=r.paragraph_mark(MOVE_TO))
    root = doc(source, keep, target, tracked_paragraph(""))
    assert lines(resolve(root, accept=True)) == ["Kept.", "Moved.", ""]
    assert lines(resolve(root, accept=False)) == ["Moved.", "Kept.", ""]


def test_rows_and_kinds_are_checked():
    r = Revisions("a", date(2026, 1, 1))
    assert r.row(INS).startswith("<w:ins ") and r.row(DEL).startswith("<w:del ")
    with pytest.raises(ValueError):
        r.row(MOVE_TO)
    with pytest.raises(ValueError):
        r.wrap("strike", "")
    with pytest.raises(ValueError):
        r.move_range(INS, "x")
