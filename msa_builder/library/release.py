"""Release hashes: approved clause versions are immutable, and this is how we know.

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
from .model import Library


@dataclass(frozen=True)
class HashProblem:
    path: str
    message: str


def _releasable(library: Library) -> list[tuple[str, str, str, str]]:
    """(path, status, key, sha256) of every versioned file: clause versions and catalogue versions."""
    out = [(v.path, v.meta.status, v.key, v.sha256) for v in library.versions()]
    out += [(c.path, c.doc.status, c.key, c.sha256) for c in library.catalogue]
    return out


def check_released(library: Library) -> list[HashProblem]:
    """Approved or retired files whose hash is missing or differs from the record."""
    problems = []
    present = {path: (status, key, sha) for path, status, key, sha in _releasable(library)}
    for path, (status, key, sha) in present.items():
        if status == "draft":
            continue
        recorded = library.released.get(path)
        if recorded is None:
            problems.append(HashProblem(path, f"{status} version is not recorded in "
                                        f"{RELEASED}; run `msa library freeze` to release it"))
        elif recorded != sha:
            problems.append(HashProblem(path, f"released version {key} was changed after release "
                                        f"(sha256 {sha[:12]}…, recorded {recorded[:12]}…); restore it "
                                        "and put the change in a new version file"))
    for path in library.released:
        if path not in present:
            problems.append(HashProblem(path, "a released version file was deleted; released versions are kept"))
    return problems


def freeze(library: Library) -> list[str]:
    """Record the hashes of approved/retired versions not yet recorded; returns the paths added."""
    changed = [p for p in check_released(library) if "changed after release" in p.message or "deleted" in p.message]
    if changed:
        raise LibraryError("cannot freeze: " + "; ".join(f"{p.path}: {p.message}" for p in changed),
                           file=str(Path(library.location) / RELEASED))
    record = dict(library.released)
    added = []
    for path, status, _, sha in _releasable(library):
        if status != "draft" and path not in record:
            record[path] = sha
            added.append(path)
    if added:
        data = json.dumps(dict(sorted(record.items())), indent=2, ensure_ascii=False) + "\n"
        atomic_write(Path(library.location) / RELEASED, data.encode("utf-8"))
    return added
