"""`msa compare` says why clauses changed (their library's changelog) and names each side by what it is."""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from msa_builder.library.load import load_library
from msa_builder.library.loader import FileSystemLoader
from msa_builder.ooxml.package import read_parts
from msa_builder.redline import compare_builds, render
from redline.conftest import HARBOR, REPO, _build
from redline.wordxml import W, document, paragraph_text, style

DECLINED = "Section 3.5 Declined Controls: declined@1.0.0 \u2192 declined@2.0.0"
EXCLUSIONS = "Section 2.2 Exclusions: standard@1.0.0 \u2192 standard@1.1.0"
SHIPPED = load_library(FileSystemLoader(REPO / "msa_builder" / "data" / "clause_library")).manifest.version
NEXT = f"{SHIPPED.rsplit('.', 1)[0]}.{int(SHIPPED.rsplit('.', 1)[1]) + 1}"  # the shipped library released once more
SHIPPED_SOURCE = f"msa-builder-standard {SHIPPED}, the library of the new build"


def changelog_of(library, key: str) -> str:
    slot, _, rest = key.partition(":")
    variant, _, version = rest.partition("@")
    clause = library.find(slot, variant, version)
    assert clause is not None, key
    return clause.meta.changelog


def test_the_text_lists_each_changed_clause_with_its_versions_and_changelog(as_of_builds, shipped_library):
    old, new = as_of_builds
    text = render(compare_builds(old.lock, new.lock), "text").decode("utf-8").splitlines()
    assert f"Changelog from the clause library {SHIPPED_SOURCE}." in text
    start = text.index(DECLINED)
    key = "security.declined_controls:declined@2.0.0"
    assert text[start + 1] == f"# {key}: {changelog_of(shipped_library, key)}"
    assert text[text.index(EXCLUSIONS) + 1].startswith("# scope.out_of_scope:standard@1.1.0: Adds three exclusions")
    titles = [line for line in text if re.match(r"^(Section|Preamble)[^:]*: \S+@\S+ \u2192 ", line)]
    assert len(titles) == 7, "one line per clause whose version changed"


def test_the_html_page_lists_the_changelog(as_of_builds, shipped_library):
    old, new = as_of_builds
    page = render(compare_builds(old.lock, new.lock), "html").decode("utf-8")
    key = "security.declined_controls:declined@2.0.0"
    section = page[page.index(f"<h3>{html.escape(DECLINED)}</h3>"):]
    assert section.startswith(f'<h3>{html.escape(DECLINED)}</h3><ul class="changelog"><li><b>{key}</b>: '
                              f"{html.escape(changelog_of(shipped_library, key))}</li></ul>")
    assert page.index("<h2>Changes</h2>") < page.index("<h2>Changelog</h2>") < page.index("<h3>")


def cover(data: bytes) -> list[tuple[str | None, str]]:
    """(style, text) of the redline's cover, up to its page break."""
    out = []
    for p in document(data).find(f"{W}body"):
        if p.tag != f"{W}p":
            continue
        if p.find(f".//{W}br[@{W}type='page']") is not None:
            break
        out.append((style(p), paragraph_text(p)))
    return out


def test_the_docx_summary_lists_the_changelog(as_of_builds, shipped_library):
    old, new = as_of_builds
    paragraphs = cover(render(compare_builds(old.lock, new.lock), "docx"))
    texts = [text for _, text in paragraphs]
    start = texts.index(DECLINED)
    key = "security.declined_controls:declined@2.0.0"
    assert paragraphs[start] == ("RedlineSummary", DECLINED)
    assert paragraphs[start + 1] == ("RedlineNote", f"{key}: {changelog_of(shipped_library, key)}")
    assert texts.index("Changes") < texts.index("Changelog") < start
    assert f"Changelog from the clause library {SHIPPED_SOURCE}." in texts


def test_every_version_in_between_is_listed_and_a_downgrade_is_undone(as_of_builds, build_options, tmp_path,
                                                                      shipped_library):
    """January's build against one as of December: declined 1.0.0 -> 3.0.0 passes 2.0.0."""
    old, _ = as_of_builds
    december = _build(HARBOR, tmp_path / "december", replace(build_options, as_of=date(2026, 12, 1)))
    forward = compare_builds(old.lock, december.lock).changelog
    declined = next(c for c in forward.clauses if c.slot == "security.declined_controls")
    assert [key for key, _ in declined.entries] == ["security.declined_controls:declined@2.0.0",
                                                   "security.declined_controls:declined@3.0.0"]
    backward = compare_builds(december.lock, old.lock).changelog
    declined = next(c for c in backward.clauses if c.slot == "security.declined_controls")
    assert [key for key, _ in declined.entries] == ["security.declined_controls:declined@3.0.0 (undone)",
                                                   "security.declined_controls:declined@2.0.0 (undone)"]
    assert declined.entries[0][1] == changelog_of(shipped_library, "security.declined_controls:declined@3.0.0")


