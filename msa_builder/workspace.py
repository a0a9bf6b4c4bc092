"""A provider's workspace: a folder whose `msa.toml` names its library, templates, provider file,
clients, output folder and ledger.

A real provider keeps its own library (its attorney's text), Word templates, provider file and
client profiles in one folder under git; `msa.toml` marks that folder, as `.git` marks a
repository, so every command run anywhere inside it finds it by walking up (`find_workspace`).
Paths in it are relative to the folder, so the workspace can move or be cloned elsewhere.

`msa.toml` is read strictly: an unknown table or key is an error naming it, because a misspelt
`libary = ...` that silently fell back to the shipped library would build agreements from the
wrong text. Settings are grouped in tables by concern: `[paths]`, and `[signing]` with the trust
roots that make a signer "trusted" when evidence of signing is verified; later settings get
tables of their own by adding them to `SCHEMA`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ._files import read_text
from .errors import WorkspaceError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE_NAME = "msa.toml"

# Each table of msa.toml: its keys and their defaults (what `msa init` writes, and what an absent
# key means). Every value here is a path relative to the workspace (an absolute path also works).
PATHS: dict[str, str] = {
    "library": "clause_library",
    "templates": "templates",
    "provider": "provider.yaml",
    "clients": "clients",
    "out": "out",
    "ledger": "ledger.sqlite",
}
PATH_HELP: dict[str, str] = {
    "library": "the clause library (library.yaml, released.json, slots/)",
    "templates": "the Word templates (agreement.docx, review-memo.docx, redline.docx)",
    "provider": "your company's details, named in every agreement",
    "clients": "one profile per client; `msa batch` and `msa status` read this folder",
    "out": "built agreements, one folder per client (not kept in git)",
    "ledger": "every generated agreement and its way to a signature (SQLite)",
}
SIGNING: dict[str, str] = {"trust": "trust"}
SIGNING_HELP: dict[str, str] = {
    "trust": "CA certificates (a .pem/.crt/.der file, or a folder of them) whose signers count as trusted",
}
SCHEMA: dict[str, dict[str, str]] = {"paths": PATHS, "signing": SIGNING}
_CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".der")


@dataclass(frozen=True)
class Workspace:
    """A workspace folder and the settings its msa.toml gives (defaults filled in)."""

    root: Path
    paths: dict[str, str]
    signing: dict[str, str] = field(default_factory=lambda: dict(SIGNING))

    @property
    def file(self) -> Path:
        return self.root / FILE_NAME

    def path(self, name: str) -> Path:
        """The path the workspace gives for `name` (library, templates, provider, clients, out, ledger)."""
        return self.root / self.paths[name]

    def existing(self, name: str, *, folder: bool) -> Path:
        """`path(name)`, which must exist: an error naming msa.toml's key otherwise."""
        path = self.path(name)
        if folder and not path.is_dir():
            raise WorkspaceError(f"{self.paths[name]!r} is not a folder ({PATH_HELP[name]})", file=str(self.file),
                                 field=f"paths.{name}", hint="fix the path in msa.toml, or restore the folder")
        if not folder and not path.is_file():
            raise WorkspaceError(f"{self.paths[name]!r} is not a file ({PATH_HELP[name]})", file=str(self.file),
                                 field=f"paths.{name}", hint="fix the path in msa.toml, or restore the file")
        return path

    @property
    def library(self) -> Path:
        return self.existing("library", folder=True)

    @property
    def templates(self) -> Path:
        return self.existing("templates", folder=True)

    @property
    def provider(self) -> Path:
        return self.existing("provider", folder=False)

    @property
    def clients(self) -> Path:
        return self.existing("clients", folder=True)

    @property
    def out(self) -> Path:
        return self.path("out")

    @property
    def ledger(self) -> Path:
        return self.path("ledger")

    @property
    def trust(self) -> list[Path]:
        """The CA certificates `[signing] trust` names: a file, or every certificate in a folder; none if absent."""
        path = self.root / self.signing["trust"]
        if path.is_dir():
            return sorted(p for p in path.iterdir() if p.suffix.lower() in _CERTIFICATE_SUFFIXES and p.is_file())
        return [path] if path.is_file() else []


