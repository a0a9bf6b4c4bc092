"""The ledger's schema, its migrations, and how a reader or a writer opens the database.

The schema version lives in SQLite's `PRAGMA user_version`: version N is what the first N
functions of `MIGRATIONS` build, in order. A writer brings an older database up to date in one
write transaction (all steps or none); a reader never migrates and never writes, so it opens the
file read-only (`mode=ro`) and accepts only the current version. Ledgers already in use have run
every released step, so a step is never edited: the next schema is one more function.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import LedgerError

Migration = Callable[[sqlite3.Connection], None]


def _v1_tables(db: sqlite3.Connection) -> None:
    """Version 1: agreements with their status, the status history, and the batch memo."""
    for statement in (
        """CREATE TABLE agreements (
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
        )""",
        "CREATE INDEX agreements_slug ON agreements (slug, id)",
        "CREATE INDEX agreements_agreement_id ON agreements (agreement_id)",
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            record INTEGER NOT NULL REFERENCES agreements (id),
            from_status TEXT,
            to_status TEXT NOT NULL,
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            note TEXT
        )""",
        "CREATE INDEX events_record ON events (record, id)",
        "CREATE TABLE bom_memo (inputs_sha256 TEXT PRIMARY KEY, bom_sha256 TEXT NOT NULL)",
    ):
        db.execute(statement)


def _v2_instruments(db: sqlite3.Connection) -> None:
    """Version 2: every record is an instrument (an agreement or an amendment of one) with its proof.

    `terms_sha256` is what the instrument says (terms.py), copied from the bill where a build
    recorded it; `archive` the approved execution files and their sha256; `execution_sha256` the
    archived execution PDF (how `msa verify` finds an instrument from a signed copy);
    `sent_sha256` the file sent for signature; `evidence` what proves the signature. Each event
    keeps the sha256 of the files that step wrote or checked.
    """
    for statement in (
        "ALTER TABLE agreements ADD COLUMN kind TEXT NOT NULL DEFAULT 'agreement'",
        "ALTER TABLE agreements ADD COLUMN amends INTEGER REFERENCES agreements (id)",
        "ALTER TABLE agreements ADD COLUMN amendment_no INTEGER",
        "ALTER TABLE agreements ADD COLUMN terms_sha256 TEXT",
        "ALTER TABLE agreements ADD COLUMN archive TEXT",
        "ALTER TABLE agreements ADD COLUMN execution_sha256 TEXT",
        "ALTER TABLE agreements ADD COLUMN sent_sha256 TEXT",
        "ALTER TABLE agreements ADD COLUMN evidence TEXT",
        "ALTER TABLE events ADD COLUMN hashes TEXT",
        "CREATE INDEX agreements_execution ON agreements (execution_sha256)",
        "CREATE INDEX agreements_amends ON agreements (amends, id)",
    ):
        db.execute(statement)
    for record, bom in db.execute("SELECT id, bom FROM agreements").fetchall():
        try:
            terms = json.loads(bom).get("terms_sha256")
        except (ValueError, AttributeError):
            continue  # a damaged bill stays as it was; reading that record reports it
        if isinstance(terms, str):
            db.execute("UPDATE agreements SET terms_sha256 = ? WHERE id = ?", (terms, record))


def _v3_users(db: sqlite3.Connection) -> None:
    """Version 3: the people who work in `msa serve`, their sign-ins and what they did outside the ledger steps.

    Users live in the workspace's ledger so one file holds who did what: `users` (an argon2 hash
    of each password, never the password), `api_tokens` and `sessions` (only the sha256 of each
    random token, so a copy of the ledger opens no door), `login_failures` (for the rate limit)
    and `audit`, the events that are not an agreement's step (sign-ins, users added, profiles saved).
    """
    for statement in (
        """CREATE TABLE users (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            role TEXT NOT NULL,
            password_hash TEXT,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL
        )""",
        """CREATE TABLE api_tokens (
            sha256 TEXT PRIMARY KEY,
            user TEXT NOT NULL REFERENCES users (name),
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE sessions (
            sha256 TEXT PRIMARY KEY,
            user TEXT NOT NULL REFERENCES users (name),
            csrf TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )""",
        "CREATE TABLE login_failures (key TEXT NOT NULL, at TEXT NOT NULL)",
        "CREATE INDEX login_failures_key ON login_failures (key, at)",
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT,
            note TEXT
        )""",
    ):
        db.execute(statement)


# Append only. Each step takes the database from version i to i + 1 inside the caller's transaction.
MIGRATIONS: list[Migration] = [_v1_tables, _v2_instruments, _v3_users]


def schema_version() -> int:
    """The version this msa-builder writes and reads: one per migration."""
    return len(MIGRATIONS)


def describe_error(exc: sqlite3.Error, path: Path) -> LedgerError:
    """Our error for an SQLite one: busy, damaged, read-only or full, each with what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    where = str(path)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return LedgerError("the ledger is busy: another process is writing to it and did not finish in time",
                           file=where, hint="try again when the running batch or `msa ledger` command has finished")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return LedgerError(f"not a usable ledger database (damaged, or not a ledger): {text}", file=where,
                           hint="restore it from a backup; `sqlite3 FILE .recover` can salvage the rows of a damaged one")
    if name.startswith("SQLITE_READONLY"):
        return LedgerError(f"the ledger cannot be written here: {text}", file=where,
                           hint="check the file's and its folder's permissions, or pass --ledger PATH")
    if name.startswith("SQLITE_FULL"):
        return LedgerError("the disk holding the ledger is full", file=where)
    return LedgerError(f"the ledger database failed: {text}", file=where)


