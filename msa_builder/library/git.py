"""A clause library as it was at a git revision: `REV:PATH`, in git's own notation.

A provider keeps its library in git, so "the library we released in November" is a revision, not
a folder; `msa diff --library v2026.11.0:clause_library clause_library` compares it with today's
without a second checkout. `git archive` exports the tree in one process, and the files are served
from memory through the in-memory loader.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

from ..errors import LibraryError
from .loader import DictLoader

HINT = "name a library folder, or a git revision and the library's path in it: REV:PATH, e.g. HEAD~1:clause_library"


def looks_like_revision(spec: str) -> bool:
    """`REV:PATH` rather than a folder (a folder that exists always wins)."""
    return ":" in spec and not Path(spec).exists()


def git_loader(spec: str, *, cwd: Path | None = None) -> DictLoader:
    """The library files of tree `REV:PATH` of the git repository around `cwd`."""
    if spec.startswith("-"):
        # git would read it as an option: `--output=FILE:x` once made `git archive` write a file.
        raise LibraryError("a git revision cannot start with '-'", file=spec, hint=HINT)
    git = shutil.which("git")
    if git is None:
        raise LibraryError("reading a library from a git revision needs git, which is not on PATH", file=spec,
                           hint=HINT)
    try:
        result = subprocess.run([git, "archive", "--format=tar", "--end-of-options", spec], cwd=cwd or Path.cwd(),
                                capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LibraryError(f"git could not export the library: {exc}", file=spec, hint=HINT) from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LibraryError(f"git cannot read {spec!r}: {message[-1] if message else 'unknown error'}", file=spec,
                           hint=HINT)
    files: dict[str, str | bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        for member in archive.getmembers():
            extracted = archive.extractfile(member) if member.isfile() else None
            if extracted is not None:
                files[member.name] = extracted.read()
    if "library.yaml" not in files:
        raise LibraryError("not a clause library at that revision: library.yaml is missing", file=spec, hint=HINT)
    return DictLoader(files, location=spec)
