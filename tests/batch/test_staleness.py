"""Staleness: each kind of input that changes makes a client stale, and the report says exactly what changed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from msa_builder.batch.staleness import build_inputs, expected_bom, staleness
from msa_builder.outputs import BuildOptions, render_build, write_build
from msa_builder.errors import LibraryError
from msa_builder.library.load import load_library
from msa_builder.lock import bom_hash
from msa_builder.profile import load_profile

from .conftest import PROVIDER, SAMPLES, TEMPLATES, bump_clause

CLIENT_SAMPLES = sorted(p.name for p in SAMPLES.iterdir()
                        if p.suffix in (".yaml", ".json") and p.name != "provider.yaml")


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_the_bill_computed_without_rendering_is_the_bill_of_a_real_build(name, rendered_sample, build_options):
    loaded = load_profile(SAMPLES / name)
    assert expected_bom(loaded, build_options.library, build_inputs(build_options)) == rendered_sample(name).lock["bom"]


@pytest.fixture
def built(tmp_path, shipped_library):
    """Harbor & Finch built once into tmp/out with private copies of every input, ready to be changed."""
    library = Path(shutil.copytree(SAMPLES.parent / "msa_builder" / "data" / "clause_library", tmp_path / "library"))
    templates = Path(shutil.copytree(TEMPLATES, tmp_path / "templates"))
    provider = Path(shutil.copy(PROVIDER, tmp_path / "provider.yaml"))
    profile = Path(shutil.copy(SAMPLES / "harbor-finch.yaml", tmp_path / "harbor-finch.yaml"))
    options = BuildOptions(library=shipped_library, provider_path=provider, templates_dir=templates)
    out = tmp_path / "out"
    write_build(render_build(load_profile(profile), options), out)
    return {"library": library, "templates": templates, "provider": provider, "profile": profile,
            "options": options, "out": out}


def check(built, **changes):
    options = dataclasses.replace(built["options"], **changes)
    state = staleness(load_profile(built["profile"]), options.library, build_inputs(options), built["out"])
    return state.bom, state.changes


def test_an_unchanged_client_is_current(built):
    bom, changes = check(built)
    assert changes == []
    lock = json.loads((built["out"] / "harbor-finch-llp-da242c" / "harbor-finch-llp-da242c-lock.json").read_text())
    assert lock["bom_sha256"] == bom_hash(bom)


def test_a_client_never_built_is_new(built):
    shutil.rmtree(built["out"])
    _, changes = check(built)
    assert [(c.kind, c.detail) for c in changes] == [("new", "never built")]


def test_a_new_clause_version_names_the_slot_and_both_versions(built):
    bump_clause(built["library"], "addendum.legal_confidentiality", "legal", "2.0.0", "2.1.0", extra="More.\n")
    _, changes = check(built, library=load_library(built["library"]))
    assert [(c.kind, c.detail) for c in changes] == [("clause", "addendum.legal_confidentiality 2.0.0→2.1.0")]


def test_a_new_version_of_a_clause_the_client_does_not_use_changes_nothing(built):
    bump_clause(built["library"], "addendum.hipaa_baa", "healthcare", "2.0.0", "2.1.0")
    _, changes = check(built, library=load_library(built["library"]))
    assert changes == []


def test_a_clause_edited_in_place_is_reported_with_its_hashes(built):
    relpath = "slots/addendum.legal_confidentiality/legal/2.0.0.md"
    path = built["library"] / relpath
    path.write_text(path.read_text(encoding="utf-8") + "Edited.\n", encoding="utf-8")
    # Re-recorded by hand, so the library owns up to the edit (selection refuses an unrecorded one).
    record = json.loads((built["library"] / "released.json").read_text(encoding="utf-8"))
    record[relpath] = hashlib.sha256(path.read_bytes()).hexdigest()
    (built["library"] / "released.json").write_text(json.dumps(record), encoding="utf-8")
    _, changes = check(built, library=load_library(built["library"]))
    assert len(changes) == 1 and changes[0].kind == "clause"
    assert changes[0].detail.startswith("addendum.legal_confidentiality 2.0.0 text changed (sha256 ")


def test_a_clause_edited_after_release_makes_the_check_fail_naming_the_file(built):
    relpath = "slots/addendum.legal_confidentiality/legal/2.0.0.md"
    path = built["library"] / relpath
    path.write_text(path.read_text(encoding="utf-8") + "Edited.\n", encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        check(built, library=load_library(built["library"]))
    assert caught.value.file == str(path)


def test_a_library_version_change_is_reported(built):
    manifest = built["library"] / "library.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("version: 2026.12.1", "version: 2026.12.2"),
                        encoding="utf-8")
    _, changes = check(built, library=load_library(built["library"]))
    assert [(c.kind, c.detail) for c in changes] == [
        ("library", "library msa-builder-standard 2026.12.1→msa-builder-standard 2026.12.2")]


def test_a_new_control_catalogue_version_is_a_change_of_printed_text(built):
    source = built["library"] / "catalogue" / "controls" / "2.0.0.yaml"
    text = source.read_text(encoding="utf-8").replace("version: 2.0.0", "version: 2.1.0", 1)
    source.with_name("2.1.0.yaml").write_text(text.replace("Goes without this control", "Does without this control"),
                                              encoding="utf-8")
    _, changes = check(built, library=load_library(built["library"]))
    assert [(c.kind, c.detail) for c in changes] == [("clause", "catalogue.controls 2.0.0→2.1.0")]


def test_a_changed_template_is_reported_by_name(built):
    memo = built["templates"] / "review-memo.docx"
    memo.write_bytes(memo.read_bytes() + b"\0")
    _, changes = check(built)
    assert [c.kind for c in changes] == ["template"]
    assert changes[0].detail.startswith("template review_memo changed (")


def test_a_changed_provider_file_is_reported(built):
    built["provider"].write_text(built["provider"].read_text(encoding="utf-8").replace("Suite 400", "Suite 500"),
                                 encoding="utf-8")
    _, changes = check(built)
    assert [(c.kind, c.detail) for c in changes] == [("provider", "provider file changed")]


def test_a_changed_profile_is_reported(built):
    text = built["profile"].read_text(encoding="utf-8").replace("users: 45", "users: 46")
    built["profile"].write_text(text, encoding="utf-8")
    _, changes = check(built)
    assert [(c.kind, c.detail) for c in changes] == [("profile", "profile changed")]


def test_a_profile_change_that_changes_the_clauses_reports_them_too(built):
    text = built["profile"].read_text(encoding="utf-8").replace("industry: legal", "industry: general")
    built["profile"].write_text(text, encoding="utf-8")
    _, changes = check(built)
    assert {c.kind for c in changes} == {"clause", "profile"}
    assert "-addendum.legal_confidentiality legal@2.0.0" in [c.detail for c in changes]


def test_a_new_tool_version_is_reported(built, monkeypatch):
    import msa_builder.batch.staleness as staleness_module

    monkeypatch.setattr(staleness_module, "__version__", "9.9.9")
    _, changes = check(built)
    assert [(c.kind, c.detail) for c in changes] == [("tool", "msa-builder 0.1.0→9.9.9")]


def test_changed_options_are_reported(built):
    _, changes = check(built, final=True)
    assert [(c.kind, c.detail) for c in changes] == [("options", "final False→True")]
    from datetime import date

    _, changes = check(built, as_of=date(2027, 6, 1))
    assert ("options", "as_of 2026-12-01→2027-06-01") in [(c.kind, c.detail) for c in changes]


def test_missing_edited_and_newly_requested_outputs_are_reported(built):
    folder = built["out"] / "harbor-finch-llp-da242c"
    (folder / "harbor-finch-llp-da242c-review.docx").unlink()
    msa = folder / "harbor-finch-llp-da242c-msa.docx"
    msa.write_bytes(msa.read_bytes() + b"x")
    _, changes = check(built, formats=("docx", "pdf"))
    assert [(c.kind, c.detail) for c in changes] == [
        ("outputs", "harbor-finch-llp-da242c-msa.pdf not built before"),
        ("outputs", "harbor-finch-llp-da242c-msa.docx differs from its lock"),
        ("outputs", "harbor-finch-llp-da242c-review.docx missing"),
    ]


def test_a_torn_lock_makes_the_client_stale(built):
    lock = built["out"] / "harbor-finch-llp-da242c" / "harbor-finch-llp-da242c-lock.json"
    lock.write_bytes(lock.read_bytes()[:100])
    _, changes = check(built)
    assert [(c.kind, c.detail) for c in changes] == [("new", "lock file is not a valid lock")]


def test_the_inputs_key_changes_with_every_input(build_options):
    inputs = build_inputs(build_options)
    keys = {inputs.key("a"), inputs.key("b"), dataclasses.replace(inputs, final=True).key("a"),
            dataclasses.replace(inputs, library_fingerprint="x").key("a"),
            dataclasses.replace(inputs, provider_sha256="x").key("a"),
            dataclasses.replace(inputs, templates={"agreement": "x"}).key("a"),
            dataclasses.replace(inputs, tool_version="x").key("a"),
            dataclasses.replace(inputs, code="x").key("a")}
    assert len(keys) == 8


def test_the_code_fingerprint_covers_every_source_and_data_file(tmp_path):
    from msa_builder.batch.codehash import PACKAGE, code_fingerprint, tree_fingerprint

    copy = Path(shutil.copytree(PACKAGE, tmp_path / "pkg", ignore=shutil.ignore_patterns("__pycache__")))
    assert tree_fingerprint(copy) == code_fingerprint() == build_inputs_code()
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    assert tree_fingerprint(copy) == code_fingerprint()
    renderer = copy / "render" / "wordml.py"
    renderer.write_text(renderer.read_text(encoding="utf-8") + "\n# a change without a version bump\n",
                        encoding="utf-8")
    changed = tree_fingerprint(copy)
    template = copy / "data" / "templates" / "agreement.docx"
    template.write_bytes(template.read_bytes() + b"\0")
    assert len({code_fingerprint(), changed, tree_fingerprint(copy)}) == 3


def build_inputs_code() -> str:
    from msa_builder.batch.staleness import BuildInputs

    return BuildInputs("v", "lib", "prov", {}, None, False, False, ("docx",)).code


def test_a_code_change_without_a_version_bump_is_not_answered_from_the_memo(clients, config, monkeypatch):
    """The bug: keyed on the version string, the memo skipped every client after any code change."""
    from msa_builder.batch import run_batch
    from msa_builder.batch import staleness as staleness_module
    from msa_builder import outputs as build_module

    run_batch(clients, config, jobs=1)
    assert run_batch(clients, config, jobs=1, only_stale=True).counts()["skipped"] == 4
    # New code, same version: it now records one more thing in every bill.
    for module in (staleness_module, build_module):
        real = module.bill_of_materials
        monkeypatch.setattr(module, "bill_of_materials", lambda *a, real=real, **k: {**real(*a, **k), "x": 1})
    monkeypatch.setattr(staleness_module, "code_fingerprint", lambda: "the new code")
    report = run_batch(clients, config, jobs=1, only_stale=True)
    assert report.counts() == {"built": 3, "unchanged": 0, "failed": 0, "skipped": 1}
    assert run_batch(clients, config, jobs=1, only_stale=True).counts()["skipped"] == 4
