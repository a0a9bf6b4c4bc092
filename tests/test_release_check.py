"""An approved clause is the text that was released: selection refuses one edited after release."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from msa_builder.cli import main
from msa_builder.errors import LibraryError
from msa_builder.library.load import load_library
from msa_builder.selection import select

LIMITATION = "slots/liability.limitation/standard/2.0.0.md"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
EXTRA = "slots/terms.extra/legal/1.0.0.md"


def test_final_build_refuses_an_approved_clause_edited_after_release(library_copy, tmp_path):
    path = library_copy / LIMITATION
    path.write_text(path.read_text(encoding="utf-8").replace(" shall ", " shall not ", 1), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(SAMPLES / "harbor-finch.yaml"), "--final", "--out", str(out),
                                       "--library", str(library_copy)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {path}: liability.limitation:standard@2.0.0: released version "
                                    "liability.limitation:standard@2.0.0 was changed after release")
    assert "Traceback" not in result.output and not out.exists()


def test_a_draft_build_refuses_it_too(library_copy, harbor_data, make_profile):
    path = library_copy / LIMITATION
    path.write_bytes(path.read_bytes() + b"\n")  # even a byte is a change
    with pytest.raises(LibraryError) as caught:
        select(load_library(library_copy), make_profile(harbor_data), allow_drafts=True)
    assert caught.value.file == str(path) and caught.value.field == "liability.limitation:standard@2.0.0"


def test_an_edited_version_the_client_does_not_select_stops_nothing(mini, mini_profile):
    mini.edit(EXTRA, "apart from", "away from")  # only legal clients get terms.extra
    library = mini.load()
    assert [c.slot for c in select(library, mini_profile()).included if c.slot == "terms.extra"] == []
    with pytest.raises(LibraryError, match="was changed after release") as caught:
        select(library, mini_profile(industry="legal"))
    assert caught.value.file == f"<mini>/{EXTRA}"


def test_drafts_and_approved_versions_not_yet_frozen_are_selectable(mini, mini_profile):
    mini.clause("terms.extra", "legal", "1.1.0", status="draft", applies_when="industry == 'legal'",
                body="A draft, edited as often as its author likes.\n")
    mini.edit(mini.path("terms.extra", "legal", "1.1.0"), "often", "very often")
    drafts = select(mini.load(), mini_profile(industry="legal"), allow_drafts=True)
    assert next(c for c in drafts.included if c.slot == "terms.extra").clause.meta.version == "1.1.0"
    # approved but not frozen: `msa library lint` reports it; a build may use it
    mini.clause("terms.extra", "legal", "1.2.0", applies_when="industry == 'legal'", body="Newer.\n")
    chosen = select(mini.load(), mini_profile(industry="legal"))
    assert next(c for c in chosen.included if c.slot == "terms.extra").clause.meta.version == "1.2.0"
