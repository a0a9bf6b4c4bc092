"""Every DOCX we write is valid WordprocessingML by an independent validator (openxml-audit).

LibreOffice forgives a lot that Word does not: settings out of the schema's order, a missing
theme part. Word then offers to "repair" an agreement the attorney was about to send. These tests
run the Open XML SDK's schema and semantic rules (as openxml-audit ports them) over the shells,
the agreement and memo of every sample, a final build, and every kind of redline.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from openxml_audit import OpenXmlValidator

from msa_builder.outputs import build, render_build
from msa_builder.profile import load_profile
from msa_builder.redline import compare_builds, diff_clauses, diff_libraries, render
from redline.conftest import TWO_VERSIONS

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
TEMPLATES = REPO / "msa_builder" / "data" / "templates"
CLIENTS = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".yaml", ".json"))


@pytest.fixture(scope="session")
def validator() -> OpenXmlValidator:
    return OpenXmlValidator(max_errors=50)


@pytest.fixture
def assert_valid(validator, tmp_path):
    def check(data: bytes, name: str) -> None:
        path = tmp_path / name
        path.write_bytes(data)
        findings = [f"{e.part_uri} {e.path}: {e.description}" for e in validator.validate(path).errors]
        assert findings == [], f"{name} is not valid WordprocessingML"

    return check


@pytest.mark.parametrize("shell", ["agreement.docx", "review-memo.docx", "redline.docx"])
def test_the_word_shells(shell, assert_valid):
    assert_valid((TEMPLATES / shell).read_bytes(), shell)


@pytest.mark.parametrize("sample", CLIENTS)
def test_the_agreement_and_memo_of_every_sample(sample, rendered_sample, assert_valid):
    files = rendered_sample(sample).files
    docx = [name for name in files if name.endswith(".docx")]
    assert len(docx) == 2
    for name in docx:
        assert_valid(files[name], name)


def test_a_final_agreement(build_options, assert_valid):
    final = render_build(load_profile(SAMPLES / "harbor-finch.yaml"), dataclasses.replace(build_options, final=True))
    for name, data in final.files.items():
        if name.endswith(".docx"):
            assert_valid(data, name)


@pytest.mark.parametrize(("old", "new"), TWO_VERSIONS, ids=[old.split(":")[0] for old, _ in TWO_VERSIONS])
def test_clause_redlines_and_their_clean_views(old, new, assert_valid):
    redline = diff_clauses(old, new)
    assert_valid(render(redline, "docx"), "redline.docx")
    assert_valid(render(redline, "docx", clean=True), "clean.docx")


def test_a_library_release_note(library_copy, assert_valid):
    source = library_copy / "slots" / "fees.suspension" / "standard" / "1.0.0.md"
    text = source.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0", 1)
    source.with_name("1.1.0.md").write_text(text + "\nThe Provider may also suspend the Services on notice.\n",
                                            encoding="utf-8")
    redline = diff_libraries(REPO / "msa_builder" / "data" / "clause_library", library_copy)
    assert redline.changed_slots == ("fees.suspension",)
    assert_valid(render(redline, "docx"), "release-note.docx")
    assert_valid(render(redline, "docx", clean=True), "release-note-clean.docx")


def test_an_agreement_comparison(tmp_path, build_options, assert_valid):
    harbor = SAMPLES / "harbor-finch.yaml"
    january = build(harbor, tmp_path / "january", dataclasses.replace(build_options, as_of=date(2026, 1, 1)))
    december = build(harbor, tmp_path / "december", build_options)
    locks = [next(p for n, p in b.files.items() if n.endswith("-lock.json")) for b in (january, december)]
    redline = compare_builds(*locks)
    assert_valid(render(redline, "docx"), "compare.docx")
    assert_valid(render(redline, "docx", clean=True), "compare-clean.docx")
