"""Reading YAML/JSON inputs with errors that name the file, and writing outputs atomically."""

from __future__ import annotations

import json
import os
import tempfile

_UMASK = os.umask(0)
os.umask(_UMASK)


def _publish_mode(fd: int) -> None:
    """mkstemp creates files readable by the owner only; outputs are ordinary files."""
    os.fchmod(fd, 0o666 & ~_UMASK)
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import MsaError


# libyaml's parser, where installed, is about 6x faster than PyYAML's; a batch parses hundreds of profiles.
FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(FAST_LOADER):  # type: ignore[misc,valid-type]
    """A safe loader that refuses duplicate keys, which YAML otherwise silently overwrites."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, *, source: str, error: type[MsaError]) -> Any:
    """Parse YAML text (JSON is YAML too), turning syntax errors into `error` with a line."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(f"invalid YAML: {problem}", file=source, line=line) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", file=source) from None


def read_text(path: Path, *, error: type[MsaError], what: str) -> str:
    """Read a UTF-8 text file, turning every failure into `error` naming the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{what} not found", file=str(path)) from None
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror}", file=str(path)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{what} is not UTF-8 text", file=str(path)) from None


def read_mapping(path: Path, *, error: type[MsaError], what: str) -> dict[str, Any]:
    """Read a YAML or JSON file whose top level must be a mapping."""
    text = read_text(path, error=error, what=what)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(f"invalid JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
    else:
        data = parse_yaml(text, source=str(path), error=error)
    if not isinstance(data, dict):
        raise error(f"{what} must be a mapping of fields, not {type(data).__name__}", file=str(path))
    return data


# Parts of a pydantic error location the user never wrote: validator wrappers, and the tags of
# union branches (see `branch_tag`).
_HIDDEN_LOC = ("function-", "branch:")


def branch_tag(name: str) -> str:
    """A pydantic union-branch tag that `raise_validation` leaves out of the field path."""
    return f"branch:{name}"


def field_path(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic location as a dotted path with list indexes: `client.signatory.name`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def raise_validation(exc: ValidationError, *, source: str, error: type[MsaError], prefix: str = "") -> None:
    """Raise the first pydantic problem as our error, naming the field path and allowed values."""
    first = exc.errors()[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith(_HIDDEN_LOC)))
    path = field_path(loc)
    if prefix:
        path = f"{prefix}.{path}" if path else prefix
    kind = first["type"]
    ctx = first.get("ctx") or {}
    allowed = None
    if kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        message = "unknown field"
    elif kind in ("literal_error", "enum"):
        message = f"{first.get('input')!r} is not allowed"
        expected = str(ctx.get("expected", ""))
        allowed = [a.strip().strip("'") for a in expected.replace(" or ", ", ").split(",") if a.strip()]
    else:
        message = first["msg"]
        if "input" in first and not isinstance(first["input"], (dict, list)):
            message += f" (got {first['input']!r})"
    count = len(exc.errors())
    hint = f"{count - 1} more problem(s) in this file" if count > 1 else None
    raise error(message, file=source, field=path or None, allowed=allowed, hint=hint) from None


def _stage(path: Path, data: bytes) -> str:
    """`data` in a new temp file beside `path`, on disk (fsync): ready to be renamed or linked into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        _publish_mode(fd)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def atomic_write(path: Path, data: bytes) -> bool:
    """Write one file via a temp file and rename, so readers see old or new, never torn.

    Returns False, touching nothing, when the file already holds exactly these bytes: an
    unchanged rebuild must not change mtimes.
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
            try:
                if path.stat().st_size == len(data) and path.read_bytes() == data:
                    continue
            except FileNotFoundError:
                pass
            staged.append((_stage(path, data), path))
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
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
        os.unlink(tmp)