def newer_library(folder: Path) -> Path:
    """The shipped library released once more (NEXT) with Exclusions 1.2.0, effective 2026-07-01."""
    library = Path(shutil.copytree(REPO / "msa_builder" / "data" / "clause_library", folder))
    manifest = library / "library.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(f"version: {SHIPPED}", f"version: {NEXT}", 1),
                        encoding="utf-8")
    source = library / "slots" / "scope.out_of_scope" / "standard" / "1.1.0.md"
    text = source.read_text(encoding="utf-8")
    text = text.replace("version: 1.1.0", "version: 1.2.0", 1).replace("effective: 2026-06-01", "effective: 2026-07-01")
    text = re.sub(r"changelog: >-\n(  .*\n)+", "changelog: Names the hourly rate in words as well.\n", text, count=1)
    source.with_name("1.2.0.md").write_text(text + "\nThe rate is one hundred and seventy-five dollars.\n",
                                            encoding="utf-8")
    return library


def test_the_changelog_comes_from_the_newer_of_the_two_libraries(as_of_builds, build_options, tmp_path):
    old, _ = as_of_builds  # the shipped library
    library = load_library(FileSystemLoader(newer_library(tmp_path / "library")))
    new = _build(HARBOR, tmp_path / "new", replace(build_options, library=library, as_of=date(2026, 11, 30)))
    forward = compare_builds(old.lock, new.lock).changelog
    assert forward.source == f"msa-builder-standard {NEXT}, the library of the new build"
    exclusions = next(c for c in forward.clauses if c.slot == "scope.out_of_scope")
    assert exclusions.title() == "Section 2.2 Exclusions: standard@1.0.0 \u2192 standard@1.2.0"
    assert [key for key, _ in exclusions.entries] == ["scope.out_of_scope:standard@1.1.0",
                                                     "scope.out_of_scope:standard@1.2.0"]
    # Backwards the old build's library is the newer one: only it knows 1.2.0.
    backward = compare_builds(new.lock, old.lock).changelog
    assert backward.source == f"msa-builder-standard {NEXT}, the library of the old build"
    exclusions = next(c for c in backward.clauses if c.slot == "scope.out_of_scope")
    assert exclusions.entries[0] == ("scope.out_of_scope:standard@1.2.0 (undone)",
                                     "Names the hourly rate in words as well.")


def test_without_a_library_the_changelog_says_why_and_the_redline_is_unchanged(as_of_builds, tmp_path):
    old, new = as_of_builds
    copies = [Path(shutil.copytree(b.lock.parent, tmp_path / side)) for side, b in (("old", old), ("new", new))]
    docx = [folder / b.docx.name for folder, b in zip(copies, (old, new), strict=True)]
    for folder in copies:
        for lock in folder.glob("*-lock.json"):
            lock.unlink()  # a DOCX sent on its own: nothing beside it says where its library was
    bare = compare_builds(*docx)
    assert bare.changelog.problem.startswith("a DOCX, or a lock file from before")
    assert [c.title() for c in bare.changelog.clauses] == [c.title() for c in compare_builds(old.lock, new.lock)
                                                           .changelog.clauses]
    assert all(c.entries == () for c in bare.changelog.clauses)
    assert "Changelog: not available (a DOCX" in render(bare, "text").decode("utf-8")
    with_library = compare_builds(old.lock, new.lock)
    assert bare.summary() == with_library.summary()
    assert [(s.kind, (s.new or s.old).key) for s in bare.steps] == [(s.kind, (s.new or s.old).key)
                                                                     for s in with_library.steps]


def test_a_docx_beside_its_lock_gets_the_same_changelog_as_the_lock(as_of_builds):
    old, new = as_of_builds
    from_docx = compare_builds(old.docx, new.docx).changelog
    assert from_docx.source == SHIPPED_SOURCE and not from_docx.problem
    assert any(clause.entries for clause in from_docx.clauses)
    assert from_docx == compare_builds(old.lock, new.lock).changelog


