"""`msa library lint`: everything that can be checked about a library without a client.

Schema and release hashes; template syntax and variables (each body is also rendered once
against a sample client); rule syntax; which variant every plausible profile selects, so that
overlaps, gaps and unreachable variants show up before a sales engineer meets them; defined
terms; and cross-references. Lint sits above selection in the flow: it simulates builds.
"""

from __future__ import annotations

from pathlib import Path

from ..blocks import block_lines, parse_markdown
from ..context import sample_context
from ..errors import MsaError
from ..library.load import load_library
from ..library.loader import FileSystemLoader, LibraryLoader
from ..library.model import semver_key
from ..library.release import check_released
from ..paths import default_library
from ..templating import render_clause
from .clauses import check_refs, check_terms, check_variables
from .finding import Finding
from .legal import run_legal_checks
from .simulate import Draft, check_selection
from .variables import allowed_variables

__all__ = ["Finding", "lint_library"]


def lint_library(loader: LibraryLoader | str | None = None) -> list[Finding]:
    """Every problem in a library, errors first. An empty list means the library is clean."""
    findings: list[Finding] = []

    unloadable: set[str] = set()

    def collect(problem: MsaError) -> None:
        unloadable.add(problem.file or "?")
        findings.append(Finding("error", problem.file or "?", problem.message +
                                (f" ({problem.field})" if problem.field else "")
                                + (f" [line {problem.line}]" if problem.line else "")))

    try:
        if loader is None or isinstance(loader, (str, Path)):
            loader = FileSystemLoader(loader or default_library())
        library = load_library(loader, report=collect)
    except MsaError as exc:
        return [Finding("error", exc.file or "?", exc.message + (f" ({exc.field})" if exc.field else ""))]
    # A released file that failed to load is reported above; it was not deleted.
    failed = {path for path in loader.list_files() if loader.describe(path) in unloadable}
    findings += [Finding("error", p.path, p.message) for p in check_released(library) if p.path not in failed]
    allowed = allowed_variables(library.manifest)
    outline_slots = {e.slot for _, e in library.manifest.outline.entries()}
    sample = sample_context(library)
    for version in library.versions():
        findings += check_variables(version, allowed)
        findings += check_refs(version, outline_slots)
        try:
            blocks = parse_markdown(render_clause(version, sample), where=version.path)
            if "{.conspicuous}" in "\n".join(block_lines(blocks)):
                # Jinja's trim_blocks eats the line break after a `{% ... %}` tag, so an attribute
                # right after one joins the paragraph above instead of marking the next block.
                findings.append(Finding("error", version.path, "a {.conspicuous} attribute is printed as text: "
                                        "it must stand on its own line after a blank line (leave two line "
                                        "breaks after a {% ... %} tag)"))
        except MsaError as exc:
            findings.append(Finding("error", version.path, exc.message))
        previous = [v for v in library.slots[version.meta.id].variants[version.meta.variant].versions
                    if semver_key(v.meta.version) < semver_key(version.meta.version)]
        if previous and previous[-1].meta.effective > version.meta.effective:
            findings.append(Finding("warning", version.path, "is effective before the version it replaces"))
    for slot_id in sorted(set(library.slots) - outline_slots):
        findings.append(Finding("warning", library.location, f"slot {slot_id!r} is not in the outline and is never used"))
    findings += check_terms(library)
    drafts: list[Draft] = []
    findings += check_selection(library, drafts)
    if library.manifest.lint.legal_checks:
        findings += run_legal_checks(library, drafts)
    # Several checks can trip over the same fault (a syntax error breaks parsing and rendering).
    return sorted(set(findings), key=lambda f: (f.level != "error", f.file, f.message))
