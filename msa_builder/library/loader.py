"""Where library files come from: a folder on disk, or a dict in memory for tests.

Modelled on Jinja's loaders: the library code asks a loader for files by relative path and
never touches the file system itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..errors import LibraryError


class LibraryLoader(Protocol):
    """Lists and reads the files of one clause library by relative POSIX path."""

    @property
    def location(self) -> str: ...

    def list_files(self) -> list[str]: ...

    def read(self, relpath: str) -> bytes: ...

    def describe(self, relpath: str) -> str:
        """How to name the file in an error message."""
        ...


class FileSystemLoader:
    """A library stored as a folder (the shipped `clause_library/`, or a provider's copy)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        if not (self.root / "library.yaml").is_file():
            raise LibraryError("not a clause library: library.yaml is missing", file=str(self.root),
                               hint="point --library at a folder holding library.yaml and slots/")

    @property
    def location(self) -> str:
        return str(self.root)

    def list_files(self) -> list[str]:
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in self.root.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(self.root).parts)
        )

    def read(self, relpath: str) -> bytes:
        try:
            return (self.root / relpath).read_bytes()
        except OSError as exc:
            raise LibraryError(f"cannot read: {exc.strerror}", file=self.describe(relpath)) from None

    def describe(self, relpath: str) -> str:
        return str(self.root / relpath)


class DictLoader:
    """A library held in memory: `{relative path: text}`. Useful for unit tests."""

    def __init__(self, files: dict[str, str | bytes], location: str = "<memory>") -> None:
        self.files = {k: v.encode("utf-8") if isinstance(v, str) else v for k, v in files.items()}
        self._location = location

    @property
    def location(self) -> str:
        return self._location

    def list_files(self) -> list[str]:
        return sorted(self.files)

    def read(self, relpath: str) -> bytes:
        try:
            return self.files[relpath]
        except KeyError:
            raise LibraryError("no such file", file=self.describe(relpath)) from None

    def describe(self, relpath: str) -> str:
        return f"{self._location}/{relpath}"