def test_a_new_version_printing_the_same_words_is_listed_and_says_so(as_of_builds, build_options, tmp_path):
    """December's library moves values into parameters: new versions, the same words for this client."""
    old, _ = as_of_builds
    december = _build(HARBOR, tmp_path / "december", replace(build_options, as_of=date(2026, 12, 1)))
    redline = compare_builds(old.lock, december.lock)
    changed = {line.rsplit(": ", 1)[0] for line in redline.summary()}
    backup = next(c for c in redline.changelog.clauses if c.slot == "backup.recovery")
    assert backup.same_text and backup.name not in changed
    assert backup.title() == ("Section 3.8 Backup and Recovery: standard@1.0.0 \u2192 standard@1.1.0 "
                              "(no change in the text)")
    assert [key for key, _ in backup.entries] == ["backup.recovery:standard@1.1.0"]
    assert all(c.same_text == (c.name not in changed) for c in redline.changelog.clauses)
    assert backup.title() in render(redline, "text").decode("utf-8").splitlines()


def test_a_library_folder_gone_since_the_build_leaves_the_changelog_out_and_says_why(as_of_builds, build_options,
                                                                                    tmp_path):
    old, _ = as_of_builds
    folder = newer_library(tmp_path / "library")
    new = _build(HARBOR, tmp_path / "new", replace(build_options, library=load_library(FileSystemLoader(folder)),
                                                   as_of=date(2026, 11, 30)))
    shutil.rmtree(folder)
    redline = compare_builds(old.lock, new.lock)
    # The old build's (shipped) library still answers, and the header says whose it is.
    assert redline.changelog.source == f"msa-builder-standard {SHIPPED}, the library of the old build"
    exclusions = next(c for c in redline.changelog.clauses if c.slot == "scope.out_of_scope")
    assert exclusions.entries == () and exclusions.missing == (
        f"msa-builder-standard {SHIPPED} has no standard@1.2.0 of scope.out_of_scope")
    assert f"# no changelog: msa-builder-standard {SHIPPED} has no standard@1.2.0 of scope.out_of_scope" in \
        render(redline, "text").decode("utf-8").splitlines()
    both_gone = compare_builds(new.lock, new.lock)
    assert both_gone.summary() == [] and both_gone.changelog.clauses == ()


def test_a_broken_lock_beside_a_docx_is_passed_over(as_of_builds, tmp_path):
    old, new = as_of_builds
    folder = Path(shutil.copytree(new.lock.parent, tmp_path / "new"))
    (folder / "aaa-lock.json").write_bytes(b"\xff{not json")
    (folder / "bbb-lock.json").write_text('{"bom_sha256": 1}', encoding="utf-8")
    assert compare_builds(old.docx, folder / new.docx.name).changelog == compare_builds(old.lock, new.lock).changelog


@pytest.mark.parametrize("fmt", ["text", "html", "docx"])
def test_each_side_is_named_by_its_id_library_and_date_never_by_a_path(as_of_builds, fmt):
    old, new = as_of_builds
    redline = compare_builds(old.lock, new.lock)
    old_id, new_id = redline.old.properties["msa.agreement_id"], redline.new.properties["msa.agreement_id"]
    assert old_id != new_id, "two builds of different terms carry different ids"
    data = render(redline, fmt)
    if fmt == "docx":
        parts = read_parts(data)
        shown = [text for _, text in cover(data)]
        everything = "\n".join(part.decode("utf-8", "replace") for part in parts.values())
    else:
        shown = data.decode("utf-8").splitlines()
        everything = data.decode("utf-8")
    for prefix, ident, as_of in (("Old", old_id, "2026-01-01"), ("New", new_id, "2026-11-30")):
        expected = (f"{ident} for Harbor &amp; Finch LLP: library msa-builder-standard {SHIPPED}, clauses as of "
                    f"{as_of}, draft") if fmt == "html" else (
            f"{ident} for Harbor & Finch LLP: library msa-builder-standard {SHIPPED}, clauses as of {as_of}, draft")
        header = {"text": f"{'---' if prefix == 'Old' else '+++'} {expected}",
                  "html": f'<p class="meta">{prefix}: {expected}</p>', "docx": f"{prefix}: {expected}"}[fmt]
        assert (header in everything) if fmt == "html" else (header in shown)
    for build in (old, new):
        assert str(build.lock.parent) not in everything
        assert str(build.lock.parent.parent) not in everything
