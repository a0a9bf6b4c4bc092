"""The library's front door: one function per thing a user does, used by the CLI and by scripts."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .agreement import Agreement
from .assemble import assemble
from .explain import explanation
from .library.lint import Finding, lint_library
from .library.load import load_library
from .library.loader import FileSystemLoader
from .ledger import AgreementRecord, Ledger
from .library.model import Library
from .paths import default_library, default_provider
from .profile import Provider, load_profile, load_provider
from .selection import Selection, select

if TYPE_CHECKING:
    from .build import BuildOptions, BuildResult


def open_library(path: Path | str | None = None) -> Library:
    """Load a clause library folder (the shipped one by default)."""
    return load_library(FileSystemLoader(path or default_library()))


def select_for(profile_path: Path | str, *, library: Library | None = None, as_of: date | None = None,
               allow_drafts: bool = False) -> Selection:
    """Load a profile and decide every slot for it."""
    library = library or open_library()
    return select(library, load_profile(Path(profile_path)), as_of=as_of, allow_drafts=allow_drafts)


def explain_profile(profile_path: Path | str, *, library: Library | None = None, as_of: date | None = None,
                    allow_drafts: bool = False) -> dict[str, Any]:
    """Why each clause is or is not in this client's agreement (see `msa explain`)."""
    return explanation(select_for(profile_path, library=library, as_of=as_of, allow_drafts=allow_drafts))


def load_provider_file(path: Path | str | None = None) -> Provider:
    provider, _ = load_provider(Path(path) if path else default_provider())
    return provider


def assemble_profile(profile_path: Path | str, *, library: Library | None = None,
                     provider: Provider | None = None, as_of: date | None = None,
                     allow_drafts: bool = False) -> Agreement:
    """Select and render a client's agreement in memory."""
    selection = select_for(profile_path, library=library, as_of=as_of, allow_drafts=allow_drafts)
    return assemble(selection, provider or load_provider_file())


def build_and_record(profile_path: Path | str, out_dir: Path | str, options: BuildOptions,
                     ledger_path: Path | str) -> tuple[BuildResult, AgreementRecord | None]:
    """Build one client (see `msa build`) and record the agreement in the ledger.

    The record is None when the ledger already holds exactly this build (an unchanged rebuild).
    """
    from .build import build  # the rendering stack is imported only by commands that render

    # An existing ledger says which folder names other clients hold, even where their folders are
    # gone; a missing one is created only once there is a build to record.
    known = Ledger(ledger_path) if Path(ledger_path).is_file() else None
    try:
        result = build(profile_path, out_dir, options, owners=(known.slug_client,) if known else ())
    except BaseException:
        if known is not None:
            known.close()
        raise
    with known or Ledger(ledger_path) as ledger:
        lock_file = result.files[next(name for name in result.files if name.endswith("-lock.json"))]
        record = ledger.record_build(result.lock, lock_sha256=hashlib.sha256(lock_file.read_bytes()).hexdigest(),
                                     slug=result.slug, directory=str(result.directory.resolve()),
                                     source=str(profile_path), by="msa build")
    return result, record


def lint(path: Path | str | None = None) -> list[Finding]:
    """Lint a library folder; an empty list means clean."""
    return lint_library(FileSystemLoader(path or default_library()))
