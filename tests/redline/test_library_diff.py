"""`msa diff --library OLD NEW`: the release note between two library folders, with every change's redline."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from msa_builder.library.load import load_library
from msa_builder.library.loader import FileSystemLoader
from msa_builder.redline.docx import library_docx
from msa_builder.redline.html import library_html
from msa_builder.redline.library_diff import ADDED, CHANGED, EDITED, REMOVED, library_redline
from msa_builder.redline.text import library_text
from redline.conftest import REPO, clause_lines
from redline.wordxml import W, body_lines, document, revisions

SHIPPED = REPO / "msa_builder" / "data" / "clause_library"


def new_version(library: Path, slot: str, variant: str, old: str, new: str, *, edit: tuple[str, str],
                status: str = "approved") -> None:
    source = (library / "slots" / slot / variant / f"{old}.md").read_text(encoding="utf-8")
    front, _, body = source[4:].partition("\n---\n")
    meta = yaml.safe_load(front)
    meta.update(version=new, effective="2026-12-01", status=status, changelog=f"Changes {slot} for the test.")
    assert edit[0] in body
    text = "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n" + body.replace(*edit)
    (library / "slots" / slot / variant / f"{new}.md").write_text(text, encoding="utf-8")


@pytest.fixture
def release(library_copy: Path) -> Path:
    """A next release of the shipped library: one clause revised, one slot added, one removed, one
    parameter changed."""
    new_version(library_copy, "fees.suspension", "standard", "1.1.0", "1.2.0",
                edit=("in full within {{ params.suspension_notice_days }} after the notice",
                      "in full within 5 Business Days after the notice"))
    (library_copy / "slots" / "general.publicity" / "standard").mkdir(parents=True)
    (library_copy / "slots" / "general.publicity" / "standard" / "1.0.0.md").write_text(
        "---\nid: general.publicity\nvariant: standard\nversion: 1.0.0\ntitle: Publicity\nstatus: draft\n"
        "effective: 2026-12-01\napplies_when: \"true\"\nchangelog: First release.\n---\n"
        "Neither Party may name the other in publicity without its written consent.\n", encoding="utf-8")
    shutil.rmtree(library_copy / "slots" / "general.non_solicitation")
    manifest = library_copy / "library.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "        - {slot: general.non_solicitation, optional: true}\n" in text
    text = text.replace("        - {slot: general.non_solicitation, optional: true}\n", "")
    text = text.replace("version: 2026.12.1", "version: 2026.12.2")
    manifest.write_text(text, encoding="utf-8")
    return library_copy


def load(path: Path):
    return load_library(FileSystemLoader(path))


def test_release_note_names_added_removed_and_changed_slots(release):
    redline = library_redline(load(SHIPPED), load(release))
    assert redline.added_slots == ("general.publicity",)
    assert redline.removed_slots == ("general.non_solicitation",)
    assert redline.changed_slots == ("fees.suspension",)
    kinds = {(c.slot, c.kind) for c in redline.changes}
    assert kinds == {("fees.suspension", CHANGED), ("general.publicity", ADDED), ("general.non_solicitation", REMOVED)}
    changed = next(c for c in redline.changes if c.kind == CHANGED)
    assert changed.redline.changelog == (("fees.suspension:standard@1.2.0", "Changes fees.suspension for the test."),)
    assert changed.describe() == "fees.suspension:standard 1.1.0 \u2192 1.2.0 (changed)"
    assert redline.title() == "msa-builder-standard 2026.12.1 \u2192 2026.12.2"


def test_every_change_in_the_release_note_accepts_and_rejects_exactly(release):
    old_library, new_library = load(SHIPPED), load(release)
    redline = library_redline(old_library, new_library)
    data = library_docx(redline)
    assert revisions(document(data))
    expected_new, expected_old = [], []
    for change in redline.changes:
        if change.new is not None:
            expected_new += clause_lines(new_library, change.new)
        if change.old is not None:
            expected_old += clause_lines(old_library, change.old)
    assert body_lines(data, accept=True) == expected_new
    assert body_lines(data, accept=False) == expected_old
    assert "5 Business Days" in "\n".join(expected_new)


def test_an_added_clause_is_all_inserted_and_a_removed_one_all_deleted(release):
    redline = library_redline(load(SHIPPED), load(release))
    data = library_docx(redline)
    root = document(data)
    inserted = "".join("".join(e.itertext()) for e in root.iter(f"{W}ins"))
    deleted = "".join("".join(e.itertext()) for e in root.iter(f"{W}del"))
    assert "Neither Party may name the other in publicity" in inserted
    assert "actively solicit an employee" in deleted
    assert library_docx(redline) == data, "same release, same bytes"


def test_a_changed_parameter_default_is_listed(release):
    manifest = release / "library.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "    default: 175\n" in text
    manifest.write_text(text.replace("    default: 175\n", "    default: 190\n", 1), encoding="utf-8")
    redline = library_redline(load(SHIPPED), load(release))
    assert [p.describe() for p in redline.parameters] == ["standard_hourly_rate: default $175 \u2192 $190"]
    assert "parameter standard_hourly_rate: default $175 \u2192 $190" in library_text(redline)


def test_a_released_file_edited_in_place_is_reported(library_copy):
    path = library_copy / "slots" / "term.termination" / "standard" / "2.0.0.md"
    text = path.read_text(encoding="utf-8")
    assert "by either Party, immediately" in text
    path.write_text(text.replace("by either Party, immediately", "by each Party, immediately", 1), encoding="utf-8")
    redline = library_redline(load(SHIPPED), load(library_copy))
    assert [(c.slot, c.kind) for c in redline.changes] == [("term.termination", EDITED)]


def test_identical_libraries_have_nothing_to_report(library_copy):
    redline = library_redline(load(SHIPPED), load(library_copy))
    assert redline.changes == () and redline.parameters == ()
    text = library_text(redline)
    assert "slots added: none" in text and "slots changed: none" in text
    assert revisions(document(library_docx(redline))) == []


def test_text_and_html_release_notes(release):
    redline = library_redline(load(SHIPPED), load(release))
    text = library_text(redline)
    assert text.startswith("--- msa-builder-standard 2026.12.1")
    assert "=== fees.suspension:standard 1.1.0 \u2192 1.2.0 (changed)" in text
    assert "[-10 days-]{+5 Business Days+}" in text
    html = library_html(redline)
    assert "<del>10 days</del>" in html and "<ins>5 Business Days</ins>" in html
    assert "general.non_solicitation" in html


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_two_git_revisions_of_a_library(tmp_path, monkeypatch):
    from msa_builder.errors import LibraryError
    from msa_builder.redline import diff_libraries

    repo = tmp_path / "provider-repo"
    library = Path(shutil.copytree(SHIPPED, repo / "clause_library"))

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c",
                        "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                       cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "November release")
    new_version(library, "fees.suspension", "standard", "1.0.0", "1.1.0",
                edit=("in full within {{ params.suspension_notice_days }} after the notice",
                      "in full within 5 Business Days after the notice"))
    git("add", ".")
    git("commit", "-q", "-m", "December release")
    monkeypatch.chdir(repo)
    redline = diff_libraries("HEAD~1:clause_library", "HEAD:clause_library")
    assert redline.changed_slots == ("fees.suspension",) and redline.old.location == "HEAD~1:clause_library"
    same = diff_libraries("HEAD~1:clause_library", library)
    assert same.changed_slots == ("fees.suspension",), "a revision and a folder compare alike"
    with pytest.raises(LibraryError, match="git cannot read") as caught:
        diff_libraries("no-such-tag:clause_library", "HEAD:clause_library")
    assert "REV:PATH" in (caught.value.hint or "")


@pytest.mark.parametrize("spec", ["--output=pwned:clause_library", "-o:x", "--remote=../x:clause_library"])
def test_a_revision_that_looks_like_a_git_option_is_refused_and_writes_nothing(tmp_path, monkeypatch, spec):
    from click.testing import CliRunner

    from msa_builder.cli import main

    repo = tmp_path / "provider-repo"
    Path(shutil.copytree(SHIPPED, repo / "clause_library"))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "--library", spec, "clause_library"])
    assert result.exit_code == 2 and "a git revision cannot start with '-'" in result.output, result.output
    assert sorted(p.name for p in repo.iterdir()) == [".git", "clause_library"]


def test_git_archive_reads_the_revision_after_end_of_options(monkeypatch, tmp_path):
    """Even a spec git could mistake for an option reaches it as a revision."""
    from msa_builder.errors import LibraryError
    from msa_builder.library import git as git_module

    seen = []

    def fake_run(command, **kwargs):
        seen.append(command)
        return subprocess.CompletedProcess(command, 128, b"", b"fatal: not a valid object name")

    monkeypatch.setattr(git_module.subprocess, "run", fake_run)
    with pytest.raises(LibraryError, match="git cannot read"):
        git_module.git_loader("v1:clause_library", cwd=tmp_path)
    assert seen[0][1:] == ["archive", "--format=tar", "--end-of-options", "v1:clause_library"]
