"""Loading a clause library: the manifest, every clause version file and the release hashes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from .._files import raise_validation
from .._parse import decode_utf8, parse_json, parse_yaml
from ..errors import LibraryError, MsaError
from ..fieldtypes import character_problem
from ..paths import default_library
from ..rules import rule_for
from .catalogue import CATALOGUE_DIR, parse_catalogue
from .loader import FileSystemLoader, LibraryLoader
from .model import ClauseMeta, ClauseVersion, Library, Manifest, Slot, Variant, semver_key

MANIFEST = "library.yaml"
RELEASED = "released.json"
SLOTS_DIR = "slots/"
DEFINITION = re.compile(r"\*\*[\"“]([^\"”*\n]+)[\"”]\*\*")

Report = Callable[[MsaError], None]


def _raise(problem: MsaError) -> None:
    raise problem


def load_manifest(loader: LibraryLoader) -> Manifest:
    where = loader.describe(MANIFEST)
    text = decode_utf8(loader.read(MANIFEST), error=LibraryError, what="the manifest", source=where)
    data = parse_yaml(text, source=where, error=LibraryError)
    if not isinstance(data, dict):
        raise LibraryError("the manifest must be a mapping", file=where)
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise_validation(exc, source=where, error=LibraryError)
        raise


def load_released(loader: LibraryLoader) -> dict[str, str]:
    if RELEASED not in loader.list_files():
        return {}
    where = loader.describe(RELEASED)
    text = decode_utf8(loader.read(RELEASED), error=LibraryError, what="the release record", source=where)
    data = parse_json(text, source=where, error=LibraryError)
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise LibraryError("the release record must map file paths to sha256 hex digests", file=where)
    return data


def split_front_matter(text: str, *, where: str) -> tuple[str, str, int]:
    """Split `---` YAML front matter from the Markdown body; returns (yaml, body, body line)."""
    if not text.startswith("---\n"):
        raise LibraryError("a clause file must start with '---' and YAML front matter", file=where, line=1)
    end = text.find("\n---\n", 3)
    if end < 0:
        raise LibraryError("front matter is not closed by a '---' line", file=where, line=1)
    front = text[4:end + 1]
    body = text[end + 5:]
    return front, body, front.count("\n") + 3


def parse_clause(relpath: str, raw: bytes, *, where: str) -> ClauseVersion:
    """Parse one clause version file and check that it sits where its front matter says."""
    text = decode_utf8(raw, error=LibraryError, what="clause file", source=where)
    front, body, body_line = split_front_matter(text.replace("\r\n", "\n"), where=where)
    data = parse_yaml(front, source=where, error=LibraryError, first_line=2)
    if not isinstance(data, dict):
        raise LibraryError("front matter must be a mapping", file=where, line=2)
    try:
        meta = ClauseMeta.model_validate(data)
    except ValidationError as exc:
        raise_validation(exc, source=where, error=LibraryError)
        raise
    parts = relpath.split("/")
    if len(parts) != 4 or not parts[3].endswith(".md"):
        raise LibraryError("clause files live at slots/<slot>/<variant>/<version>.md", file=where)
    _, slot, variant, filename = parts
    expected = {"id": slot, "variant": variant, "version": filename[:-3]}
    for name, value in expected.items():
        if getattr(meta, name) != value:
            raise LibraryError(f"{getattr(meta, name)!r} does not match the file's place ({value!r})",
                               file=where, field=name)
    if not body.strip():
        raise LibraryError("the clause body is empty", file=where, line=body_line)
    for number, line in enumerate(body.split("\n"), start=body_line):
        problem = character_problem(line)
        if problem:
            raise LibraryError(f"the clause body {problem}", file=where, line=number)
    return ClauseVersion(meta=meta, body=body, path=relpath, sha256=hashlib.sha256(raw).hexdigest(),
                         body_line=body_line)


def open_library(path: Path | str | None = None) -> Library:
    """Load a clause library folder (the shipped one by default)."""
    return load_library(FileSystemLoader(path or default_library()))


def load_library(loader: LibraryLoader | Path | str | None = None, *, report: Report = _raise) -> Library:
    """Load a library. By default the first problem raises; lint passes `report` to collect them all."""
    if loader is None:
        loader = FileSystemLoader(default_library())
    elif isinstance(loader, (str, Path)):
        loader = FileSystemLoader(loader)
    manifest = load_manifest(loader)
    released = load_released(loader)
    by_variant: dict[tuple[str, str], list[ClauseVersion]] = {}
    catalogue = []
    for relpath in loader.list_files():
        if relpath.startswith(CATALOGUE_DIR) and relpath.endswith(".yaml"):
            try:
                catalogue.append(parse_catalogue(relpath, loader.read(relpath), where=loader.describe(relpath)))
            except MsaError as problem:
                report(problem)
            continue
        if not relpath.startswith(SLOTS_DIR) or not relpath.endswith(".md"):
            continue
        where = loader.describe(relpath)
        try:
            clause = parse_clause(relpath, loader.read(relpath), where=where)
            rule_for(clause.meta.applies_when, where=where)  # a broken rule is the file's problem
        except MsaError as problem:
            report(problem)
            continue
        by_variant.setdefault((clause.meta.id, clause.meta.variant), []).append(clause)
    slots: dict[str, Slot] = {}
    for (slot_id, variant), versions in sorted(by_variant.items()):
        versions.sort(key=lambda v: semver_key(v.meta.version))
        slot = slots.setdefault(slot_id, Slot(id=slot_id))
        slot.variants[variant] = Variant(slot=slot_id, name=variant, versions=tuple(versions))
    for kind, entry in manifest.outline.entries():
        if entry.slot not in slots:
            report(LibraryError(f"the outline names {kind} slot {entry.slot!r}, but the library has no "
                                f"clause files for it", file=loader.describe(MANIFEST), field="outline"))
    terms: dict[str, str] = {}
    for slot in slots.values():
        for var in slot.variants.values():
            for version in var.versions:
                for term in DEFINITION.findall(version.body):
                    terms.setdefault(term, version.key)
    catalogue.sort(key=lambda v: semver_key(v.doc.version))
    return Library(manifest=manifest, slots=slots, released=released, location=loader.location,
                   terms=terms, catalogue=tuple(catalogue),
                   manifest_sha256=hashlib.sha256(loader.read(MANIFEST)).hexdigest())
