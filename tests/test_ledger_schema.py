"""The ledger's schema versions and migrations, read-only readers, and SQLite failures as our errors.

`fixtures/ledger-v1.sqlite` was written by msa-builder before migrations existed (see
fixtures/README.md); every later schema must open it and carry its records forward. Version 2
(instruments: kind, archive, proof of sending and signing, event hashes) is the first real step.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ledger_steps import mark  # tests/ is on sys.path

from msa_builder import ledger_schema
from msa_builder.cli import main
from msa_builder.errors import LedgerError
from msa_builder.ledger import Ledger, open_reader

FIXTURE = Path(__file__).parent / "fixtures" / "ledger-v1.sqlite"
HARBOR = "Harbor & Finch LLP"


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    """A private copy of the ledger written by today's code (schema 1)."""
    return Path(shutil.copy(FIXTURE, tmp_path / "ledger.sqlite"))


@pytest.fixture
def migrated(v1: Path) -> Path:
    """The v1 ledger brought to today's schema by a writer (as the first `msa batch` would)."""
    Ledger(v1).close()
    return v1


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def user_version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def _next_add_notes(db: sqlite3.Connection) -> None:
    """A stand-in for the next schema: a column and a table."""
    db.execute("ALTER TABLE agreements ADD COLUMN counsel TEXT")
    db.execute("CREATE TABLE instruments (id INTEGER PRIMARY KEY, record INTEGER NOT NULL REFERENCES agreements (id))")
    db.execute("UPDATE agreements SET counsel = 'unassigned'")


CURRENT = ledger_schema.schema_version()
NEXT = CURRENT + 1


@pytest.fixture
def with_next(monkeypatch) -> list[int]:
    """Add one more schema version (one function, as a real migration is added); returns its run count."""
    runs: list[int] = []

    def step(db: sqlite3.Connection) -> None:
        runs.append(1)
        _next_add_notes(db)

    monkeypatch.setattr(ledger_schema, "MIGRATIONS", [*ledger_schema.MIGRATIONS, step])
    return runs


# -- the version-1 ledger written by today's code ---------------------------------------------------

def test_the_v1_fixture_is_still_version_1(v1):
    assert user_version(v1) == 1 < CURRENT == 3
    db = sqlite3.connect(v1)
    assert db.execute("SELECT COUNT(*) FROM agreements").fetchone()[0] == 8
    db.close()


def test_version_2_carries_every_v1_record_forward_as_an_agreement_instrument(v1):
    with Ledger(v1) as book:
        records = [r for latest in book.latest_all() for r in book.history(latest.slug)]
        assert len(records) == 8
        assert {r.kind for r in records} == {"agreement"}
        assert all(r.archive is None and r.evidence is None and r.sent_sha256 is None for r in records)
        # v1 bills had no terms; nothing is invented for them
        assert all(r.terms_sha256 == book.bom(r.id).get("terms_sha256") for r in records)
        harbor = book.latest(book.resolve_client(HARBOR))
        assert [e.hashes for e in book.events(harbor.id)] == [None, None]
    assert user_version(v1) == CURRENT


def test_version_3_adds_users_tokens_sessions_and_audit_to_a_v1_ledger_and_keeps_its_records(v1):
    with Ledger(v1) as book:
        assert len(book.latest_all()) == 8
        tables = {r[0] for r in book._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"users", "api_tokens", "sessions", "login_failures", "audit"} <= tables
        assert book._db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
    assert user_version(v1) == 3


def test_a_v1_ledger_opens_for_writing_and_keeps_every_record(v1):
    with Ledger(v1) as book:
        records = book.latest_all()
        assert len(records) == 8
        harbor = book.latest(book.resolve_client(HARBOR))
        assert harbor is not None and harbor.status == "in_review"
        assert [e.note for e in book.events(harbor.id)] == ["generated", "sent to counsel"]
        assert book.bom(harbor.id)["client"] == HARBOR
        moved = mark(book, HARBOR, "approved", by="test")
        assert moved.status == "approved"
    assert user_version(v1) == CURRENT


def test_migrations_run_in_order_once_and_keep_the_records(v1, with_next):
    with Ledger(v1) as book:
        assert len(book.latest_all()) == 8
        assert book._db.execute("SELECT DISTINCT counsel FROM agreements").fetchall() == [("unassigned",)]
        assert mark(book, HARBOR, "approved").status == "approved"
    assert user_version(v1) == NEXT and with_next == [1]
    with Ledger(v1) as book:  # already current: the step does not run again
        assert len(book.latest_all()) == 8
    with open_reader(v1) as book:
        assert book.latest(book.resolve_client(HARBOR)).status == "approved"
    assert with_next == [1]


