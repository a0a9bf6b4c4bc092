"""Batch sources: a folder of profile files, or a CSV with one client per row, as labelled entries.

Reading a source is cheap on purpose. Profile files are only hashed and glanced at (with the C
YAML parser, when present) for the client's name, which gives the output folder and lets a
rerun skip an unchanged client without validating its profile; full validation happens when
the client is actually checked or built.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .._files import parse_document, parse_mapping, read_input
from ..errors import MsaError, ProfileError, brief
from ..library.model import Manifest
from ..identity import normal_name
from ..profile import LoadedProfile, derived_agreement_id, load_profile, profile_from_mapping, slugify
from .csv_rows import read_csv

PROFILE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class SourceEntry:
    """One client of a batch source (or a file that is not one, with the reason it is skipped).

    `client` and `agreement_id` are what a glance at the file says (the profile is validated
    later); `folder` is the output folder the batch assigned (see identity.client_folder).
    `content` (the file's bytes) and `origin` (where it is, resolved) let a worker that cannot
    read the batch's files, or resolve its relative paths, load the entry (batch/dask_runner.py).
    """

    label: str
    sha256: str
    path: str | None = None
    data: dict[str, Any] | None = None
    client: str | None = None
    skip: str | None = None
    error: MsaError | None = None
    agreement_id: str | None = None
    folder: str | None = None
    content: bytes | None = None
    origin: str | None = None

    @property
    def slug(self) -> str | None:
        if self.folder:
            return self.folder
        return slugify(self.client) if self.client else None


def load_entry(entry: SourceEntry) -> LoadedProfile:
    """Validate an entry as a profile: the file's own loader, or the CSV row's mapping."""
    if entry.error is not None:
        raise entry.error
    if entry.path is not None and entry.content is None:
        return load_profile(Path(entry.path))
    source = entry.origin or entry.path or entry.label
    if entry.content is not None:
        data = parse_mapping(entry.content, source=source, json_text=source.lower().endswith(".json"),
                             error=ProfileError, what="client profile")
        return LoadedProfile(profile=profile_from_mapping(data, source=source), source=source,
                             sha256=hashlib.sha256(entry.content).hexdigest())
    assert entry.data is not None
    return LoadedProfile(profile=profile_from_mapping(entry.data, source=source), source=source,
                         sha256=entry.sha256)


def _client_name(data: Any) -> str | None:
    client = data.get("client") if isinstance(data, dict) else None
    name = client.get("legal_name") if isinstance(client, dict) else None
    return normal_name(name.strip()) if isinstance(name, str) and name.strip() else None


def _agreement_id(data: Any, name: str | None) -> str | None:
    """The agreement id a profile will have: its own, or the one derived from name and date."""
    if not isinstance(data, dict):
        return None
    own = data.get("agreement_id")
    if isinstance(own, str) and own:
        return own
    effective = data.get("effective_date")
    if isinstance(effective, str):
        try:
            effective = date.fromisoformat(effective)
        except ValueError:
            return None
    if name is None or not isinstance(effective, date):
        return None
    return derived_agreement_id(name, effective)


def _entry(label: str, sha256: str, mapping: dict[str, Any], **where: Any) -> SourceEntry:
    name = _client_name(mapping)
    return SourceEntry(label, sha256, client=name, agreement_id=_agreement_id(mapping, name), **where)


def _glance(path: Path) -> SourceEntry:
    """Hash a profile file and read its client's name; a file that cannot be parsed is its own failure.

    The parse is the bounded one every profile gets (an alias bomb or a 100,000-level JSON is
    refused here, for this file alone), so a file that parses here parses the same way later.
    """
    label = str(path)
    try:
        raw = read_input(path, error=ProfileError, what="client profile")
    except ProfileError as exc:
        return SourceEntry(label, "", path=label, error=exc)
    sha = hashlib.sha256(raw).hexdigest()
    try:
        data = parse_document(raw, source=label, json_text=path.suffix.lower() == ".json", error=ProfileError,
                              what="client profile")
    except ProfileError as exc:
        return SourceEntry(label, sha, path=label, error=exc)
    if not isinstance(data, dict) or "client" not in data:
        return SourceEntry(label, sha, path=label, skip="not a client profile (no top-level client: key)")
    return _entry(label, sha, data, path=label)


def read_folder(folder: Path) -> list[SourceEntry]:
    """Every profile file directly in `folder`, by name; other files (the provider file) are skipped."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PROFILE_SUFFIXES
                   and not p.name.startswith("."))
    return [_glance(p) for p in files]


def read_csv_source(path: Path, manifest: Manifest | None = None) -> list[SourceEntry]:
    entries = []
    for row in read_csv(path, manifest):
        if row.empty:
            entries.append(SourceEntry(row.label, row.sha256, skip="empty row"))
        elif row.error is not None:
            entries.append(SourceEntry(row.label, row.sha256, error=row.error))
        else:
            entries.append(_entry(row.label, row.sha256, row.data, data=row.data))
    return entries


def read_source(source: Path | str, manifest: Manifest | None = None) -> list[SourceEntry]:
    """A batch source as entries: a folder of profiles or a `.csv` file. Raises ProfileError if unusable.

    With the library's manifest, CSV parameter cells are typed as the library declares them and
    unknown control or parameter columns are refused up front rather than on every row.
    """
    path = Path(source)
    if path.is_dir():
        return read_folder(path)
    if path.suffix.lower() == ".csv":
        return read_csv_source(path, manifest)
    if not path.exists():
        raise ProfileError("batch source not found", file=str(path),
                           hint="give a folder of client profiles or a .csv file with one client per row")
    raise ProfileError("a batch source must be a folder of profiles or a .csv file", file=str(path))


def duplicate_errors(entries: list[SourceEntry]) -> dict[str, ProfileError]:
    """Entries naming a client, or an agreement id, that an earlier entry already names.

    Two entries of one client would write one folder; two clients with one agreement id would
    make `msa ledger mark ID` ambiguous. The first entry is built, each later one fails.
    """
    by_name: dict[str, SourceEntry] = {}
    by_id: dict[str, SourceEntry] = {}
    errors = {}
    for entry in entries:
        if entry.client is None or entry.skip or entry.error:
            continue
        first = by_name.get(entry.client)
        holder = by_id.get(entry.agreement_id) if entry.agreement_id else None
        if first is not None:
            errors[entry.label] = ProfileError(
                f"the client {brief(entry.client)} already appears in {first.label}; each client may appear once",
                file=entry.label, field="client.legal_name")
        elif holder is not None:
            errors[entry.label] = ProfileError(
                f"the agreement id {entry.agreement_id!r} of {entry.client!r} is already the id of "
                f"{holder.client!r} in {holder.label}; each agreement needs its own id",
                file=entry.label, field="agreement_id",
                hint="set a distinct agreement_id in one of the two profiles")
        else:
            by_name[entry.client] = entry
            if entry.agreement_id:
                by_id[entry.agreement_id] = entry
    return errors
