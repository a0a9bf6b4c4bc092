"""Authoring a clause library with commands: new draft versions, approvals, releases.

By hand this is error-prone: a new version's `effective` date, freezing its hash, bumping the
library's version (which `freeze` never did, so a release note read "2026.11.0 → 2026.11.0"). The
rules these functions keep:

- A released (approved or retired) file is never written. `new_version` creates a new draft file;
  `approve` edits only a draft's front matter and then records its hash in released.json; `release`
  changes only `version:` in library.yaml. Nothing else is written.
- An approval says who approved the version, on which day, and after which library release, and it
  is refused without a changelog or when lint finds an error in the version.
- The library inside an installed package is read-only (`writable_library`): an upgrade replaces
  it. In a development checkout of msa-builder it is the project's own source and may be authored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING


from ._files import atomic_write
from .errors import LibraryError
from .library import front_matter
from .library.load import MANIFEST, RELEASED, load_library, parse_clause
from .library.loader import DictLoader, FileSystemLoader
from .library.model import ClauseVersion, Library, semver_key
from .library.refs import find_clause, parse_clause_ref
from .library.release import released_bytes
from .linting import Finding, lint_library

if TYPE_CHECKING:
    from .redline import LibraryRedline
from .paths import is_development_checkout, is_shipped

BUMPS = ("major", "minor", "patch")
CHANGELOG_TODO = "TODO: say what changed and why (msa library approve --changelog TEXT replaces this)."
DRAFT_COMMENT = "# DRAFT for attorney review: edit the text below, then `msa library approve {key} --by NAME`."
_DRAFT_PREFIX = "# DRAFT for attorney review"
CALVER = re.compile(r"^(\d{4})\.(\d{1,2})\.(\d+)$")
_VERSION_LINE = re.compile(r"^version:[^\n]*$", re.M)


def writable_library(library: Path) -> Path:
    """The library a command may write to: never the copy inside an installed package."""
    if is_shipped(library) and not is_development_checkout():
        raise LibraryError("the shipped clause library is read-only: it is part of the installed msa-builder "
                           "package, which every upgrade replaces", file=str(library),
                           hint="create a workspace with a copy of your own (`msa init DIR`), or pass --library DIR")
    return library


@dataclass(frozen=True)
class Draft:
    """A new draft version and the version it was copied from."""

    path: Path
    key: str
    source: str


def _bump(version: str, part: str) -> str:
    major, minor, patch = semver_key(version)
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def new_version(library_dir: Path, ref: str, *, bump: str = "minor", today: date) -> Draft:
    """Copy the newest version of SLOT[:VARIANT] to a new draft file with the next semantic version."""
    if bump not in BUMPS:
        raise LibraryError(f"{bump!r} is not a version part", field="--bump", allowed=BUMPS)
    library = load_library(FileSystemLoader(library_dir))
    slot, variant, version = parse_clause_ref(ref)
    if version is not None:
        raise LibraryError(f"{ref!r} names a version; name the slot (and variant) to add one to", field="SLOT",
                           hint=f"msa library new-version {slot}{':' + variant if variant else ''}")
    newest = find_clause(library, f"{slot}:{variant}" if variant else slot)
    if newest.meta.status == "draft":
        raise LibraryError(f"{newest.key} is already a draft: edit it, or approve it before starting another",
                           file=library.location, field="SLOT")
    number = _bump(newest.meta.version, bump)
    relpath = f"slots/{slot}/{newest.meta.variant}/{number}.md"
    target = library_dir / relpath
    if target.exists():
        raise LibraryError("a version file is already there", file=str(target))
    key = f"{slot}:{newest.meta.variant}@{number}"
    text = front_matter.edit(
        _source_text(library_dir, newest),
        {"version": number, "status": "draft", "effective": max(today, newest.meta.effective),
         "changelog": CHANGELOG_TODO},
        remove=("approved_by", "approved_on", "approved_after"), comments=[DRAFT_COMMENT.format(key=key)],
        drop_comments=(_DRAFT_PREFIX,))
    parse_clause(relpath, text.encode("utf-8"), where=str(target))
    atomic_write(target, text.encode("utf-8"))
    return Draft(target, key, newest.key)


def _source_text(library_dir: Path, clause: ClauseVersion) -> str:
    return (library_dir / clause.path).read_bytes().decode("utf-8").replace("\r\n", "\n")


@dataclass(frozen=True)
class Approval:
    """An approved version: its file, its frozen hash, and lint's warnings about it (errors refuse)."""

    path: Path
    key: str
    sha256: str
    effective: date
    warnings: tuple[Finding, ...]


