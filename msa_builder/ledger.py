"""The agreement ledger: every generated agreement, and where each one stands on its way to a signature.

Every client must have a signed, current agreement (see DOMAIN.md); the ledger is how operations
know which do. It is an embedded SQLite database in WAL mode so a batch's worker processes can
record builds at the same time as someone marks an agreement sent; every write is one short
`BEGIN IMMEDIATE` transaction, and a busy database is waited for, not failed.

Commands that only read (`msa status`, `msa ledger show`) open the file read-only: they take no
lock, change nothing, see the last commit while a batch writes, and work on read-only media.
Schema changes are migrations (ledger_schema.py) that only writers run.

An agreement moves `draft -> in_review -> approved -> sent -> signed`, one step at a time, or to
`superseded` from any open status. The last three steps each need their proof (`Approval`,
`Sending`, `Evidence`), which only the lifecycle (lifecycle/) makes after its checks: the ledger
records what was archived, sent and signed, it does not decide that it may be. A newly generated agreement supersedes the client's earlier
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

from .errors import LedgerError, Problem
from .fieldtypes import text_problem
from .names import normal_name, same_client
from .ledger_schema import connect_reader, connect_writer, describe_error, schema_version, write_transaction

STATUSES = ("draft", "in_review", "approved", "sent", "signed", "superseded")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("in_review", "superseded"),
    "in_review": ("approved", "draft", "superseded"),  # back to draft: sent back by the attorney
    "approved": ("sent", "superseded"),
    "sent": ("signed", "superseded"),
    "signed": ("superseded",),
    "superseded": (),
}
IN_PROGRESS = ("draft", "in_review", "approved")
LEDGER_NAME = "ledger.sqlite"
SCHEMA_VERSION = schema_version()
BUSY_TIMEOUT_S = 60.0


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
    kind: str = "agreement"  # agreement | amendment
    amends: int | None = None  # an amendment: the record of the agreement it amends
    amendment_no: int | None = None
    terms_sha256: str | None = None
    archive: dict[str, Any] | None = None  # {"folder": ..., "files": {name: sha256}}
    execution_sha256: str | None = None
    sent_sha256: str | None = None
    evidence: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @property
    def archive_folder(self) -> Path | None:
        """Where the approved instrument's files are archived; None before approval."""
        return Path(self.archive["folder"]) if self.archive and self.archive.get("folder") else None

    @property
    def archived_files(self) -> dict[str, str]:
        """Every file of the archive with its recorded sha256: the execution files, then the evidence."""
        files = dict(self.archive.get("files", {})) if self.archive else {}
        if self.evidence and self.archive_folder is not None:
            files[self.evidence["file"]] = self.evidence["sha256"]
        return files


@dataclass(frozen=True)
class StatusEvent:
    """One step of an agreement's history (`from_status` is None when it was generated)."""

    record: int
    from_status: str | None
    to_status: str
    at: str
    by: str
    note: str | None
    hashes: dict[str, str] | None = None


@dataclass(frozen=True)
class Approval:
    """What approving an instrument archived: its folder, each file's sha256, the execution PDF's."""

    folder: str
    files: dict[str, str]
    execution_sha256: str
    accepted: tuple[str, ...] = ()  # the deviations the attorney accepted


@dataclass(frozen=True)
class Sending:
    """The file sent for signature (the archived execution PDF)."""

    sha256: str


@dataclass(frozen=True)
class Evidence:
    """What proves a signature: a file in the archive, verified (with its signers) or not (with why)."""

    file: str
    sha256: str
    verified: bool
    signers: tuple[dict[str, Any], ...] = ()  # {"field", "name", "trusted", "time"}
    reason: str | None = None  # why unverified evidence was accepted
    received_as: str | None = None  # the name of the file as given

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "verified": self.verified,
                "signers": [dict(s) for s in self.signers], "reason": self.reason, "received_as": self.received_as}


Proof = Approval | Sending | Evidence
_PROOF_FOR: dict[str, type] = {"approved": Approval, "sent": Sending, "signed": Evidence}
_HOW = {"approved": "an attorney approves it with `msa approve` (which writes the execution version)",
        "sent": "its execution version is sent with `msa ledger mark CLIENT sent`",
        "signed": "`msa ledger mark CLIENT signed --evidence FILE` records the proof of signature"}


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def current_user() -> str:
    """Who is acting: MSA_USER when set (for shared service accounts), else the login name."""
    try:
        return os.environ.get("MSA_USER") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a container with an arbitrary uid
        return "unknown"


