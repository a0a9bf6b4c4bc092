"""Approved clause versions are immutable: released.json holds their hashes, and freeze only adds."""

from __future__ import annotations

import hashlib
import json

import pytest

from msa_builder.errors import LibraryError
from msa_builder.library.load import load_library
from msa_builder.library.release import check_released, freeze

LIMITATION = "slots/liability.limitation/standard/1.1.0.md"
EXTRA = "slots/terms.extra/legal/1.0.0.md"
EXTRA_NEW = "slots/terms.extra/legal/1.1.0.md"


@pytest.fixture
def lib_dir(mini, tmp_path):
    """The mini library on disk (loading it takes milliseconds, the shipped one ~0.1 s)."""
    return mini.write(tmp_path / "lib")


def new_version(library_dir, status: str = "approved") -> str:
    """Add terms.extra 1.1.0, copied from 1.0.0 with a later date; returns its path."""
    text = (library_dir / EXTRA).read_text(encoding="utf-8")
    text = text.replace("version: 1.0.0", "version: 1.1.0").replace("2025-01-01", "2026-01-01")
    text = text.replace("status: approved", f"status: {status}")
    (library_dir / EXTRA_NEW).write_text(text, encoding="utf-8")
    return EXTRA_NEW


def test_every_shipped_approved_version_is_recorded_and_unchanged(shipped_library):
    assert check_released(shipped_library) == []
    approved = {v.path for v in shipped_library.versions() if v.meta.status != "draft"}
    approved |= {c.path for c in shipped_library.catalogue if c.status != "draft"}
    assert set(shipped_library.released) == approved
    assert "slots/term.renewal/standard/1.1.0.md" not in shipped_library.released  # the draft


def test_a_changed_shipped_clause_is_reported_and_freeze_refuses(library_copy):
    path = library_copy / LIMITATION
    path.write_text(path.read_text(encoding="utf-8").replace("Client", "Customer", 1), encoding="utf-8")
    record = (library_copy / "released.json").read_bytes()
    library = load_library(library_copy)
    problems = check_released(library)
    assert [p.path for p in problems] == [LIMITATION]
    assert "released version liability.limitation:standard@1.1.0 was changed after release" in problems[0].message
    assert "put the change in a new version file" in problems[0].message
    with pytest.raises(LibraryError) as caught:
        freeze(library)
    assert caught.value.message.startswith("cannot freeze: " + LIMITATION)
    assert caught.value.file == str(library_copy / "released.json")
    assert (library_copy / "released.json").read_bytes() == record


def test_even_a_whitespace_change_is_a_change(lib_dir):
    path = lib_dir / EXTRA
    path.write_bytes(path.read_bytes() + b"\n")
    assert [p.path for p in check_released(load_library(lib_dir))] == [EXTRA]


def test_a_deleted_released_file_is_reported(lib_dir):
    new_version(lib_dir)
    freeze(load_library(lib_dir))
    (lib_dir / EXTRA_NEW).unlink()
    problems = check_released(load_library(lib_dir))
    assert [(p.path, p.message) for p in problems] == [
        (EXTRA_NEW, "a released version file was deleted; released versions are kept")]


def test_an_approved_file_not_recorded_is_reported(lib_dir):
    path = new_version(lib_dir)
    problems = check_released(load_library(lib_dir))
    assert [p.path for p in problems] == [path]
    assert "approved version is not recorded in released.json; run `msa library freeze`" in problems[0].message


def test_drafts_need_no_record(lib_dir):
    new_version(lib_dir, status="draft")
    assert check_released(load_library(lib_dir)) == []


def test_freeze_records_new_approved_versions_only(lib_dir):
    path = new_version(lib_dir)
    before = json.loads((lib_dir / "released.json").read_text())
    added = freeze(load_library(lib_dir))
    assert added == [path]
    after = json.loads((lib_dir / "released.json").read_text())
    assert after == {**before, path: hashlib.sha256((lib_dir / path).read_bytes()).hexdigest()}
    assert list(after) == sorted(after)
    assert check_released(load_library(lib_dir)) == []
    assert freeze(load_library(lib_dir)) == []  # nothing new the second time


def test_freeze_with_nothing_new_leaves_the_record_untouched(lib_dir):
    record = lib_dir / "released.json"
    before = (record.read_bytes(), record.stat().st_mtime_ns)
    assert freeze(load_library(lib_dir)) == []
    assert (record.read_bytes(), record.stat().st_mtime_ns) == before


def test_freeze_does_not_record_drafts(lib_dir):
    new_version(lib_dir, status="draft")
    assert freeze(load_library(lib_dir)) == []
    assert EXTRA_NEW not in json.loads((lib_dir / "released.json").read_text())


def test_freeze_records_retired_versions(lib_dir):
    path = new_version(lib_dir, status="retired")
    assert freeze(load_library(lib_dir)) == [path]


def test_freeze_refuses_to_rewrite_a_changed_file(lib_dir):
    path = lib_dir / EXTRA
    path.write_text(path.read_text(encoding="utf-8") + "A new sentence.\n", encoding="utf-8")
    new_version(lib_dir)
    before = (lib_dir / "released.json").read_bytes()
    with pytest.raises(LibraryError) as caught:
        freeze(load_library(lib_dir))
    assert "cannot freeze: " + EXTRA in caught.value.message
    assert (lib_dir / "released.json").read_bytes() == before  # not even the new version is recorded


def test_freeze_refuses_while_a_released_file_is_missing(lib_dir):
    new_version(lib_dir)
    freeze(load_library(lib_dir))
    (lib_dir / EXTRA_NEW).unlink()
    with pytest.raises(LibraryError, match="deleted"):
        freeze(load_library(lib_dir))


def test_in_memory_hash_checks(mini):
    assert check_released(mini.load()) == []
    mini.edit(EXTRA, "apart from", "away from")
    assert [p.path for p in check_released(mini.load())] == [EXTRA]