def _library_files(library_dir: Path) -> dict[str, str | bytes]:
    loader = FileSystemLoader(library_dir)
    return {path: loader.read(path) for path in loader.list_files()}


def approve(library_dir: Path, ref: str, *, by: str, changelog: str | None = None, effective: date | None = None,
            today: date) -> Approval:
    """Mark draft SLOT:VARIANT@VERSION approved, record who and when, and freeze its hash.

    Refused without a changelog (the draft's own, or `changelog`), when the version is not a draft,
    and when lint finds an error in the approved version; nothing is written then.
    """
    library = load_library(FileSystemLoader(library_dir))
    slot, _, version = parse_clause_ref(ref)
    if version is None:
        raise LibraryError(f"{ref!r} names no version", field="SLOT:VARIANT@VERSION",
                           hint="approve one version, e.g. term.renewal:standard@1.1.0")
    clause = find_clause(library, ref)
    if clause.meta.status != "draft":
        raise LibraryError(f"{clause.key} is {clause.meta.status}; a released version is never edited",
                           file=str(library_dir / clause.path),
                           hint=f"start a new version with `msa library new-version {slot}:{clause.meta.variant}`")
    if not by.strip():
        raise LibraryError("say who approves the version", field="--by")
    text = (changelog or "").strip() or _own_changelog(library, clause)
    if not text:
        raise LibraryError(f"{clause.key} has no changelog: say what changed and why", field="--changelog",
                           hint="pass --changelog TEXT (it is shown to attorneys in redlines and release notes)")
    day = effective or max(clause.meta.effective, today)
    approved = front_matter.edit(
        _source_text(library_dir, clause),
        {"status": "approved", "effective": day, "changelog": text, "approved_by": by.strip(),
         "approved_on": today, "approved_after": library.manifest.version},
        drop_comments=(_DRAFT_PREFIX,))
    raw = approved.encode("utf-8")
    new = parse_clause(clause.path, raw, where=str(library_dir / clause.path))
    files = _library_files(library_dir)
    files[clause.path] = raw
    record = released_bytes(library.released, {clause.path: new.sha256})
    files[RELEASED] = record
    findings = lint_library(DictLoader(files, location=library.location))
    errors = [f for f in findings if f.level == "error" and _concerns(f, clause, library)]
    if errors:
        raise LibraryError(f"lint finds {len(errors)} error(s) in {new.key}; it stays a draft:\n  "
                           + "\n  ".join(f.message for f in errors[:8]), file=str(library_dir / clause.path),
                           hint="fix the draft, or see `msa library lint`")
    atomic_write(library_dir / clause.path, raw)
    atomic_write(library_dir / RELEASED, record)  # after the file: a crash between leaves "not recorded", not a lie
    warnings = tuple(f for f in findings if f.level == "warning" and f.file == clause.path)
    return Approval(library_dir / clause.path, new.key, new.sha256, day, warnings)


def _own_changelog(library: Library, clause: ClauseVersion) -> str:
    """The draft's changelog, unless it is still the placeholder or the copied one of the previous version."""
    own = clause.meta.changelog.strip()
    versions = library.slots[clause.meta.id].variants[clause.meta.variant].versions
    mine = semver_key(clause.meta.version)
    earlier = [v.meta.changelog.strip() for v in versions if semver_key(v.meta.version) < mine]
    return "" if own == CHANGELOG_TODO or own in earlier else own