def _line(exc: Exception) -> int | None:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def parse_settings(text: str, *, source: str) -> dict[str, str]:
    """Validate msa.toml's text; returns the `[paths]` settings with defaults filled in."""
    return parse_tables(text, source=source)["paths"]


def parse_tables(text: str, *, source: str) -> dict[str, dict[str, str]]:
    """Validate msa.toml's text; returns every table's settings with defaults filled in."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise WorkspaceError(f"invalid TOML: {message}", file=source, line=_line(exc)) from None
    for table, value in data.items():
        if table not in SCHEMA:
            raise WorkspaceError(f"unknown setting {table!r}", file=source, field=table,
                                 allowed=[f"[{name}]" for name in SCHEMA])
        if not isinstance(value, dict):
            raise WorkspaceError(f"{table!r} must be a table ([{table}])", file=source, field=table)
        for key, setting in value.items():
            if key not in SCHEMA[table]:
                raise WorkspaceError(f"unknown setting {key!r}", file=source, field=f"{table}.{key}",
                                     allowed=list(SCHEMA[table]))
            if not isinstance(setting, str) or not setting.strip():
                raise WorkspaceError(f"must be a path, as a non-empty string (got {setting!r})", file=source,
                                     field=f"{table}.{key}")
    return {table: {**defaults, **{k: v.strip() for k, v in data.get(table, {}).items()}}
            for table, defaults in SCHEMA.items()}


def load_workspace(folder: Path) -> Workspace:
    """The workspace in `folder` (or the msa.toml file itself), strictly validated."""
    path = folder if folder.name == FILE_NAME and not folder.is_dir() else folder / FILE_NAME
    if not path.exists():
        raise WorkspaceError("not a workspace: msa.toml is missing", file=str(path.parent),
                             hint="create one with `msa init DIR`, or name the folder holding msa.toml")
    text = read_text(path, error=WorkspaceError, what="msa.toml")
    tables = parse_tables(text, source=str(path))
    return Workspace(root=path.parent, paths=tables["paths"], signing=tables["signing"])


def find_workspace(start: Path | None = None) -> Path | None:
    """The nearest folder holding msa.toml, walking up from `start` (the current directory), as git does.

    The folder is returned relative to the current directory when the walk starts there (`.`,
    `..`, `../..`), so the paths built from it read as a user would type them.
    """
    here = Path.cwd() if start is None else start
    absolute = here.resolve()
    for depth, folder in enumerate([absolute, *absolute.parents]):
        if (folder / FILE_NAME).is_file():
            if start is None:
                return Path(*([".."] * depth)) if depth else Path(".")
            return folder
    return None


def discover(explicit: Path | None = None, *, start: Path | None = None) -> Workspace | None:
    """The workspace a command uses: `--workspace DIR` when given, else the one around the current directory."""
    if explicit is not None:
        return load_workspace(explicit)
    found = find_workspace(start)
    return load_workspace(found) if found is not None else None


def settings_text(paths: dict[str, str] | None = None) -> str:
    """msa.toml as `msa init` writes it: every setting, each with what it is for."""
    values = {**PATHS, **(paths or {})}
    lines = ["# msa-builder workspace: every `msa` command run in this folder (or below it) uses these.",
             "# Paths are relative to this file. Command-line options still override them.", "", "[paths]"]
    for key, value in values.items():
        lines.append(f"# {PATH_HELP[key]}")
        lines.append(f"{key} = {_toml_string(value)}")
    lines += ["", "[signing]"]
    for key, value in SIGNING.items():
        lines.append(f"# {SIGNING_HELP[key]}")
        lines.append(f"{key} = {_toml_string(value)}")
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'

