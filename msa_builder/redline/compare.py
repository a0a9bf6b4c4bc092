"""`msa compare OLD NEW`: a full-agreement redline between two builds of a client's agreement.

Sections and schedules are aligned by their slot, not their position: a section that moves to
another article is one moved section (Word's move markup, shown green and double-struck), and the
sections after it are untouched, their new numbers being Word's own. Inside each aligned unit the
word-level diff of worddiff.py applies. Inputs are the builds' lock files (the normal case), whose
content model (`<slug>-agreement.json`, content.py) says what each agreement said and whose
recorded sha256s prove it and the DOCX unchanged since the build; or bare DOCX files, read back
from their Word XML (read_docx.py), so a copy saved unchanged by Word or LibreOffice compares as
unchanged. Never a rebuild: an old build's inputs have moved on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from .._parse import parse_json
from ..content import agreement_from_data
from ..errors import RenderError
from ..lockcheck import lock_problem, outputs_problem
from .changelog import AgreementChangelog, agreement_changelog
from .document import AgreementDocument, Unit
from .flat import FlatItem
from .model import MOVED_FROM, MOVED_TO, REDLINE, Tracked, View, track
from .read_docx import read_agreement
from .units import agreement_document
from .worddiff import diff_keys

SAME, CHANGED, ADDED, REMOVED, MOVED_AWAY, MOVED_HERE = "same", "changed", "added", "removed", "moved from", "moved to"


@dataclass(frozen=True)
class Step:
    """One unit of the redline, in output order."""

    kind: str  # same | changed | added | removed | moved from | moved to
    old: Unit | None
    new: Unit | None
    move: str = ""  # the name shared by a move's source and target

    def tracked(self, view: View = REDLINE) -> list[Tracked]:
        old: tuple[FlatItem, ...] = self.old.items if self.old else ()
        new: tuple[FlatItem, ...] = self.new.items if self.new else ()
        if self.kind == MOVED_AWAY:
            return track(old, new, MOVED_FROM)
        if self.kind == MOVED_HERE:
            return track(old, new, MOVED_TO if view is REDLINE else view)
        return track(old, new, view)


@dataclass(frozen=True)
class AgreementRedline:
    old: AgreementDocument = field(repr=False)
    new: AgreementDocument = field(repr=False)
    steps: tuple[Step, ...]
    when: date  # the revisions' date: the new build's as-of date
    changelog: AgreementChangelog = AgreementChangelog()

    def summary(self) -> list[str]:
        """One line per section or schedule that changed, was added, removed or moved."""
        out = []
        for step in self.steps:
            if step.kind in (SAME, MOVED_AWAY):
                continue
            unit = step.new or step.old
            assert unit is not None
            name = unit.name
            versions = ""
            old_v = self.old.version_of(step.old.key) if step.old else ""
            new_v = self.new.version_of(step.new.key) if step.new else ""
            if old_v and new_v and old_v != new_v:
                versions = f" ({old_v} \u2192 {new_v})"
            elif step.kind == ADDED and new_v:
                versions = f" ({new_v})"
            elif step.kind == REMOVED and old_v:
                versions = f" ({old_v})"
            if step.kind == MOVED_HERE:
                assert step.old is not None
                detail = f"moved from {step.old.label}" + (" and changed" if _changes(step) else "")
            else:
                detail = step.kind
            out.append(f"{name}: {detail}{versions}")
        return out


def _changes(step: Step) -> bool:
    return any(t.changed for t in track(step.old.items if step.old else (), step.new.items if step.new else ()))


def align(old: tuple[Unit, ...], new: tuple[Unit, ...]) -> list[Step]:
    """Units in redline order: kept ones in place, moved ones at both places, removed ones where they were.

    Units are matched by key (slot, or article title) on the longest common subsequence; a key on
    both sides outside it has moved. An article heading that was renamed pairs with the unmatched
    heading in the same gap.
    """
    new_keys = {u.key for u in new}
    old_keys = {u.key for u in old}
    old_by_key = {u.key: u for u in old}
    new_by_key = {u.key: u for u in new}
    steps: list[Step] = []
    i = j = 0
    runs = diff_keys([u.key for u in old], [u.key for u in new], semantic=False)
    index = 0
    while index < len(runs):
        op, count = runs[index]
        if op == "eq":
            for k in range(count):
                a, b = old[i + k], new[j + k]
                steps.append(Step(CHANGED if _differs(a, b) else SAME, a, b))
            i, j, index = i + count, j + count, index + 1
            continue
        gone: list[Unit] = []
        came: list[Unit] = []
        while index < len(runs) and runs[index][0] != "eq":
            op, count = runs[index]
            if op == "del":
                gone += old[i:i + count]
                i += count
            else:
                came += new[j:j + count]
                j += count
            index += 1
        renamed_old = [u for u in gone if u.kind == "article" and u.key not in new_keys]
        renamed_new = [u for u in came if u.kind == "article" and u.key not in old_keys]
        renames = dict(zip((u.key for u in renamed_new), renamed_old))
        paired_old = {u.key for u in renames.values()}
        for unit in gone:
            if unit.key in new_keys:
                steps.append(Step(MOVED_AWAY, unit, new_by_key[unit.key], move=f"msaMove{_move_id(unit.key)}"))
            elif unit.key not in paired_old:
                steps.append(Step(REMOVED, unit, None))
        for unit in came:
            if unit.key in old_keys:
                steps.append(Step(MOVED_HERE, old_by_key[unit.key], unit, move=f"msaMove{_move_id(unit.key)}"))
            elif unit.key in renames:
                steps.append(Step(CHANGED, renames[unit.key], unit))
            else:
                steps.append(Step(ADDED, None, unit))
    return steps


def _move_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def _differs(a: Unit, b: Unit) -> bool:
    if a.items == b.items:
        return False
    return any(t.changed for t in track(a.items, b.items))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RenderError(f"cannot read: {exc.strerror}", file=str(path)) from None


def _vouched(lock_path: Path, outputs: dict[str, str], name: str) -> bytes:
    """An output the lock lists, refused if it changed since the build the lock records."""
    path = lock_path.parent / name
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise RenderError(f"the file this lock records cannot be read: {exc.strerror}", file=str(path),
                          hint="keep the outputs beside their lock file, as `msa build` writes them") from None
    if hashlib.sha256(content).hexdigest() != outputs[name]:
        raise RenderError("the file changed since the build its lock file records", file=str(path),
                          field=f"outputs.{name}",
                          hint="compare the DOCX files themselves to include the edits, or rebuild")
    return content


def load_build(path: Path | str) -> AgreementDocument:
    """A build to compare: its lock file (the normal case) or its agreement DOCX.

    Through a lock, the build's content model says what the agreement contained (older builds
    without one fall back to their DOCX); a DOCX alone is read back from its Word XML.
    """
    path = Path(path)
    data = _read(path)
    if path.suffix.lower() != ".json":
        document = read_agreement(data, where=str(path))
        return replace(document, library_source=_library_beside(path, document))
    try:
        lock = parse_json(data.decode("utf-8"), source=str(path), error=RenderError)
    except (UnicodeDecodeError, RenderError) as exc:
        reason = exc.message if isinstance(exc, RenderError) else "not UTF-8 text"
        raise RenderError(f"not a lock file written by `msa build` ({reason})", file=str(path)) from None
    problem = outputs_problem(lock)
    if problem:
        raise RenderError(f"not a lock file written by `msa build` ({problem})", file=str(path))
    outputs: dict[str, str] = lock["outputs"]
    # Bare file names beside the lock, as `msa build` writes them; never a path to elsewhere.
    plain = [name for name in outputs if Path(name).name == name and "\\" not in name]
    models = [name for name in plain if name.endswith("-agreement.json")]
    documents = [name for name in plain if name.endswith("-msa.docx")]
    if models:
        problem = lock_problem(lock)
        if problem:
            raise RenderError(f"not a lock file written by `msa build` ({problem})", file=str(path))
        for name in documents:  # the instrument the model describes must still be the one built
            _vouched(path, outputs, name)
        where = str(path.parent / models[0])
        content = _vouched(path, outputs, models[0])
        try:
            model = parse_json(content.decode("utf-8"), source=where, error=RenderError)
        except UnicodeDecodeError:
            raise RenderError("the agreement content model is not UTF-8 text", file=where) from None
        document = agreement_document(agreement_from_data(model, where=where), lock["bom"], where=where)
        return replace(document, library_source=_recorded_library(lock))
    if not documents:
        raise RenderError("the lock file lists no agreement DOCX among its outputs", file=str(path),
                          field="outputs", allowed=sorted(outputs))
    document = read_agreement(_vouched(path, outputs, documents[0]), where=str(path.parent / documents[0]))
    return replace(document, library_source=_recorded_library(lock))


def _library_beside(docx: Path, document: AgreementDocument) -> str | None:
    """The library the lock beside a DOCX records, if that lock is of the same bill of materials.

    The bill's hash is a document property, which survives Word or LibreOffice saving the file.
    """
    bom = document.properties.get("msa.bom_sha256")
    if not bom:
        return None
    for candidate in sorted(docx.parent.glob("*-lock.json")):
        try:
            lock = parse_json(candidate.read_text(encoding="utf-8"), source=str(candidate), error=RenderError)
        except (OSError, UnicodeDecodeError, RenderError):
            continue  # not a lock of ours: the redline stands without its changelog
        if isinstance(lock, dict) and lock.get("bom_sha256") == bom:
            return _recorded_library(lock)
    return None


def _recorded_library(lock: Mapping[str, Any]) -> str | None:
    """Where the build's library was (a folder, or `(shipped)`); older locks do not say."""
    sources = lock.get("sources")
    library = sources.get("library") if isinstance(sources, dict) else None
    return library if isinstance(library, str) else None


def compare_builds(old: Path | str, new: Path | str) -> AgreementRedline:
    """The redline from the `old` build of an agreement to the `new` one."""
    before, after = load_build(old), load_build(new)
    when = after.as_of or before.as_of
    if when is None:
        raise RenderError("the new build records no as-of date (msa.as_of)", file=after.path)
    steps = tuple(align(before.units, after.units))
    units = [(s.old, s.new, s.kind == SAME) for s in steps if s.kind != MOVED_AWAY]
    return AgreementRedline(before, after, steps, when, agreement_changelog(before, after, units))


def clean_steps(redline: AgreementRedline) -> list[Step]:
    """The steps a clean view shows: the new agreement, in its order."""
    return [s for s in redline.steps if s.kind not in (REMOVED, MOVED_AWAY)]

