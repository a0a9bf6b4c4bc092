"""Reading YAML/JSON inputs with errors that name the file, and writing outputs atomically."""

from __future__ import annotations

import errno
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import MsaError, OutputError


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


def read_mapping(path: Path, *, error: type[MsaError], what: str) -> dict[str, Any]:
    """Read a YAML or JSON file whose top level must be a mapping."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{what} not found", file=str(path)) from None
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror}", file=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{what} is not UTF-8 text", file=str(path)) from None
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
    except FileExistsError:
        raise OutputError("a file is in the way of this output folder", file=str(path)) from None
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
