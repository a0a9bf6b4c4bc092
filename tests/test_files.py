"""Writing outputs: `write_once` puts a new file in place whole, and never over another file."""

from __future__ import annotations

import pytest

from msa_builder._files import write_once


def test_write_once_writes_a_new_file_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "signed" / "countersigned.pdf"
    write_once(target, b"%PDF-1.6 signed")
    assert target.read_bytes() == b"%PDF-1.6 signed"
    assert [p.name for p in target.parent.iterdir()] == ["countersigned.pdf"]


def test_write_once_never_replaces_a_file(tmp_path):
    target = tmp_path / "countersigned.pdf"
    target.write_bytes(b"the signed instrument")
    with pytest.raises(FileExistsError):
        write_once(target, b"something else")
    assert target.read_bytes() == b"the signed instrument"
    assert [p.name for p in tmp_path.iterdir()] == ["countersigned.pdf"]
