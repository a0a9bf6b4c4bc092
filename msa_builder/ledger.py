"""The agreement ledger: every generated agreement, and where each one stands on its way to a signature.

Every client must have a signed, current agreement (see DOMAIN.md); the ledger is how operations
know which do. It is an embedded SQLite database in WAL mode so a batch's worker processes can
record builds at the same time as someone marks an agreement sent; every write is one short
`BEGIN IMMEDIATE` transaction, and a busy database is waited for, not failed.

An agreement moves `draft -> in_review -> approved -> sent -> signed`, one step at a time, or to
`superseded` from any open status. A newly generated agreement supersedes the client's earlier
drafts still in progress (`draft`, `in_review`, `approved`); one already `sent` stays open, since
the client may still sign it. Marking an agreement `signed` supersedes the client's older ones.
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import LedgerError

STATUSES = ("draft", "in_review", "approved", "sent", "signed", "superseded")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("in_review", "superseded"),
    "in_review": ("approved", "superseded"),
    "approved": ("sent", "superseded"),
    "sent": ("signed", "superseded"),
    "signed": ("superseded",),
    "superseded": (),
}
IN_PROGRESS = ("draft", "in_review", "approved")
LEDGER_NAME = "ledger.sqlite"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS agreements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL,
    client TEXT NOT NULL,
    agreement_id TEXT NOT NULL,
    source TEXT NOT NULL,
    directory TEXT NOT NULL,
    lock_sha256 TEXT NOT NULL,
    bom_sha256 TEXT NOT NULL,
    library_name TEXT NOT NULL,
    library_version TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    outputs TEXT NOT NULL,
    bom TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    status TEXT NOT NULL,
    status_at TEXT NOT NULL,
    status_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS agreements_slug ON agreements (slug, id);
CREATE INDEX IF NOT EXISTS agreements_agreement_id ON agreements (agreement_id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record INTEGER NOT NULL REFERENCES agreements (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    note TEXT
);
CREATE INDEX IF NOT EXISTS events_record ON events (record, id);
CREATE TABLE IF NOT EXISTS bom_memo (
    inputs_sha256 TEXT PRIMARY KEY,
    bom_sha256 TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class AgreementRecord:
    """One generated agreement as the ledger holds it."""

    id: int
    slug: str
    client: str
    agreement_id: str
    source: str
    directory: str
    lock_sha256: str
    bom_sha256: str
    library_name: str
    library_version: str
    tool_version: str
    outputs: dict[str, str]
    generated_at: str
    status: str
    status_at: str
    status_by: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class StatusEvent:
    """One step of an agreement's history (`from_status` is None when it was generated)."""

    record: int
    from_status: str | None
    to_status: str
    at: str
    by: str
    note: str | None


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def current_user() -> str:
    """Who is acting: MSA_USER when set (for shared service accounts), else the login name."""
    try:
        return os.environ.get("MSA_USER") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a container with an arbitrary uid
        return "unknown"


def default_ledger(out_dir: Path | str) -> Path:
    return Path(out_dir) / LEDGER_NAME