def _concerns(finding: Finding, clause: ClauseVersion, library: Library) -> bool:
    if finding.file == clause.path:
        return True
    return finding.file == library.location and f"'{clause.meta.id}'" in finding.message


@dataclass(frozen=True)
class Release:
    """A library release: its version before and after, and the two libraries the release note compares."""

    old_version: str
    new_version: str
    old: Library
    new: Library
    approved: tuple[str, ...]  # the versions approved since the previous release

    def note(self) -> LibraryRedline:
        """The release note: every change from the previous release, as `msa diff --library` shows it."""
        from .redline.library_diff import library_redline

        return library_redline(self.old, self.new)


def next_calendar_version(current: str, today: date) -> str:
    """This month's calendar version (YYYY.MM.N), after `current`."""
    month = f"{today.year}.{today.month:02d}"
    match = CALVER.match(current)
    if match and (int(match[1]), int(match[2])) >= (today.year, today.month):
        return f"{match[1]}.{match[2]}.{int(match[3]) + 1}"
    return f"{month}.0"


def _calendar_key(version: str) -> tuple[int, int, int]:
    match = CALVER.match(version)
    if match is None:
        raise LibraryError(f"{version!r} is not a calendar version", field="--version",
                           hint="write YYYY.MM.N, e.g. 2027.03.0")
    return int(match[1]), int(match[2]), int(match[3])


def _check_new_version(current: str, new_version: str) -> None:
    key = _calendar_key(new_version)
    if CALVER.match(current) and key <= _calendar_key(current):
        raise LibraryError(f"{new_version} is not after the current version {current}", field="--version")


def release(library_dir: Path, *, version: str | None = None, today: date) -> Release:
    """Bump library.yaml's version (calendar versioning) and return what the release note compares.

    The previous release is this library without its drafts and without the versions approved
    since that release (their approval records name it); the new one is this library without
    drafts. Refused when the library does not lint clean.
    """
    library = load_library(FileSystemLoader(library_dir))
    current = library.manifest.version
    new_version = version or next_calendar_version(current, today)
    _check_new_version(current, new_version)
    errors = [f for f in lint_library(FileSystemLoader(library_dir)) if f.level == "error"]
    if errors:
        raise LibraryError(f"the library has {len(errors)} lint error(s); a release must lint clean:\n  "
                           + "\n  ".join(f"{f.file}: {f.message}" for f in errors[:8]), file=str(library_dir),
                           hint="see `msa library lint`")
    files = _library_files(library_dir)
    manifest_text = files[MANIFEST]
    manifest = manifest_text.decode("utf-8") if isinstance(manifest_text, bytes) else manifest_text
    if not _VERSION_LINE.search(manifest):
        raise LibraryError("library.yaml has no top-level `version:` line to bump", file=str(library_dir / MANIFEST))
    bumped = _VERSION_LINE.sub(f"version: {new_version}", manifest, count=1)
    drafts = {v.path for v in library.versions() if v.meta.status == "draft"}
    since = {v.path: v.key for v in library.versions() if v.meta.status != "draft" and v.meta.approved_after == current}
    new_files = {p: data for p, data in files.items() if p not in drafts}
    old_files = {p: data for p, data in new_files.items() if p not in since}
    new_files[MANIFEST] = bumped
    old = load_library(DictLoader(old_files, location=f"{library.location} at its last release"))
    new = load_library(DictLoader(new_files, location=f"{library.location} without drafts"))
    atomic_write(library_dir / MANIFEST, bumped.encode("utf-8"))
    return Release(current, new_version, old, new, tuple(sorted(since.values())))


__all__ = ["BUMPS", "Approval", "Draft", "Release", "approve", "new_version", "next_calendar_version",
           "release", "writable_library"]
