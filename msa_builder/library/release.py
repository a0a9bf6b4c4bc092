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
from .model import ClauseVersion, Library


@dataclass(frozen=True)
class HashProblem:
    path: str
    message: str
    kind: str = "changed"  # changed | unrecorded | deleted


def release_problem(library: Library, version: ClauseVersion) -> HashProblem | None:
    """Why an approved or retired version is not exactly the text that was released, if it is not."""
    if version.meta.status == "draft":
        return None
    recorded = library.released.get(version.path)
    if recorded is None:
        return HashProblem(version.path, f"{version.meta.status} version is not recorded in {RELEASED}; run "
                           "`msa library freeze` to release it", "unrecorded")
    if recorded != version.sha256:
        return HashProblem(version.path, f"released version {version.key} was changed after release "
                           f"(sha256 {version.sha256[:12]}…, recorded {recorded[:12]}…); restore it "
                           "and put the change in a new version file", "changed")
    return None


def check_released(library: Library) -> list[HashProblem]:
    """Approved or retired files whose hash is missing or differs from the record."""
    present = {v.path: v for v in library.versions()}
    problems = [p for p in map(lambda v: release_problem(library, v), present.values()) if p is not None]
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
    added = {v.path: v.sha256 for v in library.versions()
             if v.meta.status != "draft" and v.path not in library.released}
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
