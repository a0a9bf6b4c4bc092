"""What the library says changed in each clause between two builds of an agreement.

A redline shows the words; the attorney also wants the reason, which the library keeps as each
clause version's changelog. Each build's lock records where its library was (`sources.library`,
a folder or `(shipped)`), so `msa compare` reads it back from there. A library keeps every version
it ever released, so where the two builds used different libraries the newer one knows every
version in between; the changelog comes from it. A build read from its DOCX alone, or a library
that moved or no longer holds a version, leaves that part out and says why: the redline itself
never depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import MsaError
from ..library.load import open_library
from ..library.model import ClauseVersion, Library, semver_key
from ..library.refs import changelog_between
from ..paths import recorded_library
from .document import AgreementDocument, Unit

CLAUSE_UNITS = ("preamble", "section", "signature", "schedule")


@dataclass(frozen=True)
class ClauseHistory:
    """One clause whose version differs between the builds, and its changelog in between."""

    name: str  # how the redline's summary names its unit: "Section 3.5 Declined Controls"
    slot: str
    old: str  # "variant@version"; "" when the old build did not have the clause
    new: str  # "" when the new build dropped it
    entries: tuple[tuple[str, str], ...]  # (slot:variant@version, changelog), oldest first
    missing: str = ""  # why the library could not tell
    same_text: bool = False  # the new version prints the same words for this client

    def title(self) -> str:
        """"Section 3.5 Declined Controls: declined@1.0.0 → declined@2.0.0"."""
        versions = f"{self.name}: {self.old or '(none)'} \u2192 {self.new or '(none)'}"
        return f"{versions} (no change in the text)" if self.same_text else versions


@dataclass(frozen=True)
class AgreementChangelog:
    """The clause histories of one comparison, and which library told them (or why none could)."""

    source: str = ""  # "msa-builder-standard 2026.12.0, the library of the new build"
    clauses: tuple[ClauseHistory, ...] = ()
    problem: str = ""

    def heading(self) -> str:
        """One line saying where the changelog comes from, or why there is none."""
        if self.problem:
            return f"Changelog: not available ({self.problem})."
        return f"Changelog from the clause library {self.source}."


def agreement_changelog(old: AgreementDocument, new: AgreementDocument,
                        units: Iterable[tuple[Unit | None, Unit | None, bool]]) -> AgreementChangelog:
    """Histories of every clause of `units` whose version changed.

    `units` are (old, new, same text) in redline order. A version that prints the same words is
    listed too, and says so: the attorney sees why the version moved without hunting for a change.
    """
    changed = _versions(old, new, units)
    if not changed:
        return AgreementChangelog()
    library, source, problem = _library(old, new)
    if library is None:
        return AgreementChangelog(clauses=tuple(changed), problem=problem)
    return AgreementChangelog(source, tuple(_history(library, clause) for clause in changed))


def _versions(old: AgreementDocument, new: AgreementDocument,
              units: Iterable[tuple[Unit | None, Unit | None, bool]]) -> list[ClauseHistory]:
    out = []
    for before, after, same in units:
        unit = after or before
        if unit is None or unit.kind not in CLAUSE_UNITS:
            continue
        old_version = old.version_of(before.key) if before else ""
        new_version = new.version_of(after.key) if after else ""
        if old_version != new_version:
            out.append(ClauseHistory(unit.name, unit.key, old_version, new_version, (), same_text=same))
    return out


def _history(library: Library, clause: ClauseHistory) -> ClauseHistory:
    old, new = _find(library, clause.slot, clause.old), _find(library, clause.slot, clause.new)
    lost = [v for v, found in ((clause.old, old), (clause.new, new)) if v and found is None]
    if lost:
        return replace(clause, missing=f"{library.manifest.name} {library.manifest.version} has no "
                                       f"{' or '.join(lost)} of {clause.slot}")
    return replace(clause, entries=changelog_between(library, old, new))


def _find(library: Library, slot: str, version: str) -> ClauseVersion | None:
    if not version:
        return None
    variant, _, number = version.partition("@")
    return library.find(slot, variant, number)


def _library(old: AgreementDocument, new: AgreementDocument) -> tuple[Library | None, str, str]:
    """The newer of the two builds' libraries (the new build's when they tie), with its description."""
    found: list[tuple[Library, str]] = []
    problems = []
    for side, build in (("new", new), ("old", old)):
        if side == "old" and old.library_source == new.library_source and found:
            break  # the same folder: read once
        library, problem = _open(build)
        if library is not None:
            found.append((library, f"{library.manifest.name} {library.manifest.version}, the library of the "
                                   f"{side} build"))
        else:
            problems.append(problem)
    if not found:
        return None, "", "; ".join(dict.fromkeys(problems))
    newest = max(found, key=lambda pair: _version_key(pair[0]))  # max keeps the first of equals: the new build's
    return newest[0], newest[1], ""


def _version_key(library: Library) -> tuple[int, int, int]:
    try:
        return semver_key(library.manifest.version)
    except ValueError:
        return (0, 0, 0)


def _open(build: AgreementDocument) -> tuple[Library | None, str]:
    """The library a build was made from, as its lock records it (None, and why, when it cannot be read)."""
    recorded = build.library_source
    if recorded is None:
        return None, ("a DOCX, or a lock file from before locks recorded their library, does not say where its "
                      "clause library is; compare the lock files")
    try:
        library = open_library(recorded_library(recorded))
    except (MsaError, OSError):
        return None, "the clause library folder a lock file names can no longer be read"
    name = build.properties.get("msa.library", "")
    if name and library.manifest.name != name:
        return None, f"the folder a lock file names now holds {library.manifest.name}, not {name}"
    return library, ""
