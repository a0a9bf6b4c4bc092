"""The exceptions msa-builder raises, one base class and a subclass per kind of cause.

Each error carries where it happened (file, field path, line) and what would have been allowed,
so the CLI can print a one-screen message that tells the user what to fix, and exit 2. An input
file with several mistakes raises one error carrying all of them (`problems`), so the user fixes
the file in one pass instead of one rerun per mistake.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Self

# A message shows at most this many lines of problems; the rest are counted. 20 fit on one screen.
MAX_SHOWN_PROBLEMS = 20
# The allowed values of one error may take a few lines (52 slot names); beside each of several
# problems, one line.
_MAX_ALLOWED_CHARS = 2000
_MAX_ALLOWED_INLINE = 300
# Messages quote values through `brief`; these cut anything that slipped through (a field path
# made of a megabyte-long key, an exception's text).
_MAX_MESSAGE = 1000
_MAX_FIELD = 200


class _BriefRepr(reprlib.Repr):
    """reprlib with limits on every kind of value, so that no input can make a message huge.

    reprlib stops at a depth and a width, so even a YAML alias bomb (a tree of shared lists whose
    full repr is gigabytes) prints in a few hundred characters.
    """

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = 60
        self.maxother = 60
        self.maxlong = 40
        self.maxlevel = 2
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdeque = self.maxdict = 4

    def repr_int(self, x: int, level: int) -> str:
        # repr() of an int beyond 4300 digits raises ValueError; nobody needs to read its digits.
        if x.bit_length() > 128:
            return f"<a number of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return super().repr_int(x, level)

    def repr_str(self, x: str, level: int) -> str:
        if len(x) <= self.maxstring:
            return repr(x)
        return repr(x[:self.maxstring]) + f"… ({len(x):,} characters)"


_brief = _BriefRepr()


_MAX_BRIEF = 200


def brief(value: Any) -> str:
    """A short repr of a value for an error message: long text, big numbers and deep data are cut."""
    text = _brief.repr(value)
    return text if len(text) <= _MAX_BRIEF else text[:_MAX_BRIEF] + "…"


def clip(text: str, limit: int = 300) -> str:
    """Text for a message, cut at `limit` characters (an exception's message can quote a whole value)."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: a message, where (field path, line) and what is allowed."""

    message: str
    field: str | None = None
    line: int | None = None
    allowed: tuple[str, ...] = ()

    def format(self) -> str:
        """`line 3: client.users: message`, for one line of a list of problems."""
        where = [f"line {self.line}"] if self.line else []
        where += [clip(self.field, _MAX_FIELD)] if self.field else []
        return ": ".join([*where, clip(self.message, _MAX_MESSAGE)])


def _allowed_line(allowed: tuple[str, ...], limit: int = _MAX_ALLOWED_CHARS) -> str:
    text = ", ".join(clip(a, 80) for a in allowed)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(", ", 1)[0]
    return f"{cut}, … ({len(allowed)} in all)"


class MsaError(Exception):
    """Base class: something the caller must act on.

    `message`, `field`, `line` and `allowed` describe the first problem; `problems` holds every
    problem found in the same input (the first included), in the order they were found.
    """

    exit_code = 2
    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        line: int | None = None,
        allowed: Iterable[str] | None = None,
        hint: str | None = None,
        problems: Iterable[Problem] = (),
    ) -> None:
        self.message = message
        self.file = file
        self.field = field
        self.line = line
        self.allowed = tuple(allowed) if allowed is not None else ()
        self.hint = hint
        first = Problem(message, field, line, self.allowed)
        rest = [p for p in problems if p != first]
        self.problems: tuple[Problem, ...] = (first, *rest)
        super().__init__(self.format())

    @classmethod
    def several(cls, problems: Iterable[Problem], *, file: str | None = None, hint: str | None = None) -> Self:
        """One error for several problems of one input; the first gives the error's own fields."""
        found = list(problems)
        first = found[0]
        return cls(first.message, file=file, field=first.field, line=first.line, allowed=first.allowed,
                   hint=hint, problems=found)

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(clip(self.file, _MAX_FIELD) + (f":{self.line}" if self.line else ""))
        if self.field:
            parts.append(clip(self.field, _MAX_FIELD))
        return ": ".join(parts)

    def format(self) -> str:
        """The one-screen message shown to a user."""
        if len(self.problems) > 1:
            return self._format_several()
        where = self.where()
        message = clip(self.message, _MAX_MESSAGE)
        text = f"{where}: {message}" if where else message
        if self.allowed:
            text += "\n  allowed: " + _allowed_line(self.allowed)
        if self.hint:
            text += "\n  " + clip(self.hint, _MAX_MESSAGE)
        return text

    def _format_several(self) -> str:
        # The first line is the first problem, exactly as a lone problem would read (batch reports
        # and logs show first lines); each further problem follows on its own indented line.
        def inline(problem: Problem) -> str:
            return f" (allowed: {_allowed_line(problem.allowed, _MAX_ALLOWED_INLINE)})" if problem.allowed else ""

        # At most MAX_SHOWN_PROBLEMS lines: all problems when they fit, else one line fewer and a count.
        fits = len(self.problems) <= MAX_SHOWN_PROBLEMS
        first, *rest = self.problems if fits else self.problems[:MAX_SHOWN_PROBLEMS - 1]
        where = self.where()
        message = clip(self.message, _MAX_MESSAGE)
        lines = [(f"{where}: {message}" if where else message) + inline(first)]
        lines += ["  " + problem.format() + inline(problem) for problem in rest]
        if not fits:
            lines.append(f"  … and {len(self.problems) - len(rest) - 1} more problems ({len(self.problems)} in all)")
        if self.hint:
            lines.append("  " + clip(self.hint, _MAX_MESSAGE))
        return "\n".join(lines)


class ProfileError(MsaError):
    """A client profile or provider file is unreadable or invalid."""


class LibraryError(MsaError):
    """The clause library (manifest, clause files, hash record) is unreadable or invalid."""


class RuleError(MsaError):
    """Rules could not decide a slot: no variant, several variants, or a rule failed."""


class RequiredControlError(MsaError):
    """The client declined a control the provider's policy makes mandatory; no draft is made."""


class RenderError(MsaError):
    """A clause or document could not be rendered (undefined variable, broken reference...)."""


class ConversionError(MsaError):
    """LibreOffice could not turn a document into a PDF."""


class BatchError(MsaError):
    """A batch could not run at all (its output folder is busy, its inputs are unreadable...)."""


class LedgerError(MsaError):
    """The agreement ledger refused an operation (unknown client, illegal status move...)."""


class SigningError(MsaError):
    """A PDF could not be signed or verified: unreadable file, unknown field, unusable key."""


class LifecycleError(MsaError):
    """An instrument cannot take this step: approval refused, evidence refused, archive altered..."""


class WorkspaceError(MsaError):
    """A workspace (msa.toml) is invalid, missing what it names, or `msa init` would overwrite one."""


class OutputError(MsaError):
    """An output could not be written (permissions, a full disk, a file where a folder must be)."""


class AuthError(MsaError):
    """A sign-in, token or user change was refused: wrong password, disabled user, too many attempts."""


class ServeError(MsaError):
    """The web app cannot listen where it was asked to (an unknown --host, a --port in use)."""
