"""The people who work in `msa serve`: users with a role, passwords, API tokens, sessions, the audit trail.

They live in the workspace's ledger (schema version 3), so one file says who did what. Only
hashes are stored: argon2 for passwords (slow on purpose, since people choose them), sha256 for
API and session tokens (random 256-bit values, which no dictionary reaches, so a fast hash is
enough and lets every request be looked up by it). A token is shown once, when it is made.

Sign-in is rate-limited per user name and address: after `MAX_FAILURES` failures within
`FAILURE_WINDOW`, even the right password is refused until the window passes, so a password
cannot be guessed at request speed. Unknown names cost the same argon2 work as known ones.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import AuthError, Problem
from .fieldtypes import text_problem
from .ledger_schema import connect_writer, describe_error, write_transaction

ROLES = ("sales", "attorney", "operations", "admin")
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; a bounded one keeps a sign-in's cost bounded
TOO_MANY = "too many failed sign-ins; try again in 15 minutes"
_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class User:
    """A user as the ledger holds it (never with a password or token)."""

    name: str
    role: str
    disabled: bool
    created_at: str
    created_by: str

    def may(self, *roles: str) -> bool:
        """Whether this user acts in one of `roles`; an admin may do everything."""
        return not self.disabled and (self.role == "admin" or self.role in roles)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Session:
    """A signed-in browser: its user and the CSRF token every form of the session carries."""

    user: User
    csrf: str
    expires_at: str


@dataclass(frozen=True)
class NewSession:
    """A session just made: the cookie value (shown once, never stored) and the session."""

    token: str
    session: Session


def user_name(name: str) -> str:
    """A user's name as the ledger keys it: NFC, so 'Café' typed two ways is one user, not two alike."""
    return unicodedata.normalize("NFC", name.strip())


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError:  # pragma: no cover - the web extra is missing
        raise AuthError("passwords need argon2-cffi", hint="pip install 'msa-builder[web]'") from None
    return PasswordHasher()


# Verified against when the name is unknown, so both cost one argon2 verification.
_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(_hasher().hash(secrets.token_urlsafe(16)))
    return _DUMMY[0]


