"""Hostile words in a lifecycle step: who made it, its note, the reason for unverified evidence.

Every step's `by`, note and reason are kept in the ledger for good and shown by `msa ledger show`
and the web pages, so the character rules of client text apply to them, with a length bound, and
a refused step leaves the ledger, the archive and the evidence exactly as they were.
"""

from __future__ import annotations

import pytest

from msa_builder import api
from msa_builder.errors import LedgerError
from msa_builder.ledger import MAX_NOTE, step_problems

from .conftest import HARBOR, approved, archive_of, snapshot

HOSTILE = [
    ("a\nb", "line break"),
    ("a\x01b", "U+0001"),
    ("a\x85b", "U+0085"),
    ("\u202eevil", "bidirectional"),
    ("\u200b", "visible character"),
    ("x" * (MAX_NOTE + 1), "at most"),
]


@pytest.mark.parametrize("value, fragment", HOSTILE)
def test_step_problems_refuse_what_a_history_cannot_show(value, fragment):
    problems = step_problems(by=value, note=None) if fragment != "at most" else step_problems(by="dana", note=value)
    assert problems and fragment in problems[0].message
    assert problems[0].field in ("--by", "--note")


def test_a_note_may_span_lines_but_by_and_a_reason_may_not():
    assert step_problems(by="dana", note="first line\nsecond line") == []
    assert [p.field for p in step_problems(by="dana\nx", note=None, reason="scan\nfaxed")] == ["--by", "--unverified"]


@pytest.mark.parametrize("option", ["--by", "--note"])
@pytest.mark.parametrize("value, fragment", HOSTILE[:4])
def test_ledger_mark_refuses_hostile_step_text_and_moves_nothing(world, option, value, fragment):
    world.build("harbor-finch.yaml")
    result = world.run("ledger", "mark", HARBOR, "in_review", option, value)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and fragment.split()[0].lower() in result.output.lower()
    assert world.record().status == "draft"


def test_the_library_refuses_it_too_for_every_caller(world, monkeypatch):
    world.build("harbor-finch.yaml")
    for by, note in (("dana\nmallory", None), ("dana", "a\x1b[2Jcleared"), ("dana", "n" * (MAX_NOTE + 1))):
        with pytest.raises(LedgerError):
            api.mark(HARBOR, "in_review", ledger=world.ledger, by=by, note=note)
    monkeypatch.setenv("MSA_USER", "ops\r\nroot")  # the default `by`
    with pytest.raises(LedgerError) as caught:
        api.mark(HARBOR, "in_review", ledger=world.ledger)
    assert "MSA_USER" in caught.value.format()
    assert world.record().status == "draft"
    assert [e.to_status for e in api.history(ledger=world.ledger, client=HARBOR)[0][1]] == ["draft"]


def test_send_back_and_approve_refuse_it_before_the_archive_is_written(world):
    world.build("harbor-finch.yaml")
    assert world.run("ledger", "mark", HARBOR, "in_review").exit_code == 0
    folder = world.out / world.record().slug
    before = snapshot(folder)
    with pytest.raises(LedgerError):
        api.send_back(HARBOR, ledger=world.ledger, by="Avery", note="fix\x00it")
    with pytest.raises(LedgerError):
        api.approve(HARBOR, ledger=world.ledger, by="Avery\u202e", accept_deviations=True)
    assert snapshot(folder) == before and not (folder / "archive").exists()
    assert world.record().status == "in_review"


def test_an_unverified_reason_with_controls_leaves_no_evidence_in_the_archive(world, tmp_path):
    approved(world)
    assert world.run("ledger", "mark", HARBOR, "sent").exit_code == 0
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.7 a scan of wet ink")
    before = snapshot(archive_of(world))
    result = world.run("ledger", "mark", HARBOR, "signed", "--evidence", scan, "--unverified", "faxed\x07")
    assert result.exit_code == 2 and "U+0007" in result.output, result.output
    with pytest.raises(LedgerError):
        api.mark(HARBOR, "signed", ledger=world.ledger, evidence=scan, unverified="faxed\x07")
    assert snapshot(archive_of(world)) == before and world.record().status == "sent"
