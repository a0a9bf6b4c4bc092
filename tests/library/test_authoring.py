"""Authoring with commands: new draft versions, approvals, releases; released files are never written."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from msa_builder import clock, paths
from msa_builder.errors import LibraryError
from msa_builder.authoring import CHANGELOG_TODO, approve, new_version, next_calendar_version, release
from msa_builder.library.load import load_library

TODAY = date(2026, 12, 1)
EXTRA = "slots/terms.extra/legal/1.0.0.md"


@pytest.fixture
def lib(mini, tmp_path) -> Path:
    return mini.write(tmp_path / "lib")


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def released_files(folder: Path) -> dict[str, str]:
    record = json.loads((folder / "released.json").read_text(encoding="utf-8"))
    return {path: snapshot(folder)[path] for path in record}


# --- new-version -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bump, version", [("minor", "1.1.0"), ("major", "2.0.0"), ("patch", "1.0.1")])
def test_new_version_copies_the_newest_to_a_marked_draft(lib, bump, version):
    before = snapshot(lib)
    draft = new_version(lib, "terms.extra:legal", bump=bump, today=TODAY)
    assert draft.key == f"terms.extra:legal@{version}" and draft.source == "terms.extra:legal@1.0.0"
    text = draft.path.read_text(encoding="utf-8")
    assert text.startswith("---\n# DRAFT for attorney review: edit the text below, then `msa library approve")
    clause = load_library(lib).find("terms.extra", "legal", version)
    assert clause.meta.status == "draft"
    assert clause.meta.effective == TODAY
    assert clause.meta.changelog == CHANGELOG_TODO
    assert clause.body == load_library(lib).find("terms.extra", "legal", "1.0.0").body
    assert {k: v for k, v in snapshot(lib).items() if k in before} == before  # only a new file


def test_new_version_without_a_variant_takes_the_slots_only_one(lib):
    assert new_version(lib, "terms.extra", today=TODAY).key == "terms.extra:legal@1.1.0"


def test_new_version_keeps_a_later_effective_date_of_the_version_it_copies(mini, tmp_path):
    mini.clause("terms.extra", "legal", "1.1.0", effective="2027-06-01", body="Later text.\n")
    mini.release()
    lib = mini.write(tmp_path / "lib")
    draft = new_version(lib, "terms.extra:legal", today=TODAY)
    assert load_library(lib).find("terms.extra", "legal", "1.2.0").meta.effective == date(2027, 6, 1)
    assert draft.source == "terms.extra:legal@1.1.0"


@pytest.mark.parametrize("ref, fragment", [
    ("terms.extra:legal@1.0.0", "names a version"),
    ("terms.nothing", "no slot 'terms.nothing'"),
    ("terms.service:gold", "no clause version 'terms.service:gold'"),
])
def test_new_version_refuses_what_it_cannot_copy(lib, ref, fragment):
    with pytest.raises(LibraryError) as caught:
        new_version(lib, ref, today=TODAY)
    assert fragment in caught.value.message


def test_new_version_refuses_a_second_draft(lib):
    new_version(lib, "terms.extra:legal", today=TODAY)
    with pytest.raises(LibraryError) as caught:
        new_version(lib, "terms.extra:legal", today=TODAY)
    assert "terms.extra:legal@1.1.0 is already a draft" in caught.value.message


# --- approve ---------------------------------------------------------------------------------------


def test_approve_records_who_and_when_and_freezes_the_hash(lib):
    new_version(lib, "terms.extra:legal", today=TODAY)
    released = released_files(lib)
    done = approve(lib, "terms.extra:legal@1.1.0", by="Jane Counsel", changelog="Clarifies privilege.",
                   today=date(2026, 12, 3))
    library = load_library(lib)
    meta = library.find("terms.extra", "legal", "1.1.0").meta
    assert (meta.status, meta.approved_by, meta.approved_on) == ("approved", "Jane Counsel", date(2026, 12, 3))
    assert meta.approved_after == "1.0"  # the mini library's version when it was approved
    assert meta.changelog == "Clarifies privilege." and meta.effective == date(2026, 12, 3) == done.effective
    assert library.released[done.path.relative_to(lib).as_posix()] == done.sha256
    assert hashlib.sha256(done.path.read_bytes()).hexdigest() == done.sha256
    assert "DRAFT for attorney review" not in done.path.read_text(encoding="utf-8")
    assert {p: h for p, h in released_files(lib).items() if p in released} == released  # released files untouched


def test_approve_takes_an_effective_date(lib):
    new_version(lib, "terms.extra:legal", today=TODAY)
    approve(lib, "terms.extra:legal@1.1.0", by="Jane", changelog="x.", effective=date(2027, 3, 1), today=TODAY)
    assert load_library(lib).find("terms.extra", "legal", "1.1.0").meta.effective == date(2027, 3, 1)


def test_approve_refuses_without_a_changelog_and_writes_nothing(lib):
    new_version(lib, "terms.extra:legal", today=TODAY)
    before = snapshot(lib)
    with pytest.raises(LibraryError) as caught:
        approve(lib, "terms.extra:legal@1.1.0", by="Jane", today=TODAY)
    assert caught.value.field == "--changelog"
    assert snapshot(lib) == before


def test_a_changelog_written_in_the_draft_is_enough(lib):
    draft = new_version(lib, "terms.extra:legal", today=TODAY)
    draft.path.write_text(draft.path.read_text(encoding="utf-8").replace(
        f"changelog: '{CHANGELOG_TODO}'", "changelog: Narrows privilege handling."), encoding="utf-8")
    approve(lib, draft.key, by="Jane", today=TODAY)
    assert load_library(lib).find("terms.extra", "legal", "1.1.0").meta.changelog == "Narrows privilege handling."


def test_approve_refuses_a_version_lint_finds_errors_in(lib):
    draft = new_version(lib, "terms.extra:legal", today=TODAY)
    draft.path.write_text(draft.path.read_text(encoding="utf-8") + "Uses {{ params.nonexistent }}.\n", encoding="utf-8")
    before = snapshot(lib)
    with pytest.raises(LibraryError) as caught:
        approve(lib, draft.key, by="Jane", changelog="Adds a sentence.", today=TODAY)
    assert "lint finds" in caught.value.message and "it stays a draft" in caught.value.message
    assert "uses undefined variable 'params.nonexistent'" in caught.value.message
    assert snapshot(lib) == before


def test_approve_refuses_a_released_version(lib):
    before = snapshot(lib)
    with pytest.raises(LibraryError) as caught:
        approve(lib, "terms.extra:legal@1.0.0", by="Jane", changelog="x.", today=TODAY)
    assert "is approved; a released version is never edited" in caught.value.message
    assert snapshot(lib) == before


# --- release ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("current, today, expected", [
    ("2026.11.0", date(2026, 12, 1), "2026.12.0"),
    ("2026.12.0", date(2026, 12, 20), "2026.12.1"),
    ("2026.12.3", date(2026, 12, 20), "2026.12.4"),
    ("1.0", date(2027, 3, 5), "2027.03.0"),
])
def test_release_versions_are_calendar_versions(current, today, expected):
    assert next_calendar_version(current, today) == expected


def test_release_bumps_only_the_version_line_and_compares_with_the_previous_release(lib):
    new_version(lib, "terms.extra:legal", today=TODAY)
    approve(lib, "terms.extra:legal@1.1.0", by="Jane", changelog="Clarifies privilege.", today=TODAY)
    new_version(lib, "terms.service:basic", today=TODAY)  # a draft: in neither side of the note
    manifest = (lib / "library.yaml").read_text(encoding="utf-8")
    before = {k: v for k, v in snapshot(lib).items() if k != "library.yaml"}
    done = release(lib, today=TODAY)
    assert (done.old_version, done.new_version) == ("1.0", "2026.12.0")
    bumped = manifest.replace('version: "1.0"', "version: 2026.12.0")
    assert (lib / "library.yaml").read_text(encoding="utf-8") == bumped
    assert {k: v for k, v in snapshot(lib).items() if k != "library.yaml"} == before
    assert done.approved == ("terms.extra:legal@1.1.0",)
    assert done.old.find("terms.extra", "legal").meta.version == "1.0.0"
    assert done.new.find("terms.extra", "legal").meta.version == "1.1.0"
    assert done.new.find("terms.service", "basic").meta.version == "1.0.0"
    assert load_library(lib).manifest.version == "2026.12.0"


def test_a_version_approved_before_the_release_is_not_in_the_next_note(lib):
    new_version(lib, "terms.extra:legal", today=TODAY)
    approve(lib, "terms.extra:legal@1.1.0", by="Jane", changelog="x.", today=TODAY)
    release(lib, today=TODAY)
    done = release(lib, today=TODAY)
    assert done.new_version == "2026.12.1" and done.approved == ()
    assert done.old.find("terms.extra", "legal").meta.version == "1.1.0"


@pytest.mark.parametrize("version, fragment", [("2026.13", "is not a calendar version"),
                                               ("0.9.0", "is not a calendar version")])
def test_release_refuses_a_version_that_is_not_calendar(lib, version, fragment):
    with pytest.raises(LibraryError) as caught:
        release(lib, version=version, today=TODAY)
    assert fragment in caught.value.message


def test_release_refuses_a_version_that_is_not_later(lib):
    release(lib, version="2026.12.0", today=TODAY)
    with pytest.raises(LibraryError) as caught:
        release(lib, version="2026.11.5", today=TODAY)
    assert "is not after the current version 2026.12.0" in caught.value.message


def test_release_refuses_a_library_with_lint_errors(lib):
    path = lib / EXTRA
    path.write_text(path.read_text(encoding="utf-8") + "More.\n", encoding="utf-8")  # a released file edited
    manifest = (lib / "library.yaml").read_bytes()
    with pytest.raises(LibraryError) as caught:
        release(lib, today=TODAY)
    assert "a release must lint clean" in caught.value.message
    assert (lib / "library.yaml").read_bytes() == manifest


# --- through the CLI, and the read-only shipped library ---------------------------------------------------


@pytest.fixture
def run(monkeypatch, msa):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return msa


def test_the_three_commands_through_the_cli(lib, run):
    result = run("library", "new-version", "terms.extra:legal", "--major", "--library", lib)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {lib / 'slots/terms.extra/legal/2.0.0.md'}  (terms.extra:legal@2.0.0")
    result = run("library", "approve", "terms.extra:legal@2.0.0", "--by", "Jane Counsel", "--changelog",
                 "Rewrites privilege handling.", "--effective", "2027-01-01", "--library", lib)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("approved terms.extra:legal@2.0.0, effective 2027-01-01 (sha256 ")
    result = run("library", "release", "--library", lib)
    assert result.exit_code == 0, result.output
    assert "released mini 1.0 → 2026.12.0" in result.stderr
    assert result.stdout.startswith("--- mini 1.0 (")
    assert "=== terms.extra:legal 1.0.0 → 2.0.0 (changed)" in result.stdout
    assert "# terms.extra:legal@2.0.0: Rewrites privilege handling." in result.stdout


def test_approve_without_a_changelog_is_a_one_screen_error(lib, run):
    run("library", "new-version", "terms.extra:legal", "--library", lib)
    result = run("library", "approve", "terms.extra:legal@1.1.0", "--by", "Jane", "--library", lib)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: --changelog: terms.extra:legal@1.1.0 has no changelog")


@pytest.mark.parametrize("command", [["library", "new-version", "term.renewal:standard"],
                                     ["library", "approve", "term.renewal:standard@1.1.0", "--by", "x"],
                                     ["library", "release"], ["library", "freeze"]])
def test_the_installed_shipped_library_is_read_only(command, run, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(paths, "is_development_checkout", lambda: False)
    monkeypatch.setattr("msa_builder.authoring.is_development_checkout", lambda: False)
    result = run(*command)
    assert result.exit_code == 2
    assert "the shipped clause library is read-only" in result.stderr
    assert "msa init DIR" in result.stderr


def test_this_checkout_is_a_development_checkout():
    assert paths.is_development_checkout()


def test_release_writes_the_note_as_a_word_redline_with_o(lib, run, tmp_path):
    run("library", "new-version", "terms.extra:legal", "--library", lib)
    run("library", "approve", "terms.extra:legal@1.1.0", "--by", "Jane", "--changelog", "x.", "--library", lib)
    note = tmp_path / "release-note.docx"
    result = run("library", "release", "--library", lib, "-o", note)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {note}\n"
    assert note.read_bytes()[:2] == b"PK"
