"""`msa compare`: full-agreement redlines between two builds, aligned by clause."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from msa_builder.blocks import Text
from msa_builder.errors import RenderError
from msa_builder.redline.compare import (
    ADDED,
    CHANGED,
    MOVED_AWAY,
    MOVED_HERE,
    REMOVED,
    SAME,
    align,
    compare_builds,
)
from msa_builder.redline.docx import agreement_docx
from msa_builder.redline.flat import FlatPara, ParaFormat, flatten
from msa_builder.redline.read_docx import Unit, read_agreement
from msa_builder.redline.text import agreement_text
from redline.wordxml import W, agreement_lines, body_lines, document, lines, revisions


def changed_versions(old, new) -> list[str]:
    """Slots whose clause version differs between two builds, by their lock files."""
    def versions(built):
        return {c["slot"]: (c["variant"], c["version"]) for c in json.loads(built.lock.read_text())["bom"]["clauses"]}

    before, after = versions(old), versions(new)
    return [slot for slot in after if before.get(slot) != after[slot]]


def test_accept_all_gives_the_new_agreement_and_reject_all_the_old(as_of_builds):
    old, new = as_of_builds
    data = agreement_docx(compare_builds(old.lock, new.lock))
    assert body_lines(data, accept=True) == agreement_lines(new.docx.read_bytes())
    assert body_lines(data, accept=False) == agreement_lines(old.docx.read_bytes())


def test_only_the_sections_whose_clause_changed_are_marked(as_of_builds):
    old, new = as_of_builds
    redline = compare_builds(old.lock, new.lock)
    changed = [s.new.key for s in redline.steps if s.kind != SAME and s.new is not None]
    assert len(changed) >= 6 and changed == changed_versions(old, new)
    summary = redline.summary()
    assert "Section 2.2 Exclusions: changed (standard@1.0.0 \u2192 standard@1.1.0)" in summary
    assert "Section 3.5 Declined Controls: changed (declined@1.0.0 \u2192 declined@2.0.0)" in summary
    root = document(agreement_docx(redline))
    untouched = [p for p in root.iter(f"{W}p") if "".join(p.itertext()).startswith("The Client wants information")]
    assert untouched and revisions(untouched[0]) == []


def test_lock_and_docx_inputs_give_the_same_redline_and_the_same_bytes_twice(as_of_builds):
    old, new = as_of_builds
    from_locks = agreement_docx(compare_builds(old.lock, new.lock))
    assert agreement_docx(compare_builds(old.docx, new.docx)) == from_locks
    assert agreement_docx(compare_builds(old.lock, new.lock)) == from_locks


def test_revisions_are_dated_by_the_new_builds_as_of_date(as_of_builds):
    old, new = as_of_builds
    redline = compare_builds(old.lock, new.lock)
    assert redline.when.isoformat() == json.loads(new.lock.read_text())["bom"]["as_of"] == "2026-11-30"
    dated = [r for r in revisions(document(agreement_docx(redline, author="Review Team"))) if r.get(f"{W}date")]
    assert dated and {r.get(f"{W}date") for r in dated} == {"2026-11-30T00:00:00Z"}
    assert {r.get(f"{W}author") for r in dated} == {"Review Team"}


def test_clean_view_is_the_new_agreement_without_markup(as_of_builds):
    old, new = as_of_builds
    redline = compare_builds(old.lock, new.lock)
    clean = agreement_docx(redline, clean=True)
    assert revisions(document(clean)) == []
    assert lines(document(clean)) == agreement_lines(new.docx.read_bytes())


def test_cross_references_stay_word_fields(as_of_builds):
    old, new = as_of_builds
    root = document(agreement_docx(compare_builds(old.lock, new.lock)))
    instructions = "".join(t.text or "" for t in root.iter(f"{W}instrText"))
    assert "REF _Ref_security_incident_response \\w \\h" in instructions
    names = {b.get(f"{W}name") for b in root.iter(f"{W}bookmarkStart")}
    assert "_Ref_scope_out_of_scope" in names and "_Ref_schedule_insurance" in names


def test_a_moved_section_is_one_move_not_a_delete_and_reinsert_of_what_follows(moved_builds):
    old, new = moved_builds
    redline = compare_builds(old.lock, new.lock)
    kinds = [(s.kind, (s.new or s.old).key) for s in redline.steps if s.kind != SAME]
    assert kinds == [(MOVED_AWAY, "security.no_guarantee"), (MOVED_HERE, "security.no_guarantee")]
    assert redline.summary() == ["Section 9.2 No Guarantee of Security: moved from Section 3.6"]
    root = document(agreement_docx(redline))
    marks = [r for r in revisions(root) if r.getparent().tag == f"{W}rPr"]
    assert {r.tag[len(W):] for r in revisions(root) if r not in marks} == {"moveFrom", "moveTo"}
    # The moved paragraphs' marks are deleted at the source and inserted at the target, which
    # LibreOffice reads (it ignores moved marks, see redline/paragraph_marks.py).
    assert {r.tag[len(W):] for r in marks} == {"del", "ins"}
    starts = {e.tag[len(W):]: e.get(f"{W}name") for e in root.iter(f"{W}moveFromRangeStart", f"{W}moveToRangeStart")}
    assert starts["moveFromRangeStart"] == starts["moveToRangeStart"]
    # Section 3.7 became 3.6: Word renumbers it; the redline does not touch it.
    after = [p for p in root.iter(f"{W}p") if "".join(p.itertext()) == "Security Incident Response"]
    assert after and revisions(after[0]) == []


def test_accepting_a_move_gives_the_new_order_and_rejecting_it_the_old(moved_builds):
    old, new = moved_builds
    data = agreement_docx(compare_builds(old.docx, new.docx))
    # Section numbers in cross-references are fields Word recomputes: compare them by their target.
    assert body_lines(data, accept=True, refs=True) == agreement_lines(new.docx.read_bytes(), refs=True)
    assert body_lines(data, accept=False, refs=True) == agreement_lines(old.docx.read_bytes(), refs=True)


def test_a_moved_and_edited_section_shows_its_edits_at_both_places(moved_builds):
    old, new = moved_builds
    redline = compare_builds(old.lock, new.lock)
    moved = next(s for s in redline.steps if s.kind == MOVED_HERE)
    assert moved.new is not None
    heading, first, *rest = moved.new.items
    assert isinstance(first, FlatPara) and isinstance(first.inlines[0], Text)
    words = first.inlines[0].text.split(" ")
    edited_first = replace(first, inlines=(Text(" ".join(words[1:]) + " An added sentence."),) + first.inlines[1:])
    edited = replace(moved.new, items=(heading, edited_first, *rest))
    steps = tuple(replace(s, new=edited) if s.new is moved.new else s for s in redline.steps)
    edited_redline = replace(redline, steps=steps)
    data = agreement_docx(edited_redline)
    root = document(data)
    assert {r.tag[len(W):] for r in revisions(root)} == {"moveFrom", "moveTo", "del", "ins"}
    inserted = "".join("".join(e.itertext()) for e in root.iter(f"{W}ins"))
    assert "An added sentence." in inserted
    deleted = "".join("".join(e.itertext()) for e in root.iter(f"{W}del"))
    assert deleted.strip() == words[0]
    assert body_lines(data, accept=True) == lines(document(agreement_docx(edited_redline, clean=True)))
    assert body_lines(data, accept=False, refs=True) == agreement_lines(old.docx.read_bytes(), refs=True)


def test_text_output_lists_the_changes_and_their_words(as_of_builds):
    old, new = as_of_builds
    text = agreement_text(compare_builds(old.lock, new.lock))
    assert "=== Section 2.2 Exclusions (changed)" in text
    assert "{+ The Provider will not deal with a person demanding a ransom" in text
    assert "=== Section 1.1" not in text


def test_a_built_agreement_reads_back_as_exactly_its_rendered_clauses(as_of_builds):
    """The DOCX reader is exact: each clause's blocks, flattened, are what the reader finds."""
    _, new = as_of_builds
    document_ = read_agreement(new.docx.read_bytes(), where=str(new.docx))
    units = {u.key: u for u in document_.units}

    def normal(items):
        ids: dict[str, str] = {}
        out = []
        for item in items:
            if isinstance(item, FlatPara):
                list_id = ids.setdefault(item.list_id, f"L{len(ids)}") if item.list_id else None
                item = replace(item, list_id=list_id, bookmark=None)
            out.append(item)
        return out

    agreement = new.agreement
    for clause in agreement.clauses():
        unit = units[clause.slot]
        items = list(unit.items)
        if unit.kind in ("section", "schedule", "signature"):
            items = items[1:]  # the heading
        if unit.kind == "signature":
            items = items[:-1]  # the shell's signature table
        assert normal(items) == normal(flatten(clause.blocks)), clause.slot
    assert [u.label for u in document_.units if u.kind == "schedule"][:2] == ["Schedule A", "Schedule B"]


