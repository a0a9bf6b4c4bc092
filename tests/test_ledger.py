"""The agreement ledger: recording builds, the status workflow, and several processes writing at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
import sys
from typing import Any

import pytest

from msa_builder.errors import LedgerError
from ledger_steps import EXECUTION_SHA256, mark  # tests/ is on sys.path

from msa_builder.ledger import SCHEMA_VERSION, Approval, Evidence, Ledger, Sending, open_existing


def lock(client: str = "Acme Widgets LLC", n: int = 1, agreement_id: str = "MSA-20260101-ABC123") -> dict[str, Any]:
    """A lock as a build writes it, reduced to what the ledger reads; `n` makes it a different build."""
    return {"bom_sha256": f"bom{n}", "outputs": {"acme-msa.docx": f"docx{n}"},
            "bom": {"client": client, "agreement_id": agreement_id, "final": False,
                    "library": {"name": "lib", "version": "1.0"}, "tool": {"name": "msa-builder", "version": "0.1.0"}}}


def record(ledger: Ledger, n: int = 1, client: str = "Acme Widgets LLC", slug: str = "acme"):
    return ledger.record_build(lock(client, n), lock_sha256=f"lock{n}", slug=slug, directory=f"/out/{slug}",
                               source=f"{slug}.yaml", at=f"2026-11-0{n}T00:00:00+00:00")


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "ledger.sqlite") as book:
        yield book


def test_a_build_is_recorded_as_a_draft_with_its_details(ledger):
    entry = record(ledger)
    assert entry is not None
    assert (entry.id, entry.slug, entry.client, entry.agreement_id, entry.status) == (
        1, "acme", "Acme Widgets LLC", "MSA-20260101-ABC123", "draft")
    assert (entry.lock_sha256, entry.bom_sha256, entry.library_version, entry.outputs) == (
        "lock1", "bom1", "1.0", {"acme-msa.docx": "docx1"})
    assert entry.generated_at == entry.status_at == "2026-11-01T00:00:00+00:00"
    assert ledger.bom(entry.id)["agreement_id"] == "MSA-20260101-ABC123"
    [event] = ledger.events(entry.id)
    assert (event.from_status, event.to_status, event.by) == (None, "draft", "msa batch")


def test_recording_the_same_lock_again_adds_nothing(ledger):
    assert record(ledger) is not None
    assert record(ledger) is None
    assert len(ledger.history("acme")) == 1


def test_the_workflow_runs_step_by_step_and_remembers_who_and_when(ledger):
    record(ledger)
    for step in ("in_review", "approved", "sent", "signed"):
        moved = mark(ledger, "acme", step, by="dana", note=f"to {step}", at="2026-11-20T10:00:00+00:00")
        assert moved.status == step and moved.status_by == "dana"
    events = ledger.events(1)
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "draft"), ("draft", "in_review"), ("in_review", "approved"), ("approved", "sent"), ("sent", "signed")]
    assert events[-1].note == "to signed" and events[-1].at == "2026-11-20T10:00:00+00:00"
    assert ledger.latest_signed("acme").id == 1


@pytest.mark.parametrize("status", ["approved", "sent", "signed"])
def test_approved_sent_and_signed_need_their_proof(ledger, status):
    record(ledger)
    for step in ("in_review", "approved", "sent", "signed")[:("approved", "sent", "signed").index(status) + 1]:
        mark(ledger, "acme", step)
    with pytest.raises(LedgerError, match=f"becomes '{status}' only when"):
        ledger.mark("acme", status, record=1)


def test_each_step_keeps_its_proof_and_its_events_the_hashes(ledger):
    record(ledger)
    ledger.mark("acme", "in_review")
    files = {"MSA-1.pdf": EXECUTION_SHA256, "MSA-1.docx": "d" * 64}
    ledger.mark("acme", "approved", proof=Approval("/out/acme/archive/MSA-1", files, EXECUTION_SHA256, ("a deviation",)))
    with pytest.raises(LedgerError, match="not its archived execution PDF"):
        ledger.mark("acme", "sent", proof=Sending("0" * 64))
    ledger.mark("acme", "sent", proof=Sending(EXECUTION_SHA256))
    evidence = Evidence("MSA-1-signed.pdf", "5" * 64, True, ({"field": "client_signature", "name": "Dana Reyes",
                                                             "trusted": True, "time": None},))
    signed = ledger.mark("acme", "signed", proof=evidence)
    assert signed.archive_folder.as_posix() == "/out/acme/archive/MSA-1" and signed.archived_files == {**files, "MSA-1-signed.pdf": "5" * 64}
    assert signed.archive["accepted"] == ["a deviation"]
    assert signed.execution_sha256 == signed.sent_sha256 == EXECUTION_SHA256
    assert signed.evidence["signers"][0]["name"] == "Dana Reyes" and signed.evidence["verified"] is True
    assert [e.hashes for e in ledger.events(1)] == [None, None, files, {"sent": EXECUTION_SHA256},
                                                    {"MSA-1-signed.pdf": "5" * 64}]
    assert ledger.by_execution_sha256(EXECUTION_SHA256).id == 1 and ledger.by_execution_sha256("0" * 64) is None


@pytest.mark.parametrize(("steps", "illegal", "allowed"), [
    ([], "signed", ("in_review", "superseded")),
    ([], "approved", ("in_review", "superseded")),
    (["in_review", "approved"], "in_review", ("sent", "superseded")),
    (["in_review", "approved", "sent", "signed"], "draft", ("superseded",)),
])
def test_an_illegal_move_is_refused_and_changes_nothing(ledger, steps, illegal, allowed):
    record(ledger)
    for step in steps:
        mark(ledger, "acme", step)
    before = ledger.get(1)
    with pytest.raises(LedgerError) as info:
        mark(ledger, "acme", illegal)
    assert info.value.allowed == allowed
    assert ledger.get(1) == before
    assert len(ledger.events(1)) == len(steps) + 1


def test_a_superseded_agreement_cannot_move_again(ledger):
    record(ledger)
    mark(ledger, "acme", "superseded")
    with pytest.raises(LedgerError, match="can move to 'in_review'"):
        mark(ledger, "acme", "in_review")
    with pytest.raises(LedgerError, match="cannot move"):
        mark(ledger, "acme", "in_review", record=1)


def test_an_unknown_status_is_refused_with_the_statuses(ledger):
    record(ledger)
    with pytest.raises(LedgerError) as info:
        mark(ledger, "acme", "filed")
    assert "signed" in info.value.allowed


def test_a_new_build_supersedes_drafts_in_progress_but_not_one_already_sent(ledger):
    record(ledger, 1)
    mark(ledger, "acme", "in_review")
    record(ledger, 2)
    assert [r.status for r in ledger.history("acme")] == ["superseded", "draft"]
    assert ledger.events(1)[-1].note == "superseded by #2"
    for step in ("in_review", "approved", "sent"):
        mark(ledger, "acme", step)
    record(ledger, 3)
    assert [r.status for r in ledger.history("acme")] == ["superseded", "sent", "draft"]
    signed = mark(ledger, "acme", "signed")  # the sent one is the only agreement that can be signed
    assert signed.id == 2
    assert [r.status for r in ledger.history("acme")] == ["superseded", "signed", "draft"]


def test_signing_supersedes_the_older_signed_agreement(ledger):
    record(ledger, 1)
    for step in ("in_review", "approved", "sent", "signed"):
        mark(ledger, "acme", step)
    record(ledger, 2)
    for step in ("in_review", "approved", "sent", "signed"):
        mark(ledger, "acme", step)
    assert [r.status for r in ledger.history("acme")] == ["superseded", "signed"]
    assert ledger.latest_signed("acme").id == 2


def test_two_agreements_that_could_both_move_need_a_record_number(ledger):
    record(ledger, 1)
    for step in ("in_review", "approved", "sent"):
        mark(ledger, "acme", step)
    record(ledger, 2)
    for step in ("in_review", "approved", "sent"):
        mark(ledger, "acme", step)
    with pytest.raises(LedgerError) as info:
        mark(ledger, "acme", "signed")
    assert info.value.allowed == ("#2 (sent)", "#1 (sent)")
    assert mark(ledger, "acme", "signed", record=1).status == "signed"
    with pytest.raises(LedgerError, match="not an agreement of"):
        mark(ledger, "acme", "signed", record=99)


def test_a_client_is_found_by_slug_legal_name_or_agreement_id(ledger):
    record(ledger)
    assert ledger.resolve_client("acme") == "acme"
    assert ledger.resolve_client("ACME WIDGETS llc") == "acme"
    assert ledger.resolve_client("MSA-20260101-ABC123") == "acme"
    with pytest.raises(LedgerError) as info:
        ledger.resolve_client("Nobody Inc")
    assert info.value.allowed == ("Acme Widgets LLC",)


def test_latest_all_lists_each_client_once(ledger):
    record(ledger, 1)
    record(ledger, 2)
    record(ledger, 1, client="Zed Co", slug="zed")
    assert [(r.slug, r.id) for r in ledger.latest_all()] == [("acme", 2), ("zed", 3)]


def test_the_database_is_in_wal_mode_with_a_busy_timeout(tmp_path):
    path = tmp_path / "ledger.sqlite"
    Ledger(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    db.close()
    with Ledger(path) as book:
        assert book._db.execute("PRAGMA busy_timeout").fetchone()[0] == 60000


def test_a_ledger_from_a_newer_version_or_not_a_database_is_refused(tmp_path):
    newer = tmp_path / "newer.sqlite"
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(LedgerError, match="newer msa-builder"):
        Ledger(newer)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match="not a usable ledger"):
        Ledger(junk)


def test_reading_a_missing_ledger_does_not_create_one(tmp_path):
    with pytest.raises(LedgerError, match="no ledger here yet"):
        open_existing(tmp_path / "ledger.sqlite")
    assert not (tmp_path / "ledger.sqlite").exists()


def test_the_memo_remembers_a_bill_per_inputs(ledger):
    assert ledger.memo_get("inputs") is None
    ledger.memo_put("inputs", "bom")
    ledger.memo_put("inputs", "bom")
    assert ledger.memo_get("inputs") == "bom"


# -- several processes at once --------------------------------------------------------------------

def _writer(path: str, worker: int, count: int, queue: Any) -> None:
    """Record `count` builds for this worker's clients, then race the others to move the shared client."""
    outcomes = []
    with Ledger(path) as book:
        for i in range(count):
            slug = f"w{worker}-c{i}"
            book.record_build(lock(slug, 1), lock_sha256=f"lock-{slug}", slug=slug, directory="/out", source="x")
            book.memo_put(f"inputs-{slug}", "bom")
        try:
            book.mark("shared", "in_review", by=f"worker {worker}")
            outcomes.append("moved")
        except LedgerError as exc:
            outcomes.append(exc.message)
    queue.put((worker, outcomes))


@pytest.mark.skipif(sys.platform != "linux", reason="uses fork to start writers quickly")
def test_parallel_writers_lose_nothing_and_only_one_wins_a_race(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as book:
        book.record_build(lock("Shared Co"), lock_sha256="shared", slug="shared", directory="/out", source="x")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_writer, args=(str(path), w, 25, queue)) for w in range(4)]
    for process in workers:
        process.start()
    results = dict(queue.get(timeout=60) for _ in workers)
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0
    outcomes = [o for w in results.values() for o in w]
    assert outcomes.count("moved") == 1, outcomes
    assert all("can move to 'in_review'" in o for o in outcomes if o != "moved")
    with Ledger(path) as book:
        assert len(book.latest_all()) == 1 + 4 * 25
        assert book.get(1).status == "in_review"
        assert len(book.events(1)) == 2
        assert all(book.memo_get(f"inputs-w{w}-c{i}") == "bom" for w in range(4) for i in range(25))