def _version(db: sqlite3.Connection, path: Path) -> int:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > schema_version():
        raise LedgerError(f"the ledger was written by a newer msa-builder (schema {version}; this one knows up to "
                          f"{schema_version()})", file=str(path), hint="upgrade msa-builder")
    return version


def migrate(db: sqlite3.Connection, path: Path) -> int:
    """Bring the database to the current schema in one transaction; returns the version it had.

    Takes the write lock first and reads the version under it, so two writers opening an old
    ledger at once run each step once.
    """
    if _version(db, path) == schema_version():
        return schema_version()
    db.execute("BEGIN IMMEDIATE")
    try:
        version = _version(db, path)
        if version == 0:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                               "AND name NOT LIKE 'sqlite_%'")]
            if tables:
                raise LedgerError(f"not an msa-builder ledger: it holds other tables ({', '.join(tables[:5])})",
                                  file=str(path), hint="pass --ledger PATH to keep the ledger elsewhere")
        for step in MIGRATIONS[version:]:
            step(db)
        db.execute(f"PRAGMA user_version = {schema_version()}")
        db.execute("COMMIT")
    except BaseException:
        rollback(db)
        raise
    return version


def rollback(db: sqlite3.Connection) -> None:
    """Undo the open transaction, if any, without hiding the error that caused it.

    A failed ROLLBACK (the connection broke, the disk went away) means SQLite already discarded
    the transaction; the error worth reporting is the one that made us roll back.
    """
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass


@contextmanager
def write_transaction(db: sqlite3.Connection, path: Path) -> Iterator[sqlite3.Connection]:
    """One write transaction, taking the write lock up front so two writers never deadlock;
    SQLite's errors become a LedgerError naming the file, and anything else rolls back too."""
    try:
        db.execute("BEGIN IMMEDIATE")
        yield db
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        rollback(db)
        raise describe_error(exc, path) from None
    except BaseException:
        rollback(db)
        raise


def connect_writer(path: Path, timeout: float) -> sqlite3.Connection:
    """Open (creating it if need be) the ledger for writing: WAL mode, migrated to the current schema."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise LedgerError(f"cannot open the ledger: {exc}", file=str(path)) from None
    with _closed_on_error(db, path):
        db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise LedgerError(f"the ledger could not switch to WAL mode (it is in {mode!r} mode)", file=str(path))
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db, path)
    return db


@contextmanager
def _closed_on_error(db: sqlite3.Connection, path: Path) -> Iterator[None]:
    """Setting up a connection: on any failure it is closed, and SQLite's errors become ours."""
    try:
        yield
    except sqlite3.Error as exc:
        db.close()
        raise describe_error(exc, path) from None
    except BaseException:
        db.close()
        raise


def _read_only(path: Path, timeout: float, *, immutable: bool) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
    return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)


def connect_reader(path: Path, timeout: float) -> sqlite3.Connection:
    """Open an existing ledger read-only: no write lock, no schema change, no wait behind a writer.

    In WAL mode readers see the last commit while a writer works. A reader still needs the
    `-shm` index beside the database; where it cannot be created (read-only media, a folder we
    may not write) and no writer can exist, the file is opened as immutable instead.
    """
    try:
        db = _read_only(path, timeout, immutable=False)
        try:
            db.execute("PRAGMA user_version").fetchone()
        except sqlite3.OperationalError as exc:
            name = getattr(exc, "sqlite_errorname", "") or ""
            if not name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
                raise
            db.close()
            db = _read_only(path, timeout, immutable=True)
    except sqlite3.Error as exc:
        raise describe_error(exc, path) from None
    with _closed_on_error(db, path):
        db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        version = _version(db, path)
        if version != schema_version():
            raise LedgerError(f"the ledger has schema version {version}; this msa-builder reads version "
                              f"{schema_version()}", file=str(path),
                              hint="a command that writes the ledger (`msa batch`, `msa build`, `msa ledger mark`) "
                                   "upgrades it in place")
    return db
