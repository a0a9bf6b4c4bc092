"""Reading YAML/JSON input files with errors that name the file, and writing outputs atomically.

Parsing itself, with its bounds, is `_parse`; here a file is read (at most MAX_INPUT_BYTES: a FIFO
or a huge file is refused, not read into memory), pydantic's problems become ours, and outputs are
written so that a refused write is an OutputError naming the path and leaves nothing half-written.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._parse import decode_utf8, field_path, parse_json, parse_yaml
from .errors import MsaError, OutputError, Problem, brief

MAX_INPUT_BYTES = 16 * 1024 * 1024


def read_input(path: Path, *, error: type[MsaError], what: str) -> bytes:
    """An input file's bytes, refusing files too large to be one (or endless, like a FIFO)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise error(f"{what} not found", file=str(path)) from None
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror}", file=str(path)) from None
    if len(raw) > MAX_INPUT_BYTES:
        raise error(f"{what} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB; that is not a {what}",
                    file=str(path))
    return raw


def read_text(path: Path, *, error: type[MsaError], what: str) -> str:
    """Read a UTF-8 text file (bounded like every input), turning every failure into `error` naming it."""
    return decode_utf8(read_input(path, error=error, what=what), error=error, what=what, source=str(path))


def parse_document(raw: bytes, *, source: str, json_text: bool, error: type[MsaError], what: str) -> Any:
    """Parse the bytes of a YAML or JSON document, with every bound of `parse_yaml` / `parse_json`."""
    text = decode_utf8(raw, error=error, what=what, source=source)
    return parse_json(text, source=source, error=error) if json_text else parse_yaml(text, source=source, error=error)


def parse_mapping(raw: bytes, *, source: str, json_text: bool, error: type[MsaError], what: str) -> dict[str, Any]:
    """Parse a YAML or JSON document whose top level must be a mapping."""
    data = parse_document(raw, source=source, json_text=json_text, error=error, what=what)
    if data is None:
        raise error(f"{what} is empty; it must be a mapping of fields", file=source)
    if not isinstance(data, dict):
        raise error(f"{what} must be a mapping of fields, not {type(data).__name__}", file=source)
    return data


def read_mapping(path: Path, *, error: type[MsaError], what: str) -> dict[str, Any]:
    """Read a YAML or JSON file (by its suffix) whose top level must be a mapping."""
    raw = read_input(path, error=error, what=what)
    return parse_mapping(raw, source=str(path), json_text=path.suffix.lower() == ".json", error=error, what=what)


# Parts of a pydantic error location the user never wrote: validator wrappers, and the tags of
# union branches (see `branch_tag`).
_HIDDEN_LOC = ("function-", "branch:")


def branch_tag(name: str) -> str:
    """A pydantic union-branch tag that `raise_validation` leaves out of the field path."""
    return f"branch:{name}"


def _problem(error: Any, prefix: str) -> Problem:
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith(_HIDDEN_LOC)))
    path = field_path(loc)
    if prefix:
        path = f"{prefix}.{path}" if path else prefix
    kind = error["type"]
    ctx = error.get("ctx") or {}
    allowed: list[str] = []
    if kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        message = "unknown field"
    elif kind in ("literal_error", "enum"):
        message = f"{brief(error.get('input'))} is not allowed"
        expected = str(ctx.get("expected", ""))
        allowed = [a.strip().strip("'") for a in expected.replace(" or ", ", ").split(",") if a.strip()]
    elif kind == "value_error":
        # Our validators' messages say what is wrong and show the value where it helps.
        message = str(error["msg"]).removeprefix("Value error, ")
    else:
        message = error["msg"]
        if "input" in error and not isinstance(error["input"], (dict, list)):
            message += f" (got {brief(error['input'])})"
    return Problem(message, path or None, allowed=tuple(allowed))


def raise_validation(exc: ValidationError, *, source: str, error: type[MsaError], prefix: str = "") -> None:
    """Raise every pydantic problem of one input as our error, naming field paths and allowed values."""
    problems = list(dict.fromkeys(_problem(e, prefix) for e in exc.errors(include_url=False)))
    raise error.several(problems, file=source) from None


# Every open below names its directory by descriptor and refuses symbolic links in the last
# component (O_NOFOLLOW), so a link planted where a client's folder or file belongs is never
# written through, and a check cannot be raced by swapping the folder for a link afterwards.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