def test_other_word_files_and_tampered_builds_are_refused(as_of_builds, tmp_path):
    old, new = as_of_builds
    template = Path(__file__).resolve().parents[2] / "msa_builder" / "data" / "templates" / "agreement.docx"
    with pytest.raises(RenderError, match="not an agreement built by msa-builder"):
        compare_builds(template, new.docx)
    not_zip = tmp_path / "notes.docx"
    not_zip.write_text("hello")
    with pytest.raises(RenderError, match="not a Word document"):
        compare_builds(not_zip, new.docx)
    copy = Path(shutil.copytree(new.lock.parent, tmp_path / "copy"))
    docx = copy / new.docx.name
    docx.write_bytes(docx.read_bytes() + b"\0")
    with pytest.raises(RenderError, match="changed since the build") as caught:
        compare_builds(old.lock, copy / new.lock.name)
    assert caught.value.exit_code == 2
    docx.unlink()
    with pytest.raises(RenderError, match="cannot be read"):
        compare_builds(old.lock, copy / new.lock.name)
    with pytest.raises(RenderError, match="cannot read"):
        compare_builds(tmp_path / "missing-lock.json", new.lock)


def _unit(key: str, text: str = "Some words.", kind: str = "section") -> Unit:
    return Unit(key, kind, key, key, (FlatPara(ParaFormat("BodyText"), (Text(text),)),))


def test_alignment_by_key_moves_adds_removes_and_renames():
    old = (_unit("article:Services", "Services", "article"), _unit("a"), _unit("b"), _unit("c"), _unit("gone"))
    new = (_unit("article:Scope of Services", "Scope of Services", "article"), _unit("a"), _unit("c"),
           _unit("b", "Other words."), _unit("new"))
    steps = [(s.kind, f"{s.old.key}>{s.new.key}" if s.kind == CHANGED else (s.old or s.new).key)
             for s in align(old, new)]
    assert steps == [
        (CHANGED, "article:Services>article:Scope of Services"),
        (SAME, "a"),
        (MOVED_AWAY, "b"),
        (SAME, "c"),
        (REMOVED, "gone"),
        (MOVED_HERE, "b"),
        (ADDED, "new"),
    ]
    moves = [s.move for s in align(old, new) if s.kind in (MOVED_AWAY, MOVED_HERE)]
    assert len(set(moves)) == 1 and moves[0].startswith("msaMove")