# A step's words are kept forever and shown on terminals and pages: one screen, not a megabyte.
MAX_BY = 200
MAX_NOTE = 2000


def step_problems(*, by: str, note: str | None, reason: str | None = None, by_field: str = "--by") -> list[Problem]:
    """Everything wrong with who made a step, its note and (for unverified evidence) the reason.

    The character rules of client text apply: a control character, a bidirectional override or a
    line break in `by` would make the history say something other than what happened. A note may
    span lines (the web's comment box); `by` and the reason are one line.
    """
    problems = []
    for field, value, one_line, limit in ((by_field, by, True, MAX_BY), ("--note", note, False, MAX_NOTE),
                                          ("--unverified", reason, True, MAX_NOTE)):
        if value is None:
            continue
        problem = text_problem(value, one_line=one_line)
        if problem is None and len(value) > limit:
            problem = f"is {len(value):,} characters long; at most {limit:,}"
        if problem:
            problems.append(Problem(problem, field=field))
    return problems


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


def open_existing(path: Path | str, *, readonly: bool = False) -> Ledger:
    """Open a ledger that must already exist (reading or marking must not create an empty one)."""
    if not Path(path).is_file():
        raise LedgerError("no ledger here yet; `msa batch` creates it with the first agreements it builds",
                          file=str(path), hint="pass --ledger PATH, or the --out folder the batch wrote to")
    return Ledger(path, readonly=readonly)


def open_reader(path: Path | str) -> Ledger:
    """An existing ledger, read-only: for commands that report and must never wait for a batch."""
    return open_existing(path, readonly=True)


_COLUMNS = ("id", "slug", "client", "agreement_id", "source", "directory", "lock_sha256", "bom_sha256",
            "library_name", "library_version", "tool_version", "outputs", "generated_at", "status",
            "status_at", "status_by", "kind", "amends", "amendment_no", "terms_sha256", "archive",
            "execution_sha256", "sent_sha256", "evidence")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM agreements"