class Users:
    """The users of one ledger; use as a context manager (one connection, opened for writing)."""

    def __init__(self, ledger: Path | str) -> None:
        self.path = Path(ledger)
        self._db = connect_writer(self.path, _TIMEOUT_S)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Users:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with write_transaction(self._db, self.path) as db:
            yield db

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise describe_error(exc, self.path) from None

    @staticmethod
    def _user(row: tuple[Any, ...]) -> User:
        name, role, disabled, created_at, created_by = row
        return User(name, role, bool(disabled), created_at, created_by)

    def find(self, name: str) -> User | None:
        rows = self._rows("SELECT name, role, disabled, created_at, created_by FROM users WHERE name = ?",
                          (user_name(name),))
        return self._user(rows[0]) if rows else None

    def get(self, name: str) -> User:
        user = self.find(name)
        if user is None:
            known = [u.name for u in self.all()]
            raise AuthError(f"no user {name!r}", file=str(self.path), field="NAME", allowed=known[:20])
        return user

    def all(self) -> list[User]:
        return [self._user(r) for r in self._rows("SELECT name, role, disabled, created_at, created_by FROM users "
                                                  "ORDER BY name COLLATE NOCASE")]

    def any_user(self) -> bool:
        return bool(self._rows("SELECT 1 FROM users LIMIT 1"))

    def audit(self, by: str, action: str, subject: str | None = None, note: str | None = None) -> None:
        """Record an action that is not an agreement's step (a sign-in, a user added, a profile saved)."""
        with self._write() as db:
            db.execute("INSERT INTO audit (at, by, action, subject, note) VALUES (?, ?, ?, ?, ?)",
                       (_now().isoformat(), by, action, subject, note))

    def audit_log(self, limit: int = 200) -> list[dict[str, Any]]:
        rows = self._rows("SELECT at, by, action, subject, note FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(zip(("at", "by", "action", "subject", "note"), r, strict=True)) for r in rows]

    # -- users ---------------------------------------------------------------------------------

    def add(self, name: str, role: str, *, password: str | None, by: str) -> User:
        problems = user_problems(name, role, password)
        if problems:
            raise AuthError.several(problems, file=str(self.path))
        hashed = _hasher().hash(password) if password else None
        name = user_name(name)
        with self._write() as db:
            # The column's NOCASE folds ASCII letters only: 'Émile' and 'émile' would be two users
            # whom every page and record shows alike.
            folded = name.casefold()
            same = next((stored for (stored,) in db.execute("SELECT name FROM users")
                         if stored.casefold() == folded), None)
            if same is not None:
                alike = "" if same == name else f"; {name!r} differs from it only in case"
                raise AuthError(f"a user named {same!r} already exists{alike}", field="NAME",
                                hint="choose another name, or `msa user disable` the old one")
            db.execute("INSERT INTO users (name, role, password_hash, disabled, created_at, created_by) "
                       "VALUES (?, ?, ?, 0, ?, ?)", (name.strip(), role, hashed, _now().isoformat(), by))
            db.execute("INSERT INTO audit (at, by, action, subject, note) VALUES (?, ?, 'user added', ?, ?)",
                       (_now().isoformat(), by, name.strip(), f"role {role}"))
        return self.get(name.strip())

    def disable(self, name: str, *, by: str) -> User:
        """Disable a user: no sign-in, no token works, and every open session ends."""
        user = self.get(name)
        with self._write() as db:
            db.execute("UPDATE users SET disabled = 1 WHERE name = ?", (user.name,))
            db.execute("DELETE FROM sessions WHERE user = ?", (user.name,))
            db.execute("DELETE FROM api_tokens WHERE user = ?", (user.name,))
            db.execute("INSERT INTO audit (at, by, action, subject) VALUES (?, ?, 'user disabled', ?)",
                       (_now().isoformat(), by, user.name))
        return self.get(user.name)

    def new_token(self, name: str, *, by: str) -> str:
        """A new API token for `name`; returned once, only its hash is kept."""
        user = self.get(name)
        if user.disabled:
            raise AuthError(f"user {user.name!r} is disabled", field="NAME")
        token = "msa_" + secrets.token_urlsafe(32)
        with self._write() as db:
            db.execute("INSERT INTO api_tokens (sha256, user, created_at) VALUES (?, ?, ?)",
                       (_sha256(token), user.name, _now().isoformat()))
            db.execute("INSERT INTO audit (at, by, action, subject) VALUES (?, ?, 'api token made', ?)",
                       (_now().isoformat(), by, user.name))
        return token

    def for_token(self, token: str) -> User | None:
        """The enabled user an API token belongs to, or None."""
        rows = self._rows("SELECT u.name, u.role, u.disabled, u.created_at, u.created_by FROM api_tokens t "
                          "JOIN users u ON u.name = t.user WHERE t.sha256 = ? AND u.disabled = 0", (_sha256(token),))
        return self._user(rows[0]) if rows else None

    # -- signing in ----------------------------------------------------------------------------

    def authenticate(self, name: str, password: str, *, client: str) -> User:
        """The user whose name and password these are; AuthError otherwise (the same message either way).

        `client` is the address the attempt came from: failures are counted per name and address.
        """
        name = user_name(name)
        key = f"{name.casefold()}|{client}"
        now = _now()
        since = (now - FAILURE_WINDOW).isoformat()
        failures = self._rows("SELECT COUNT(*) FROM login_failures WHERE key = ? AND at > ?", (key, since))[0][0]
        if failures >= MAX_FAILURES:
            raise AuthError(TOO_MANY, field="password")
        rows = self._rows("SELECT password_hash, disabled FROM users WHERE name = ?", (name,))
        stored, disabled = rows[0] if rows else (None, 1)
        # No stored password is longer than MAX_PASSWORD; a longer one fails at the cost of a short one.
        candidate = password if len(password) <= MAX_PASSWORD else ""
        if not _verify(stored or _dummy_hash(), candidate) or stored is None or disabled:
            with self._write() as db:
                db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", (key, now.isoformat()))
                db.execute("DELETE FROM login_failures WHERE at <= ?", (since,))
            raise AuthError("wrong name or password", field="password")
        with self._write() as db:
            db.execute("DELETE FROM login_failures WHERE key = ?", (key,))
        return self.get(name)

    def start_session(self, user: User) -> NewSession:
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = _now()
        expires = (now + SESSION_LIFETIME).isoformat()
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE expires_at <= ?", (now.isoformat(),))
            db.execute("INSERT INTO sessions (sha256, user, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                       (_sha256(token), user.name, csrf, now.isoformat(), expires))
            db.execute("INSERT INTO audit (at, by, action) VALUES (?, ?, 'signed in')", (now.isoformat(), user.name))
        return NewSession(token, Session(user, csrf, expires))

    def session(self, token: str) -> Session | None:
        """The live session of a cookie value, or None (unknown, expired, or its user disabled)."""
        rows = self._rows("SELECT u.name, u.role, u.disabled, u.created_at, u.created_by, s.csrf, s.expires_at "
                          "FROM sessions s JOIN users u ON u.name = s.user "
                          "WHERE s.sha256 = ? AND s.expires_at > ? AND u.disabled = 0",
                          (_sha256(token), _now().isoformat()))
        if not rows:
            return None
        row = rows[0]
        return Session(self._user(row[:5]), row[5], row[6])

    def end_session(self, token: str) -> None:
        rows = self._rows("SELECT user FROM sessions WHERE sha256 = ?", (_sha256(token),))
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE sha256 = ?", (_sha256(token),))
            if rows:
                db.execute("INSERT INTO audit (at, by, action) VALUES (?, ?, 'signed out')",
                           (_now().isoformat(), rows[0][0]))


def _verify(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def user_problems(name: str, role: str, password: str | None) -> list[Problem]:
    """Everything wrong with a new user's name, role and password, at once."""
    problems = []
    problem = text_problem(name, one_line=True) if name.strip() else "must not be empty"
    if problem:
        problems.append(Problem(f"the name {problem}", field="NAME"))
    elif len(name.strip()) > 100:
        problems.append(Problem("the name is longer than 100 characters", field="NAME"))
    if role not in ROLES:
        problems.append(Problem(f"{role!r} is not a role", field="--role", allowed=ROLES))
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(Problem(f"the password is shorter than {MIN_PASSWORD} characters", field="password"))
    elif password is not None and len(password) > MAX_PASSWORD:
        problems.append(Problem(f"the password is longer than {MAX_PASSWORD} characters", field="password"))
    return problems


def open_users(ledger: Path | str) -> Users:
    """The users of the ledger at `ledger`, creating the ledger (and upgrading its schema) if need be."""
    return Users(ledger)