@contextmanager
def _folder(path: Path, *, own: bool) -> Iterator[int]:
    """A descriptor of folder `path`, created if missing; with `own`, a symbolic link there is refused.

    `own` is for folders msa-builder owns (a client's output folder): nobody has a reason to make
    one a link, and writing through it would put one client's files into someone else's folder.
    A folder the user names (`-o ~/docs/x.docx`) may be a link to wherever they keep documents.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError("cannot create the output folder: a file is where a folder must be",
                          file=str(path)) from None
    except OSError as exc:
        raise OutputError(f"cannot create the output folder: {exc.strerror}", file=str(path)) from None
    try:
        fd = os.open(path, os.O_RDONLY | _DIRECTORY | _CLOEXEC | (_NOFOLLOW if own else 0))
    except OSError as exc:
        if own and path.is_symlink():
            raise OutputError("the output folder is a symbolic link; msa-builder writes only into folders of "
                              "its own", file=str(path), hint="remove the link (and check who planted it)") from None
        raise OutputError(f"cannot open the output folder: {exc.strerror}", file=str(path)) from None
    try:
        yield fd
    finally:
        os.close(fd)


def _read_at(folder: int, name: str) -> bytes:
    fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _CLOEXEC, dir_fd=folder)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def read_regular(path: Path) -> bytes:
    """Read a file in msa-builder's own output folders, never through a symbolic link.

    A link where a lock or an output belongs raises OSError (ELOOP), as a missing file raises
    FileNotFoundError: either way the file is not one msa-builder wrote.
    """
    fd = os.open(path.parent, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    try:
        return _read_at(fd, path.name)
    finally:
        os.close(fd)


def _holds(folder: int, name: str, data: bytes) -> bool:
    """Whether `name` is a regular file with exactly these bytes (a link never counts)."""
    try:
        if os.stat(name, dir_fd=folder, follow_symlinks=False).st_size != len(data):
            return False
        return _read_at(folder, name) == data
    except OSError:
        return False


def _is_folder(folder: int, name: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _stage(folder: int, name: str, data: bytes) -> str:
    """Write `data` to a new hidden temp file beside `name`; returns the temp file's name.

    O_EXCL makes a fresh file (never an existing one or a link's target), and mode 0o666 lets
    the umask decide permissions as for any ordinary file.
    """
    while True:
        tmp = f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o666, dir_fd=folder)
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        _unlink_quietly(folder, tmp)
        raise
    return tmp


def _unlink_quietly(folder: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=folder)
    except OSError:
        pass


def atomic_write(path: Path, data: bytes) -> bool:
    """Write `data` to `path` via a temp file and rename, so readers see old or new, never torn.

    Returns False, touching nothing, when the file already holds exactly these bytes: an
    unchanged rebuild must not change mtimes.
    """
    return bool(atomic_write_set({path: data}))


def atomic_write_set(files: dict[Path, bytes], *, own_folder: bool = False) -> list[Path]:
    """Write several files of one folder so that each is old-or-new, staging all before replacing any.

    Files whose bytes are unchanged are not touched (mtimes stay put). Returns the paths written.
    Callers list the file that marks completion (the lock) last: it is replaced last. A file
    that is a symbolic link is replaced by a regular file, never written through; with
    `own_folder`, the folder itself must not be a link either (see `_folder`).
    """
    if not files:
        return []
    folders = {path.parent for path in files}
    if len(folders) != 1:
        # Grouping by folder would break "the lock is replaced last" across folders.
        raise ValueError("atomic_write_set writes the files of one folder")
    folder_path = folders.pop()
    with _folder(folder_path, own=own_folder) as folder:
        staged: list[tuple[str, Path]] = []
        current: Path = folder_path
        try:
            for path, data in files.items():
                current = path
                if _is_folder(folder, path.name):
                    raise OutputError("a folder is where this output file must be written", file=str(path),
                                      hint="move the folder away, or choose another --out")
                if not _holds(folder, path.name, data):
                    staged.append((_stage(folder, path.name, data), path))
            for tmp, path in staged:
                current = path
                os.replace(tmp, path.name, src_dir_fd=folder, dst_dir_fd=folder)
        except OSError as exc:
            for tmp, _ in staged:
                _unlink_quietly(folder, tmp)
            what = "a folder is in the way of this output" if exc.errno == errno.EISDIR else exc.strerror
            raise OutputError(f"cannot write the output: {what}", file=str(current)) from None
        except BaseException:
            for tmp, _ in staged:
                _unlink_quietly(folder, tmp)
            raise
    return [path for _, path in staged]


def write_once(path: Path, data: bytes) -> None:
    """Write a new file that must not exist yet, complete or not at all: never over another file.

    For signed instruments, which are never overwritten: the bytes are staged in a temp file and
    hard-linked into place, which fails (FileExistsError) if anything is there, even a file
    created a moment ago by someone else, or a link.
    """
    with _folder(path.parent, own=False) as folder:
        tmp = _stage(folder, path.name, data)
        try:
            os.link(tmp, path.name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
        finally:
            _unlink_quietly(folder, tmp)
