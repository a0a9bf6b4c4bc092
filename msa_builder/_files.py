"""Reading YAML/JSON input files with errors that name the file, and writing outputs atomically.

Parsing itself, with its bounds, is `_parse`; here a file is read (at most MAX_INPUT_BYTES: a FIFO
or a huge file is refused, not read into memory), pydantic's problems become ours, and outputs are
written so that a refused write is an OutputError naming the path and leaves nothing half-written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._parse import decode_utf8, field_path, parse_json, parse_yaml
from .errors import MsaError, OutputError, Problem, brief

_UMASK = os.umask(0)
os.umask(_UMASK)


def _publish_mode(fd: int) -> None:
    """mkstemp creates files readable by the owner only; outputs are ordinary files."""
    os.fchmod(fd, 0o666 & ~_UMASK)


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


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Our own error, naming the path, for a write the system refused (permissions, full disk...)."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        # Name the folder when creating it failed, the output otherwise (never our temp file).
        named = exc.filename if isinstance(exc.filename, str) else ""
        culprit = named if named and not named.endswith(".tmp") else str(path)
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, (NotADirectoryError, FileExistsError)):
            reason += "; a file is where a folder must be"
        raise OutputError(f"cannot write {path.name}: {reason}", file=culprit) from None


def _unchanged(path: Path, data: bytes) -> bool:
    if path.is_dir():
        raise OutputError("a folder is where this output file must be written", file=str(path),
                          hint="move the folder away, or choose another --out")
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except FileNotFoundError:
        return False


def _stage(path: Path, data: bytes) -> str:
    """Write `data` to a fresh temp file beside `path`, on disk, and return its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        _publish_mode(fd)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def atomic_write(path: Path, data: bytes) -> bool:
    """Write one file via a temp file and rename, so readers see old or new, never torn.

    Returns False, touching nothing, when the file already holds exactly these bytes: an
    unchanged rebuild must not change mtimes. A refused write raises OutputError naming the path.
    """
    return bool(atomic_write_set({path: data}))


def atomic_write_set(files: dict[Path, bytes]) -> list[Path]:
    """Write several files so that each is old-or-new, staging all before replacing any.

    Files whose bytes are unchanged are not touched (mtimes stay put). Returns the paths written.
    Callers list the file that marks completion (the lock) last: it is replaced last.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            with _writing(path):
                if not _unchanged(path, data):
                    staged.append((_stage(path, data), path))
        for tmp, path in staged:
            with _writing(path):
                os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            _discard(tmp)
        raise
    return [path for _, path in staged]


def write_once(path: Path, data: bytes) -> None:
    """Write a new file that must not exist yet, complete or not at all: never over another file.

    For signed instruments, which are never overwritten: the bytes are staged in a temp file and
    hard-linked into place, which fails (FileExistsError) if anything is there, even a file
    created a moment ago by someone else.
    """
    tmp = _stage(path, data)
    try:
        os.link(tmp, path)
    finally:
        _discard(tmp)
