"""Fixtures for the redline tests: rendered clause texts and real builds to compare."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from msa_builder.blocks import block_lines, map_refs, parse_markdown
from msa_builder.context import sample_context
from msa_builder.library.load import load_library
from msa_builder.library.loader import FileSystemLoader
from msa_builder.library.model import ClauseVersion, Library
from msa_builder.templating import render_clause

REPO = Path(__file__).resolve().parents[2]
HARBOR = REPO / "samples" / "harbor-finch.yaml"

# Every slot of the shipped library with two versions of one variant.
TWO_VERSIONS = [
    ("scope.out_of_scope:standard@1.0.0", "scope.out_of_scope:standard@1.1.0"),
    ("insurance.client_cyber:standard@1.0.0", "insurance.client_cyber:standard@1.1.0"),
    ("liability.limitation:standard@1.0.0", "liability.limitation:standard@1.1.0"),
    ("data.breach_notification:standard@1.0.0", "data.breach_notification:standard@1.1.0"),
    ("governance.business_reviews:standard@1.0.0", "governance.business_reviews:standard@1.1.0"),
    ("security.declined_controls:declined@1.0.0", "security.declined_controls:declined@2.0.0"),
    ("term.renewal:standard@1.0.0", "term.renewal:standard@1.1.0"),
    ("agreement.parties:standard@1.0.0", "agreement.parties:standard@1.1.0"),
]


def clause_lines(library: Library, clause: ClauseVersion) -> list[str]:
    """The clause as the sample client gets it, through blocks.block_lines (the project's text extractor)."""
    labels = library.manifest.outline.labels()
    blocks = parse_markdown(render_clause(clause, sample_context(library)), where=clause.path)
    blocks = map_refs(blocks, lambda ref: replace(ref, label=labels[ref.target]))
    return [clause.meta.title] + block_lines(blocks)


def find(library: Library, ref: str) -> ClauseVersion:
    slot, _, version = ref.partition("@")
    slot, _, variant = slot.partition(":")
    clause = library.find(slot, variant or None, version)
    assert clause is not None, ref
    return clause


@dataclass(frozen=True)
class Built:
    lock: Path
    docx: Path
    agreement: Any


def _build(profile: Path, out: Path, options: Any) -> Built:
    from msa_builder.outputs import build

    result = build(profile, out, options)
    docx = next(p for name, p in result.files.items() if name.endswith("-msa.docx"))
    lock = next(p for name, p in result.files.items() if name.endswith("-lock.json"))
    return Built(lock, docx, result.agreement)


@pytest.fixture(scope="session")
def as_of_builds(tmp_path_factory: pytest.TempPathFactory, build_options: Any) -> tuple[Built, Built]:
    """Harbor & Finch built with the clauses of January 2026 and with those of November 2026 (the
    2026.06 changes): six sections change version between the two. (Library 2026.12's versions,
    effective 2026-12-01, change most sections; the redline tests want a few.)"""
    root = tmp_path_factory.mktemp("as-of-builds")
    old = _build(HARBOR, root / "old", replace(build_options, as_of=date(2026, 1, 1)))
    new = _build(HARBOR, root / "new", replace(build_options, as_of=date(2026, 11, 30)))
    return old, new


def move_section(library_dir: Path) -> None:
    """Move security.no_guarantee from Article 3 to Article 9 (after the warranty disclaimer)."""
    manifest = library_dir / "library.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "        - security.no_guarantee\n" in text
    text = text.replace("        - security.no_guarantee\n", "", 1)
    text = text.replace("        - warranty.disclaimer\n",
                        "        - warranty.disclaimer\n        - security.no_guarantee\n", 1)
    manifest.write_text(text.replace("version: 2026.12.1", "version: 2026.12.2"), encoding="utf-8")


@pytest.fixture(scope="session")
def moved_builds(tmp_path_factory: pytest.TempPathFactory, build_options: Any) -> tuple[Built, Built]:
    """The same client built from the shipped library and from a copy that moves one section."""
    root = tmp_path_factory.mktemp("moved-builds")
    library_dir = Path(shutil.copytree(REPO / "msa_builder" / "data" / "clause_library", root / "library"))
    move_section(library_dir)
    moved = load_library(FileSystemLoader(library_dir))
    old = _build(HARBOR, root / "old", build_options)
    new = _build(HARBOR, root / "new", replace(build_options, library=moved))
    return old, new


@pytest.fixture(scope="session")
def libreoffice() -> Any:
    """One headless LibreOffice for the session that presses Accept All and Reject All (libreoffice.py)."""
    from redline.libreoffice import LibreOffice, available

    reason = available()
    if reason is not None:
        pytest.skip(reason)
    office = LibreOffice()
    yield office
    office.close()