def check_creatable(path: Path) -> None:
    """Refuse, before anything is built, a ledger path under a file or in a folder we cannot write."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise LedgerError("cannot create the ledger: a file is where a folder must be", file=str(path),
                          hint=f"{folder} is a file")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LedgerError("cannot create the ledger: the folder is not writable", file=str(path))


def open_existing(path: Path | str) -> Ledger:
    """Open a ledger that must already exist (reading or marking must not create an empty one)."""
    if not Path(path).is_file():
        raise LedgerError("no ledger here yet; `msa batch` creates it with the first agreements it builds",
                          file=str(path), hint="pass --ledger PATH, or the --out folder the batch wrote to")
    return Ledger(path)


_COLUMNS = ("id", "slug", "client", "agreement_id", "source", "directory", "lock_sha256", "bom_sha256",
            "library_name", "library_version", "tool_version", "outputs", "generated_at", "status",
            "status_at", "status_by")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM agreements"


def _record(row: tuple[Any, ...]) -> AgreementRecord:
    values = dict(zip(_COLUMNS, row))
    values["outputs"] = json.loads(values["outputs"])
    return AgreementRecord(**values)


class Ledger:
    """An open ledger database; use as a context manager, one per process (never across fork)."""

    def __init__(self, path: Path | str, *, timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise LedgerError(f"cannot open the ledger: {exc}", file=str(self.path)) from None
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise LedgerError(f"the ledger could not switch to WAL mode (it is in {mode!r} mode)",
                                  file=str(self.path))
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            with self._write():
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise LedgerError(f"the ledger was written by a newer msa-builder (schema {version})",
                                      file=str(self.path), hint="upgrade msa-builder")
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise LedgerError(f"not a usable ledger database: {exc}", file=str(self.path)) from None
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock up front so two writers never deadlock."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- reading -----------------------------------------------------------------------------

    def get(self, record: int) -> AgreementRecord:
        row = self._db.execute(f"{_SELECT} WHERE id = ?", (record,)).fetchone()
        if row is None:
            raise LedgerError(f"no agreement record #{record}", file=str(self.path), field="--record")
        return _record(row)

    def history(self, slug: str) -> list[AgreementRecord]:
        """Every agreement generated for a client, oldest first."""
        return [_record(r) for r in self._db.execute(f"{_SELECT} WHERE slug = ? ORDER BY id", (slug,))]

    def latest(self, slug: str) -> AgreementRecord | None:
        row = self._db.execute(f"{_SELECT} WHERE slug = ? ORDER BY id DESC LIMIT 1", (slug,)).fetchone()
        return _record(row) if row else None

    def latest_signed(self, slug: str) -> AgreementRecord | None:
        row = self._db.execute(f"{_SELECT} WHERE slug = ? AND status = 'signed' ORDER BY id DESC LIMIT 1",
                               (slug,)).fetchone()
        return _record(row) if row else None

    def latest_all(self) -> list[AgreementRecord]:
        """The newest record of every client the ledger knows, by client name."""
        rows = self._db.execute(f"{_SELECT} WHERE id IN (SELECT MAX(id) FROM agreements GROUP BY slug) "
                                "ORDER BY client COLLATE NOCASE")
        return [_record(r) for r in rows]

    def events(self, record: int) -> list[StatusEvent]:
        rows = self._db.execute("SELECT record, from_status, to_status, at, by, note FROM events "
                                "WHERE record = ? ORDER BY id", (record,))
        return [StatusEvent(*r) for r in rows]

    def bom(self, record: int) -> dict[str, Any]:
        """The bill of materials the agreement was generated from (to say what changed since)."""
        row = self._db.execute("SELECT bom FROM agreements WHERE id = ?", (record,)).fetchone()
        if row is None:
            raise LedgerError(f"no agreement record #{record}", file=str(self.path))
        data: dict[str, Any] = json.loads(row[0])
        return data

    def resolve_client(self, ref: str) -> str:
        """A client's slug from its slug, its legal name (any case) or one of its agreement ids."""
        for query in ("SELECT slug FROM agreements WHERE slug = ? LIMIT 1",
                      "SELECT slug FROM agreements WHERE client = ? COLLATE NOCASE LIMIT 1",
                      "SELECT slug FROM agreements WHERE agreement_id = ? LIMIT 1"):
            row = self._db.execute(query, (ref,)).fetchone()
            if row:
                return str(row[0])
        known = [r.client for r in self.latest_all()]
        raise LedgerError(f"the ledger has no client {ref!r}", file=str(self.path), field="CLIENT",
                          allowed=known[:20], hint="give the client's legal name, its folder name or an agreement id")

    # -- writing -----------------------------------------------------------------------------

    def record_build(self, lock: Mapping[str, Any], *, lock_sha256: str, slug: str, directory: str,
                     source: str, by: str = "msa batch", at: str | None = None) -> AgreementRecord | None:
        """Record a generated agreement from its lock; None when it is already the client's latest.

        Recording is idempotent so a rerun (or a batch that finds a build made with `msa build`)
        can call it for every client it sees.
        """
        bom = lock["bom"]
        at = at or now_utc()
        with self._write() as db:
            row = db.execute("SELECT lock_sha256 FROM agreements WHERE slug = ? ORDER BY id DESC LIMIT 1",
                             (slug,)).fetchone()
            if row and row[0] == lock_sha256:
                return None
            cursor = db.execute(
                "INSERT INTO agreements (slug, client, agreement_id, source, directory, lock_sha256, bom_sha256, "
                "library_name, library_version, tool_version, outputs, bom, generated_at, status, status_at, "
                "status_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)",
                (slug, bom["client"], bom["agreement_id"], source, directory, lock_sha256, lock["bom_sha256"],
                 bom["library"]["name"], bom["library"]["version"], bom["tool"]["version"],
                 json.dumps(lock["outputs"], sort_keys=True), json.dumps(bom, sort_keys=True), at, at, by))
            record = int(cursor.lastrowid or 0)
            db.execute("INSERT INTO events (record, from_status, to_status, at, by, note) "
                       "VALUES (?, NULL, 'draft', ?, ?, 'generated')", (record, at, by))
            stale = db.execute(f"SELECT id, status FROM agreements WHERE slug = ? AND id < ? AND status IN "
                               f"({', '.join('?' * len(IN_PROGRESS))})", (slug, record, *IN_PROGRESS)).fetchall()
            for old, status in stale:
                self._move(db, old, status, "superseded", by=by, at=at, note=f"superseded by #{record}")
        return self.get(record)

    def mark(self, client: str, status: str, *, by: str | None = None, note: str | None = None,
             record: int | None = None, at: str | None = None) -> AgreementRecord:
        """Move a client's agreement to `status`, refusing any move the workflow does not allow.

        Without `record`, the one open agreement that can make this move is chosen; when several
        could (two agreements sent and awaiting signature), the caller must say which.
        """
        if status not in STATUSES:
            raise LedgerError(f"{status!r} is not an agreement status", field="STATUS", allowed=STATUSES)
        by = by or current_user()
        at = at or now_utc()
        slug = self.resolve_client(client)
        with self._write() as db:
            rows = db.execute("SELECT id, status FROM agreements WHERE slug = ? ORDER BY id DESC", (slug,)).fetchall()
            if record is not None:
                chosen = [(i, s) for i, s in rows if i == record]
                if not chosen:
                    raise LedgerError(f"record #{record} is not an agreement of {client!r}", field="--record",
                                      allowed=[f"#{i} ({s})" for i, s in rows])
            else:
                chosen = [(i, s) for i, s in rows if status in TRANSITIONS[s]]
                if not chosen:
                    latest_id, latest_status = rows[0]
                    raise LedgerError(
                        f"no agreement of {client!r} can move to {status!r}; the latest, #{latest_id}, is "
                        f"{latest_status!r}", field="STATUS", allowed=TRANSITIONS[latest_status],
                        hint="see its history with `msa ledger show CLIENT`")
                if len(chosen) > 1:
                    raise LedgerError(f"several agreements of {client!r} could move to {status!r}",
                                      field="--record", allowed=[f"#{i} ({s})" for i, s in chosen],
                                      hint="pass --record N to say which")
            target, current = chosen[0]
            if status not in TRANSITIONS[current]:
                raise LedgerError(f"agreement #{target} is {current!r} and cannot move to {status!r}",
                                  field="STATUS", allowed=TRANSITIONS[current])
            self._move(db, target, current, status, by=by, at=at, note=note)
            if status == "signed":
                older = db.execute("SELECT id, status FROM agreements WHERE slug = ? AND id < ? AND status NOT IN "
                                   "('superseded')", (slug, target)).fetchall()
                for old, old_status in older:
                    self._move(db, old, old_status, "superseded", by=by, at=at, note=f"#{target} signed")
        return self.get(target)

    def _move(self, db: sqlite3.Connection, record: int, current: str, status: str, *, by: str, at: str,
              note: str | None) -> None:
        # The WHERE on the current status makes a racing second mover change nothing.
        changed = db.execute("UPDATE agreements SET status = ?, status_at = ?, status_by = ? "
                             "WHERE id = ? AND status = ?", (status, at, by, record, current)).rowcount
        if changed != 1:
            raise LedgerError(f"agreement #{record} changed status while being moved; try again")
        db.execute("INSERT INTO events (record, from_status, to_status, at, by, note) VALUES (?, ?, ?, ?, ?, ?)",
                   (record, current, status, at, by, note))

    # -- the staleness memo --------------------------------------------------------------------

    def memo_get(self, inputs_sha256: str) -> str | None:
        """The bill of materials a build with these exact inputs produces, if one was computed.

        This lets a rerun over an unchanged library skip selection entirely; see batch/staleness.py.
        """
        row = self._db.execute("SELECT bom_sha256 FROM bom_memo WHERE inputs_sha256 = ?",
                               (inputs_sha256,)).fetchone()
        return str(row[0]) if row else None

    def memo_put(self, inputs_sha256: str, bom_sha256: str) -> None:
        self.memo_put_many([(inputs_sha256, bom_sha256)])

    def memo_put_many(self, entries: list[tuple[str, str]]) -> None:
        """Remember many (inputs, bill) pairs in one transaction: a batch learns hundreds at a time."""
        if not entries:
            return
        with self._write() as db:
            db.executemany("INSERT OR REPLACE INTO bom_memo (inputs_sha256, bom_sha256) VALUES (?, ?)", entries)
