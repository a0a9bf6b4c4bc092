"""Release hashes: approved clause versions (and control catalogue versions) are immutable, and this is how we know.

`released.json` maps each released file's path to the sha256 it had when it was released.
Changing a released file is never right: a new version file is. `freeze` records new releases
and refuses to rewrite an existing record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .._files import atomic_write
from ..errors import LibraryError
from .load import RELEASED
from .model import ClauseVersion, Library


@dataclass(frozen=True)
class HashProblem:
    path: str
    message: str
    kind: str = "changed"  # changed | unrecorded | deleted


@dataclass(frozen=True)
class _Versioned:
    """A file whose released text must never change: a clause version or a catalogue version."""

    path: str
    status: str
    key: str
    sha256: str


def _releasable(library: Library) -> list[_Versioned]:
    out = [_Versioned(v.path, v.meta.status, v.key, v.sha256) for v in library.versions()]
    out += [_Versioned(c.path, c.doc.status, c.key, c.sha256) for c in library.catalogue]
    return out


def _problem(library: Library, item: _Versioned) -> HashProblem | None:
    if item.status == "draft":
        return None
    recorded = library.released.get(item.path)
    if recorded is None:
        return HashProblem(item.path, f"{item.status} version is not recorded in {RELEASED}; run "
                           "`msa library freeze` to release it", "unrecorded")
    if recorded != item.sha256:
        return HashProblem(item.path, f"released version {item.key} was changed after release "
                           f"(sha256 {item.sha256[:12]}…, recorded {recorded[:12]}…); restore it "
                           "and put the change in a new version file", "changed")
    return None


def release_problem(library: Library, version: ClauseVersion) -> HashProblem | None:
    """Why an approved or retired version is not exactly the text that was released, if it is not."""
    return _problem(library, _Versioned(version.path, version.meta.status, version.key, version.sha256))


def check_released(library: Library) -> list[HashProblem]:
    """Approved or retired files whose hash is missing or differs from the record."""
    present = {item.path: item for item in _releasable(library)}
    problems = [p for p in map(lambda item: _problem(library, item), present.values()) if p is not None]
    for path in library.released:
        if path not in present:
            problems.append(HashProblem(path, "a released version file was deleted; released versions are kept",
                                        "deleted"))
    return problems


def freeze(library: Library) -> list[str]:
    """Record the hashes of approved/retired versions not yet recorded; returns the paths added."""
    changed = [p for p in check_released(library) if p.kind in ("changed", "deleted")]
    if changed:
        raise LibraryError("cannot freeze: " + "; ".join(f"{p.path}: {p.message}" for p in changed),
                           file=str(Path(library.location) / RELEASED))
    added = {item.path: item.sha256 for item in _releasable(library)
             if item.status != "draft" and item.path not in library.released}
    if added:
        atomic_write(Path(library.location) / RELEASED, released_bytes(library.released, added))
    return list(added)


def released_bytes(record: dict[str, str], added: dict[str, str]) -> bytes:
    """released.json with `added` (path -> sha256) recorded; a recorded hash is never replaced."""
    clash = [path for path, digest in added.items() if record.get(path, digest) != digest]
    if clash:
        raise LibraryError(f"{clash[0]} is already released with another hash; released versions never change",
                           field=RELEASED)
    data = json.dumps(dict(sorted({**record, **added}.items())), indent=2, ensure_ascii=False) + "\n"
    return data.encode("utf-8")
