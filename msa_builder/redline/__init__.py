"""Redlines for attorneys: clause, library and agreement changes as Word tracked changes.

Three comparisons, each rendered as text (a word-level unified diff), HTML (side by side) or DOCX
(real `w:ins`/`w:del` revisions, so Word's and LibreOffice's Accept/Reject work):
- `diff_clauses`: two versions (or variants) of one clause, rendered with sample or real values;
- `diff_libraries`: a release note between two library folders;
- `compare_builds`: two builds of a client's agreement, aligned section by section.
"""

from __future__ import annotations

from pathlib import Path
from typing import Union

from .._files import atomic_write_set
from ..errors import RenderError
from ..library.git import git_loader, looks_like_revision
from ..library.load import load_library, open_library
from ..library.model import Library
from .clause_diff import ClauseRedline, clause_redline, profile_render_context
from .compare import AgreementRedline, compare_builds
from .docx import DEFAULT_AUTHOR, agreement_docx, clause_docx, library_docx
from .html import agreement_html, clause_html, library_html
from .library_diff import LibraryRedline, library_redline
from .text import agreement_text, clause_text, library_text

FORMATS = ("text", "html", "docx")
_SUFFIXES = {".docx": "docx", ".html": "html", ".htm": "html"}
Redline = Union[ClauseRedline, LibraryRedline, AgreementRedline]

__all__ = ["DEFAULT_AUTHOR", "FORMATS", "AgreementRedline", "ClauseRedline", "LibraryRedline", "Redline",
           "compare_builds", "diff_clauses", "diff_libraries", "format_for", "render", "write"]


def diff_clauses(old_ref: str, new_ref: str, *, library_dir: Path | str | None = None, variant: str | None = None,
                 profile: Path | str | None = None, provider: Path | str | None = None) -> ClauseRedline:
    """`msa diff SLOT@V1 SLOT@V2`: two clause versions of one library."""
    library = open_library(library_dir)
    context = profile_render_context(library, profile, provider_path=provider) if profile else None
    return clause_redline(library, old_ref, new_ref, variant=variant, context=context)


def diff_libraries(old: Path | str, new: Path | str, *, profile: Path | str | None = None) -> LibraryRedline:
    """`msa diff --library OLD NEW`: everything that changed between two library versions.

    Each is a library folder, or a git revision of one in git's `REV:PATH` notation.
    """
    return library_redline(_open(old), _open(new), profile=profile)


def _open(spec: Path | str) -> Library:
    if looks_like_revision(str(spec)):
        return load_library(git_loader(str(spec)))
    return open_library(spec)


def format_for(output: Path | None, fmt: str | None) -> str:
    """The format asked for, else the output file's extension says, else text."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise RenderError(f"unknown redline format {fmt!r}", field="--format", allowed=FORMATS)
        return fmt
    if output is not None:
        return _SUFFIXES.get(output.suffix.lower(), "text")
    return "text"


def render(redline: Redline, fmt: str, *, clean: bool = False, author: str = DEFAULT_AUTHOR,
           context: int = 1) -> bytes:
    """The redline in one format, as bytes (UTF-8 for text and HTML)."""
    if clean and fmt != "docx":
        raise RenderError("a clean view is a Word document", field="--clean", allowed=("docx",))
    if fmt == "docx":
        if isinstance(redline, ClauseRedline):
            return clause_docx(redline, clean=clean, author=author)
        if isinstance(redline, LibraryRedline):
            return library_docx(redline, clean=clean, author=author)
        return agreement_docx(redline, clean=clean, author=author)
    if fmt == "html":
        if isinstance(redline, ClauseRedline):
            return clause_html(redline).encode("utf-8")
        if isinstance(redline, LibraryRedline):
            return library_html(redline).encode("utf-8")
        return agreement_html(redline).encode("utf-8")
    if fmt == "text":
        if isinstance(redline, ClauseRedline):
            return clause_text(redline, context=context).encode("utf-8")
        if isinstance(redline, LibraryRedline):
            return library_text(redline, context=context).encode("utf-8")
        return agreement_text(redline, context=context).encode("utf-8")
    raise RenderError(f"unknown redline format {fmt!r}", field="--format", allowed=FORMATS)


def clean_path(output: Path) -> Path:
    """Where the clean view goes: beside the redline, `NAME-clean.docx`."""
    return output.with_name(f"{output.stem}-clean{output.suffix}")


def write(redline: Redline, output: Path, fmt: str, *, clean: bool = False, author: str = DEFAULT_AUTHOR,
          context: int = 1) -> list[Path]:
    """Write the redline (and, with `clean`, its clean view beside it); returns the paths written."""
    if clean and fmt != "docx":
        raise RenderError("a clean view is a Word document", field="--clean", allowed=("docx",))
    files = {output: render(redline, fmt, author=author, context=context)}
    if clean:
        files[clean_path(output)] = render(redline, fmt, clean=True, author=author)
    atomic_write_set(files)
    return list(files)

