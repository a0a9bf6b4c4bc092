"""The archive: an approved instrument's execution files, written once and never touched again.

`OUT/<slug>/archive/<agreement-id>/` holds the execution DOCX, PDF, content model and lock, and
later the evidence of signing. The folder appears complete or not at all (its files are staged in
a hidden folder and renamed into place), its files are read-only, and nothing in msa-builder
rewrites or deletes them: a build writes beside it, a second approval of the same instrument
finds it and refuses. The ledger keeps every file's sha256; `check_archive` says which no longer
match, and nothing "repairs" them.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .._files import write_once
from ..errors import LifecycleError
from ..ledger import AgreementRecord

ARCHIVE = "archive"
_READ_ONLY_FILE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
_READ_ONLY_DIR = _READ_ONLY_FILE | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH


def archive_dir(client_dir: Path, agreement_id: str) -> Path:
    """Where an instrument's archive lives, beside the client's drafts."""
    return client_dir / ARCHIVE / agreement_id


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_archive(directory: Path, files: Mapping[str, bytes]) -> dict[str, str]:
    """Create `directory` with exactly these files, read-only; returns each file's sha256.

    Refused if the archive exists: an archive is written once. A crash leaves either no archive
    or the whole of it (a staged hidden folder is all that can remain, and it is never read).
    """
    if directory.exists() or directory.is_symlink():
        raise LifecycleError("this instrument is already archived, and an archive is written once",
                             file=str(directory), hint="a changed draft is a new instrument with its own id")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".staging", dir=directory.parent))
    try:
        for name, data in files.items():
            if "/" in name or name.startswith("."):
                raise ValueError(f"not a plain file name: {name!r}")
            path = staging / name
            path.write_bytes(data)
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
            os.chmod(path, _READ_ONLY_FILE)
        _fsync_dir(staging)
        os.chmod(staging, _READ_ONLY_DIR)
        # rename(2) refuses a non-empty target, and the check above refuses any target at all.
        os.rename(staging, directory)
        _fsync_dir(directory.parent)
    except BaseException:
        _discard(staging)
        raise
    return {name: sha256(data) for name, data in files.items()}


def _discard(staging: Path) -> None:
    if not staging.exists():
        return
    os.chmod(staging, stat.S_IRWXU)
    for child in staging.iterdir():
        child.unlink()
    staging.rmdir()


def add_to_archive(directory: Path, name: str, data: bytes) -> str:
    """Add one new file (the signed evidence) to an archive; never replaces a file. Returns its sha256."""
    if not directory.is_dir():
        raise LifecycleError("the instrument's archive is missing", file=str(directory))
    target = directory / name
    os.chmod(directory, _READ_ONLY_DIR | stat.S_IWUSR)
    try:
        write_once(target, data)
    except FileExistsError:
        raise LifecycleError("the archive already holds this file, and archived files are never replaced",
                             file=str(target)) from None
    finally:
        os.chmod(directory, _READ_ONLY_DIR)
    os.chmod(target, _READ_ONLY_FILE)
    return sha256(data)


@dataclass(frozen=True)
class ArchiveProblem:
    """An archived file that is missing or no longer holds the bytes the ledger recorded."""

    name: str
    problem: str  # missing | altered

    def __str__(self) -> str:
        return f"{self.name} {self.problem}"


def check_archive(directory: Path, recorded: Mapping[str, str]) -> list[ArchiveProblem]:
    """Every recorded file that is missing or altered; empty when the archive is intact."""
    problems = []
    for name, digest in sorted(recorded.items()):
        path = directory / name
        try:
            actual = sha256(path.read_bytes())
        except FileNotFoundError:
            problems.append(ArchiveProblem(name, "missing"))
            continue
        except OSError:
            problems.append(ArchiveProblem(name, "unreadable"))
            continue
        if actual != digest:
            problems.append(ArchiveProblem(name, "altered"))
    return problems


def archive_problems(record: AgreementRecord) -> list[ArchiveProblem]:
    """What is wrong with a record's archive: each recorded file missing or altered; empty if intact."""
    folder = record.archive_folder
    if folder is None:
        return []
    return check_archive(folder, record.archived_files)


def intact_archive(record: AgreementRecord, step: str) -> Path:
    """The folder of an approved instrument's archive; refused if there is none or it was altered."""
    folder = record.archive_folder
    if folder is None:
        raise LifecycleError(f"record #{record.id} ({record.agreement_id}) has no archived execution version, so it "
                             f"cannot be {step}: only an instrument an attorney approved with `msa approve` can",
                             hint="rebuild the client, review the new draft and approve it")
    problems = check_archive(folder, record.archived_files)
    if problems:
        raise LifecycleError(f"ARCHIVE ALTERED: {', '.join(map(str, problems))}; record #{record.id} cannot be "
                             f"{step} from an archive that is not what was approved", file=str(folder),
                             hint="nothing repairs an archive: restore the files from a backup, or investigate")
    return folder
