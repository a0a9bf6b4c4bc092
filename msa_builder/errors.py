"""The exceptions msa-builder raises, one base class and a subclass per kind of cause.

Each error carries where it happened (file, field path, line) and what would have been allowed,
so the CLI can print a one-screen message that tells the user what to fix, and exit 2.
"""

from __future__ import annotations

from collections.abc import Iterable


class MsaError(Exception):
    """Base class: something the caller must act on."""

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
    ) -> None:
        self.message = message
        self.file = file
        self.field = field
        self.line = line
        self.allowed = tuple(allowed) if allowed is not None else ()
        self.hint = hint
        super().__init__(self.format())

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def format(self) -> str:
        """The one-screen message shown to a user."""
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.allowed:
            text += "\n  allowed: " + ", ".join(self.allowed)
        if self.hint:
            text += "\n  " + self.hint
        return text


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


class OutputError(MsaError):
    """An output could not be written (permissions, a full disk, a file where a folder must be)."""
