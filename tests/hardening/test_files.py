"""_files.py: input files are read within bounds, and writes never leak an OSError or half a build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import msa_builder._files as files_module
from msa_builder._files import atomic_write, atomic_write_set, read_mapping
from msa_builder.errors import OutputError, ProfileError

from .conftest import harbor, refused

# -- files ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, fragment", [("", "is empty"), ("null\n", "is empty"), ("- a\n- b\n", "not list"),
                                            ("just text\n", "not str"), ("42\n", "not int")])
def test_a_profile_that_is_not_a_mapping(tmp_path, text, fragment):
    assert fragment in refused(tmp_path, text).message


def test_a_file_too_large_to_be_a_profile_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    monkeypatch.setattr(files_module, "MAX_INPUT_BYTES", 1000)
    assert "larger than" in refused(tmp_path, harbor() + "#" * 2000).message


def test_not_utf8_names_the_line(tmp_path):
    error = refused(tmp_path, harbor().encode().replace(b"Harbor &", b"Harb\xff &"))
    expected = next(i for i, line in enumerate(harbor().splitlines(), start=1) if "Harbor &" in line)
    assert "not UTF-8" in error.message and error.line == expected


def test_read_mapping_of_a_folder(tmp_path):
    with pytest.raises(ProfileError, match="cannot read"):
        read_mapping(tmp_path, error=ProfileError, what="client profile")


# -- writes --------------------------------------------------------------------------------------

def test_a_folder_where_an_output_goes_is_an_output_error_and_nothing_is_written(tmp_path):
    (tmp_path / "b.docx").mkdir()
    with pytest.raises(OutputError) as caught:
        atomic_write_set({tmp_path / "a.docx": b"a", tmp_path / "b.docx": b"b", tmp_path / "c.json": b"c"})
    assert caught.value.file == str(tmp_path / "b.docx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.docx"]


def test_an_output_below_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="a file is where a folder must be"):
        atomic_write(tmp_path / "file" / "sub" / "a.docx", b"a")


@pytest.mark.parametrize("errno_, text", [(28, "No space left on device"), (13, "Permission denied"),
                                          (30, "Read-only file system")])
def test_os_errors_of_a_write_name_the_path(tmp_path, monkeypatch, errno_, text):
    def refuse(*args, **kwargs):
        raise OSError(errno_, text)

    monkeypatch.setattr(files_module.os, "replace", refuse)
    with pytest.raises(OutputError) as caught:
        atomic_write_set({tmp_path / "a.docx": b"a", tmp_path / "b.json": b"b"})
    assert text in caught.value.message and caught.value.file == str(tmp_path / "a.docx")
    assert list(tmp_path.iterdir()) == []  # the staged temp files are gone too
    with pytest.raises(OutputError, match=text):
        atomic_write(tmp_path / "c.json", b"c")
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_existing_output_is_replaced_not_trusted(tmp_path, monkeypatch):
    """A file we cannot read cannot be known to hold the new bytes: it is replaced, not an error."""
    from msa_builder import _files

    target = tmp_path / "a.docx"
    target.write_bytes(b"y")

    def refuse(folder: int, name: str) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_files, "_read_at", refuse)
    assert atomic_write(target, b"y") is True  # the same bytes, but nobody could tell
    monkeypatch.undo()
    assert target.read_bytes() == b"y" and os.listdir(tmp_path) == ["a.docx"]