def test_a_new_ledger_runs_every_migration(tmp_path, with_next):
    path = tmp_path / "new.sqlite"
    with Ledger(path) as book:
        assert book.latest_all() == []
        columns = {r[1] for r in book._db.execute("PRAGMA table_info(agreements)")}
    assert "counsel" in columns and user_version(path) == NEXT and with_next == [1]


def test_a_failing_migration_changes_nothing(v1, monkeypatch):
    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ledger_schema, "MIGRATIONS", [*ledger_schema.MIGRATIONS, broken])
    with pytest.raises(LedgerError, match="disk I/O error"):
        Ledger(v1)
    assert user_version(v1) == 1
    db = sqlite3.connect(v1)
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall() == []
    db.close()


def test_an_empty_file_becomes_a_ledger_but_a_foreign_database_is_refused(tmp_path):
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    with Ledger(empty) as book:
        assert book.latest_all() == []
    foreign = tmp_path / "foreign.sqlite"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE invoices (n)")
    db.close()
    with pytest.raises(LedgerError, match=r"not an msa-builder ledger: it holds other tables \(invoices\)"):
        Ledger(foreign)


def test_a_newer_schema_is_refused_by_readers_and_writers(tmp_path):
    newer = tmp_path / "newer.sqlite"
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 7")
    db.close()
    for readonly in (False, True):
        with pytest.raises(LedgerError, match=rf"newer msa-builder \(schema 7; this one knows up to {CURRENT}\)"):
            Ledger(newer, readonly=readonly)


# -- readers ------------------------------------------------------------------------------------

def test_a_reader_never_migrates_or_writes(v1, with_next):
    before = fingerprint(v1)
    with pytest.raises(LedgerError) as caught:
        open_reader(v1)
    assert caught.value.message == f"the ledger has schema version 1; this msa-builder reads version {NEXT}"
    assert "upgrades it in place" in (caught.value.hint or "")
    assert fingerprint(v1) == before and with_next == []


def test_readers_change_nothing_and_refuse_to_write(migrated):
    before = fingerprint(migrated)
    with open_reader(migrated) as book:
        slug = book.resolve_client(HARBOR)
        assert [r.status for r in book.history(slug)] == ["in_review"]
        assert book.memo_get("nothing") is None
        with pytest.raises(LedgerError, match="opened read-only"):
            book.mark(HARBOR, "superseded")
    assert fingerprint(migrated) == before