class Ledger:
    """An open ledger database; use as a context manager, one per process (never across fork).

    With `readonly`, the file is opened read-only (see the module doc) and must already be at
    this msa-builder's schema version; writers migrate it.
    """

    def __init__(self, path: Path | str, *, timeout: float = BUSY_TIMEOUT_S, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._db = (connect_reader if readonly else connect_writer)(self.path, timeout)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise describe_error(exc, self.path) from None

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock up front so two writers never deadlock."""
        if self.readonly:
            raise LedgerError("this ledger was opened read-only", file=str(self.path))
        with write_transaction(self._db, self.path) as db:
            yield db

    def _record(self, row: tuple[Any, ...]) -> AgreementRecord:
        values = dict(zip(_COLUMNS, row))
        values["outputs"] = self._json(values["id"], "outputs", values["outputs"])
        for column in ("archive", "evidence"):
            if values[column] is not None:
                values[column] = self._json(values["id"], column, values[column])
        return AgreementRecord(**values)

    def _json(self, record: int, column: str, text: Any) -> dict[str, Any]:
        """A JSON column of a record; a damaged one is our error naming the record, never a traceback."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            data = None
        if not isinstance(data, dict):
            raise LedgerError(f"agreement record #{record} is damaged: its {column} are not a JSON object",
                              file=str(self.path), field=f"agreements.{column}",
                              hint="restore the ledger from a backup, or repair that row with sqlite3")
        return data

    # -- reading -----------------------------------------------------------------------------

    def get(self, record: int) -> AgreementRecord:
        row = self._one(f"{_SELECT} WHERE id = ?", (record,))
        if row is None:
            raise LedgerError(f"no agreement record #{record}", file=str(self.path), field="--record")
        return self._record(row)

    def history(self, slug: str) -> list[AgreementRecord]:
        """Every agreement generated for a client, oldest first."""
        return [self._record(r) for r in self._rows(f"{_SELECT} WHERE slug = ? ORDER BY id", (slug,))]

    def latest(self, slug: str) -> AgreementRecord | None:
        row = self._one(f"{_SELECT} WHERE slug = ? ORDER BY id DESC LIMIT 1", (slug,))
        return self._record(row) if row else None

    def latest_signed(self, slug: str) -> AgreementRecord | None:
        row = self._one(f"{_SELECT} WHERE slug = ? AND status = 'signed' ORDER BY id DESC LIMIT 1", (slug,))
        return self._record(row) if row else None

    def latest_all(self) -> list[AgreementRecord]:
        """The newest record of every client the ledger knows, by client name."""
        rows = self._rows(f"{_SELECT} WHERE id IN (SELECT MAX(id) FROM agreements GROUP BY slug) "
                          "ORDER BY client COLLATE NOCASE")
        return [self._record(r) for r in rows]

    def events(self, record: int) -> list[StatusEvent]:
        rows = self._rows("SELECT record, from_status, to_status, at, by, note, hashes FROM events "
                          "WHERE record = ? ORDER BY id", (record,))
        return [StatusEvent(*r[:6], hashes=self._json(record, "event hashes", r[6]) if r[6] else None)
                for r in rows]

    def by_execution_sha256(self, digest: str) -> AgreementRecord | None:
        """The instrument whose archived execution PDF has this sha256 (what `msa verify` looks up)."""
        row = self._one(f"{_SELECT} WHERE execution_sha256 = ? ORDER BY id DESC LIMIT 1", (digest,))
        return self._record(row) if row else None

    def by_agreement_id(self, agreement_id: str) -> AgreementRecord | None:
        row = self._one(f"{_SELECT} WHERE agreement_id = ? ORDER BY id DESC LIMIT 1", (agreement_id,))
        return self._record(row) if row else None

    def amendments(self, record: int) -> list[AgreementRecord]:
        """Every amendment recorded against an agreement, oldest first."""
        return [self._record(r) for r in self._rows(f"{_SELECT} WHERE amends = ? ORDER BY id", (record,))]

    def bom(self, record: int) -> dict[str, Any]:
        """The bill of materials the agreement was generated from (to say what changed since)."""
        row = self._one("SELECT bom FROM agreements WHERE id = ?", (record,))
        if row is None:
            raise LedgerError(f"no agreement record #{record}", file=str(self.path))
        return self._json(record, "bom", row[0])

    def slug_client(self, slug: str) -> str | None:
        """The client whose agreements the ledger keeps under this folder name, if any."""
        row = self._one("SELECT client FROM agreements WHERE slug = ? ORDER BY id DESC LIMIT 1", (slug,))
        return str(row[0]) if row else None

    def resolve_client(self, ref: str) -> str:
        """A client's slug from its slug, its legal name or one of its agreement ids.

        Exact matches win; only when none exists is the name (or id) matched ignoring case. A
        reference that fits several clients is refused with the candidates, never guessed: two
        clients may differ only in case ("ACME LLC", "Acme LLC") or share an agreement id.
        """
        clients = self._rows("SELECT DISTINCT slug, client, agreement_id FROM agreements")
        wanted = normal_name(ref)
        exact = {slug for slug, client, agreement_id in clients
                 if ref in (slug, agreement_id) or normal_name(client) == wanted}
        if not exact:
            folded = wanted.casefold()
            exact = {slug for slug, client, agreement_id in clients
                     if folded in (normal_name(client).casefold(), agreement_id.casefold())}
        if len(exact) == 1:
            return exact.pop()
        if exact:
            names = {slug: client for slug, client, _ in clients if slug in exact}
            raise LedgerError(f"{ref!r} fits several clients of the ledger", file=str(self.path), field="CLIENT",
                              allowed=[f"{names[slug]} ({slug})" for slug in sorted(exact)],
                              hint="give the exact legal name, or the folder name in brackets")
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
        amendment = bom.get("amendment") or {}
        kind = "amendment" if amendment else "agreement"
        with self._write() as db:
            row = db.execute("SELECT lock_sha256, client FROM agreements WHERE slug = ? ORDER BY id DESC LIMIT 1",
                             (slug,)).fetchone()
            # Already recorded: the newest record of its kind (an agreement's draft and an amendment's
            # live side by side in one folder, and a batch sees only the agreement's).
            same_kind = db.execute("SELECT lock_sha256 FROM agreements WHERE slug = ? AND kind = ? "
                                   "ORDER BY id DESC LIMIT 1", (slug, kind)).fetchone()
            if same_kind and same_kind[0] == lock_sha256:
                return None
            if row and not same_client(row[1], bom["client"]):
                raise LedgerError(f"the folder name {slug} belongs to {row[1]!r} in the ledger, not to "
                                  f"{bom['client']!r}; one folder never holds two clients", file=str(self.path),
                                  field="slug")
            cursor = db.execute(
                "INSERT INTO agreements (slug, client, agreement_id, source, directory, lock_sha256, bom_sha256, "
                "library_name, library_version, tool_version, outputs, bom, generated_at, status, status_at, "
                "status_by, kind, amends, amendment_no, terms_sha256) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)",
                (slug, bom["client"], bom["agreement_id"], source, directory, lock_sha256, lock["bom_sha256"],
                 bom["library"]["name"], bom["library"]["version"], bom["tool"]["version"],
                 json.dumps(lock["outputs"], sort_keys=True), json.dumps(bom, sort_keys=True), at, at, by,
                 kind, amendment.get("amends_record"),
                 amendment.get("number"), bom.get("terms_sha256")))
            record = int(cursor.lastrowid or 0)
            db.execute("INSERT INTO events (record, from_status, to_status, at, by, note) "
                       "VALUES (?, NULL, 'draft', ?, ?, 'generated')", (record, at, by))
            # A new draft replaces drafts of the same kind only: an amendment in progress does not
            # supersede a new agreement's draft, nor the other way round.
            stale = db.execute(f"SELECT id, status FROM agreements WHERE slug = ? AND id < ? AND kind = ? "
                               f"AND amends IS ? AND status IN ({', '.join('?' * len(IN_PROGRESS))})",
                               (slug, record, kind, amendment.get("amends_record"), *IN_PROGRESS)).fetchall()
            for old, status in stale:
                self._move(db, old, status, "superseded", by=by, at=at, note=f"superseded by #{record}")
        return self.get(record)

    def choose(self, client: str, status: str, *, record: int | None = None) -> AgreementRecord:
        """The client's agreement that would move to `status` (see `mark`), without moving it.

        The lifecycle asks first, does its checks and writes its files, then marks that record.
        """
        if status not in STATUSES:
            raise LedgerError(f"{status!r} is not an agreement status", field="STATUS", allowed=STATUSES)
        slug = self.resolve_client(client)
        rows = self._rows("SELECT id, status FROM agreements WHERE slug = ? ORDER BY id DESC", (slug,))
        return self.get(self._chosen(rows, client, status, record)[0])

    @staticmethod
    def _chosen(rows: list[tuple[Any, ...]], client: str, status: str, record: int | None) -> tuple[int, str]:
        """Which (record, current status) moves: the one named, or the one open agreement that can."""
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
        return target, current

    def check_step(self, *, by: str | None, note: str | None, reason: str | None = None) -> None:
        """Refuse, before anything is archived or moved, a step whose `by`, note or reason cannot be kept."""
        problems = step_problems(by=by or current_user(), note=note, reason=reason,
                                 by_field="--by" if by else "MSA_USER (who acts, when --by is not given)")
        if problems:
            raise LedgerError.several(problems, file=str(self.path))

    def mark(self, client: str, status: str, *, by: str | None = None, note: str | None = None,
             record: int | None = None, at: str | None = None, proof: Proof | None = None) -> AgreementRecord:
        """Move a client's agreement to `status`, refusing any move the workflow does not allow.

        Without `record`, the one open agreement that can make this move is chosen; when several
        could (two agreements sent and awaiting signature), the caller must say which. `approved`,
        `sent` and `signed` need their proof (see the module doc).
        """
        if status not in STATUSES:
            raise LedgerError(f"{status!r} is not an agreement status", field="STATUS", allowed=STATUSES)
        needed = _PROOF_FOR.get(status)
        if needed is not None and not isinstance(proof, needed):
            raise LedgerError(f"an agreement becomes {status!r} only when {_HOW[status]}", field="STATUS")
        self.check_step(by=by, note=note)
        by = by or current_user()
        at = at or now_utc()
        slug = self.resolve_client(client)
        with self._write() as db:
            rows = db.execute("SELECT id, status FROM agreements WHERE slug = ? ORDER BY id DESC", (slug,)).fetchall()
            target, current = self._chosen(rows, client, status, record)
            self._move(db, target, current, status, by=by, at=at, note=note, hashes=self._store(db, target, proof))
            if status == "signed":
                self._supersede_on_signing(db, slug, target, by=by, at=at)
        return self.get(target)

    def _store(self, db: sqlite3.Connection, record: int, proof: Proof | None) -> dict[str, str] | None:
        """Record a step's proof on the instrument; returns the file hashes its event keeps."""
        if isinstance(proof, Approval):
            db.execute("UPDATE agreements SET archive = ?, execution_sha256 = ? WHERE id = ?",
                       (json.dumps({"folder": proof.folder, "files": proof.files, "accepted": list(proof.accepted)},
                                   sort_keys=True), proof.execution_sha256, record))
            return dict(proof.files)
        if isinstance(proof, Sending):
            row = db.execute("SELECT execution_sha256 FROM agreements WHERE id = ?", (record,)).fetchone()
            if not row or row[0] != proof.sha256:
                raise LedgerError(f"agreement #{record}: the file sent is not its archived execution PDF",
                                  file=str(self.path))
            db.execute("UPDATE agreements SET sent_sha256 = ? WHERE id = ?", (proof.sha256, record))
            return {"sent": proof.sha256}
        if isinstance(proof, Evidence):
            db.execute("UPDATE agreements SET evidence = ? WHERE id = ?",
                       (json.dumps(proof.as_dict(), sort_keys=True), record))
            return {proof.file: proof.sha256}
        return None

    def _supersede_on_signing(self, db: sqlite3.Connection, slug: str, target: int, *, by: str, at: str) -> None:
        """A signed agreement replaces the client's older instruments; a signed amendment only the
        competing drafts of amendments to the same agreement (earlier signed amendments stay in force)."""
        kind, amends = db.execute("SELECT kind, amends FROM agreements WHERE id = ?", (target,)).fetchone()
        if kind == "amendment":
            older = db.execute("SELECT id, status FROM agreements WHERE slug = ? AND id < ? AND kind = 'amendment' "
                               "AND amends = ? AND status NOT IN ('superseded', 'signed')",
                               (slug, target, amends)).fetchall()
        else:
            older = db.execute("SELECT id, status FROM agreements WHERE slug = ? AND id < ? AND status NOT IN "
                               "('superseded')", (slug, target)).fetchall()
        for old, old_status in older:
            self._move(db, old, old_status, "superseded", by=by, at=at, note=f"#{target} signed")

    def _move(self, db: sqlite3.Connection, record: int, current: str, status: str, *, by: str, at: str,
              note: str | None, hashes: Mapping[str, str] | None = None) -> None:
        # The WHERE on the current status makes a racing second mover change nothing.
        changed = db.execute("UPDATE agreements SET status = ?, status_at = ?, status_by = ? "
                             "WHERE id = ? AND status = ?", (status, at, by, record, current)).rowcount
        if changed != 1:
            raise LedgerError(f"agreement #{record} changed status while being moved; try again")
        db.execute("INSERT INTO events (record, from_status, to_status, at, by, note, hashes) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", (record, current, status, at, by, note,
                                                    json.dumps(dict(hashes), sort_keys=True) if hashes else None))

    # -- the staleness memo --------------------------------------------------------------------

    def memo_get(self, inputs_sha256: str) -> str | None:
        """The bill of materials a build with these exact inputs produces, if one was computed.

        This lets a rerun over an unchanged library skip selection entirely; see batch/staleness.py.
        """
        row = self._one("SELECT bom_sha256 FROM bom_memo WHERE inputs_sha256 = ?", (inputs_sha256,))
        return str(row[0]) if row else None

    def memo_put(self, inputs_sha256: str, bom_sha256: str) -> None:
        self.memo_put_many([(inputs_sha256, bom_sha256)])

    def memo_put_many(self, entries: list[tuple[str, str]]) -> None:
        """Remember many (inputs, bill) pairs in one transaction: a batch learns hundreds at a time."""
        if not entries:
            return
        with self._write() as db:
            db.executemany("INSERT OR REPLACE INTO bom_memo (inputs_sha256, bom_sha256) VALUES (?, ?)", entries)