@pytest.fixture
def writer_holding_the_lock(migrated):
    """Another connection in the middle of a write transaction (as a running batch would be)."""
    db = sqlite3.connect(migrated, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE agreements SET status = 'approved' WHERE client = ?", (HARBOR,))
    yield migrated
    db.execute("ROLLBACK")
    db.close()


def test_a_reader_does_not_wait_for_a_writer_and_sees_the_last_commit(writer_holding_the_lock):
    # timeout=0: a reader that needed the write lock would fail at once instead of waiting
    with Ledger(writer_holding_the_lock, readonly=True, timeout=0) as book:
        assert book.latest(book.resolve_client(HARBOR)).status == "in_review"
        assert len(book.latest_all()) == 8


def test_a_busy_ledger_is_reported_as_busy_not_as_unusable(writer_holding_the_lock):
    with Ledger(writer_holding_the_lock, timeout=0.05) as book:  # opening an up-to-date ledger takes no lock
        with pytest.raises(LedgerError) as caught:
            book.mark(HARBOR, "superseded")
    assert caught.value.message.startswith("the ledger is busy: another process is writing to it")
    assert "not a usable" not in caught.value.format()


def test_ledger_show_and_status_work_while_a_batch_holds_the_write_lock(writer_holding_the_lock, tmp_path):
    runner = CliRunner()
    shown = runner.invoke(main, ["ledger", "show", HARBOR, "--ledger", str(writer_holding_the_lock)])
    assert shown.exit_code == 0, shown.output
    assert "in_review" in shown.output and "sent to counsel" in shown.output
    every = runner.invoke(main, ["ledger", "show", "--ledger", str(writer_holding_the_lock)])
    assert every.exit_code == 0 and "8 client(s)" in every.output
    samples = Path(__file__).resolve().parents[1] / "samples"
    status = runner.invoke(main, ["status", str(samples), "--ledger", str(writer_holding_the_lock),
                                  "--out", str(tmp_path / "out")])
    assert status.exit_code == 0, status.output
    assert "10 client(s): 0 signed and current" in status.output and "in_review" in status.output


def _as_nobody(function: Callable[[], Any]) -> Any:
    """Run `function` in a child process that may not write anything (root ignores permissions)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop privileges, run, report, leave without running pytest's teardown
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            result: Any = ("ok", function())
        except BaseException as exc:  # reported to the parent, which fails the test with it
            result = ("error", f"{type(exc).__name__}: {exc}")
        with os.fdopen(write, "wb") as out:
            pickle.dump(result, out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as handle:
        data = handle.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


@pytest.fixture
def open_folder():
    """A folder everyone may enter (pytest's temp folders are the owner's alone), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="msa-test-ro-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(sys.platform != "linux", reason="uses fork and Linux permissions")
def test_a_ledger_on_read_only_media_can_be_read(open_folder):
    path = Path(shutil.copy(FIXTURE, open_folder / "ledger.sqlite"))
    Ledger(path).close()  # today's schema, then read-only
    for leftover in open_folder.glob("ledger.sqlite-*"):
        leftover.unlink()
    os.chmod(path, 0o444)
    os.chmod(open_folder, 0o555)
    before = fingerprint(path)

    def read() -> tuple[int, str]:
        with open_reader(path) as book:
            return len(book.latest_all()), book.latest(book.resolve_client(HARBOR)).status

    try:
        outcome = _as_nobody(read) if os.geteuid() == 0 else ("ok", read())
    finally:
        os.chmod(open_folder, 0o755)
    assert outcome == ("ok", (8, "in_review"))
    assert fingerprint(path) == before
    assert sorted(p.name for p in open_folder.iterdir()) == ["ledger.sqlite"]


# -- damage ---------------------------------------------------------------------------------------

def test_a_damaged_page_is_our_error_for_readers_writers_and_the_cli(migrated):
    data = bytearray(migrated.read_bytes())
    page = 4096
    data[page:len(data)] = b"\xde\xad" * ((len(data) - page) // 2)  # every page but the header
    migrated.write_bytes(bytes(data))
    for readonly in (True, False):
        with pytest.raises(LedgerError, match="not a usable ledger database"):
            with Ledger(migrated, readonly=readonly) as book:
                book.latest_all()
    shown = CliRunner().invoke(main, ["ledger", "show", "--ledger", str(migrated)])
    assert shown.exit_code == 2
    assert shown.output.startswith("error: ") and "Traceback" not in shown.output
    assert "not a usable ledger database" in shown.output


def test_rows_with_bad_json_are_our_error_naming_the_record(migrated):
    db = sqlite3.connect(migrated)
    db.execute("UPDATE agreements SET outputs = '{not json' WHERE client = ?", (HARBOR,))
    db.execute("UPDATE agreements SET bom = '[1, 2]' WHERE client LIKE 'Copper%'")
    db.commit()
    db.close()
    with open_reader(migrated) as book:
        harbor = book.resolve_client(HARBOR)
        with pytest.raises(LedgerError) as caught:
            book.history(harbor)
        assert caught.value.message == "agreement record #1 is damaged: its outputs are not a JSON object"
        assert caught.value.field == "agreements.outputs"
        copper = book.latest(book.resolve_client("Copper Kettle Bakery LLC"))
        with pytest.raises(LedgerError, match=f"#{copper.id} is damaged: its bom are not a JSON object"):
            book.bom(copper.id)
    shown = CliRunner().invoke(main, ["ledger", "show", HARBOR, "--ledger", str(migrated)])
    assert shown.exit_code == 2 and "is damaged" in shown.output and "Traceback" not in shown.output


class _RollbackFails:
    """A connection whose ROLLBACK fails, as it does when the connection or the disk has gone."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    @property
    def in_transaction(self) -> bool:
        return self._db.in_transaction

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "ROLLBACK":
            self._db.execute("ROLLBACK")
            raise sqlite3.OperationalError("cannot rollback - no transaction is active")
        return self._db.execute(sql, *args)


def test_a_failing_rollback_does_not_hide_the_original_error(v1):
    with Ledger(v1) as book:
        book._db = _RollbackFails(book._db)  # type: ignore[assignment]
        with pytest.raises(ValueError, match="the original problem"):
            with book._write() as db:
                db.execute("DELETE FROM bom_memo")
                raise ValueError("the original problem")
        with pytest.raises(LedgerError, match="no agreement of 'Harbor & Finch LLP' can move to 'signed'"):
            mark(book, HARBOR, "signed")
        assert book.memo_get(book._db.execute("SELECT inputs_sha256 FROM bom_memo").fetchone()[0])
        book._db = book._db._db  # type: ignore[attr-defined]
