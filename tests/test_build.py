"""`msa build`: the files a build writes, their names, and the all-or-nothing, reproducible write."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import msa_builder._files as files_module
import msa_builder.outputs as build_module
from msa_builder.outputs import BuildOptions, build, render_build
from msa_builder.cli import main
from msa_builder.errors import OutputError, RenderError, RequiredControlError
from msa_builder.ooxml.package import read_parts
from msa_builder.ooxml.props import read_custom
from msa_builder.profile import load_profile, slugify

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
TEMPLATES = REPO / "msa_builder" / "data" / "templates"
HARBOR = SAMPLES / "harbor-finch.yaml"
CLIENT_SAMPLES = sorted(p.name for p in SAMPLES.iterdir()
                        if p.suffix in (".yaml", ".json") and p.name != "provider.yaml")
SUFFIXES = ("-msa.docx", "-review.docx", "-agreement.json", "-lock.json")


def run(*args: str):
    return CliRunner().invoke(main, ["build", *map(str, args), "--provider", str(SAMPLES.parent / "msa_builder" / "data" / "provider.yaml"),
                                     "--templates", str(TEMPLATES)])


def all_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# -- what a build writes --------------------------------------------------------------------------

@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_every_sample_writes_agreement_memo_and_lock_in_its_own_folder(name, tmp_path, build_options):
    result = build(SAMPLES / name, tmp_path, build_options)
    legal_name = load_profile(SAMPLES / name).profile.client.legal_name
    slug = slugify(legal_name)
    assert result.slug == slug
    assert all_files(tmp_path) == sorted(tmp_path / slug / f"{slug}{suffix}" for suffix in SUFFIXES)
    assert set(result.written) == set(result.files.values())
    lock = json.loads((tmp_path / slug / f"{slug}-lock.json").read_text(encoding="utf-8"))
    assert lock["bom"]["client"] == legal_name
    assert sorted(lock["outputs"]) == sorted(f"{slug}{s}" for s in SUFFIXES[:3])


def test_cli_build_reports_every_file(tmp_path):
    result = run(HARBOR, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "Harbor & Finch LLP: agreement MSA-20261201-DA242C" in result.output
    assert result.output.count("(written)") == 4
    assert (tmp_path / "harbor-finch-llp-da242c" / "harbor-finch-llp-da242c-msa.docx").is_file()


# -- slugs ----------------------------------------------------------------------------------------

def _safe(slug: str) -> bool:
    return bool(slug) and "/" not in slug and "\\" not in slug and ".." not in slug and slug == slug.strip("-. ") \
        and all(c.isascii() and (c.isalnum() or c == "-") for c in slug)


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_sample_slugs_are_safe(name):
    assert _safe(slugify(load_profile(SAMPLES / name).profile.client.legal_name))


def test_slug_is_stable():
    # A folder name that changed between releases would orphan every client's earlier outputs.
    assert slugify("Harbor & Finch LLP") == "harbor-finch-llp-da242c"
    assert slugify("Harbor & Finch LLP") == slugify("Harbor & Finch LLP")


@pytest.mark.parametrize("name", [
    "../../etc/passwd", "..", "a/b\\c", "C:\\Windows", "  -- .hidden -- ", "Ünïcødé GmbH & Co. KG",
    "x" * 300, "😀", "شركة الأمل", "חברה בע\"מ", "👩‍⚖️🏳️‍🌈",
])
def test_slug_is_safe_for_hostile_and_non_latin_names(name):
    slug = slugify(name)
    assert _safe(slug)
    assert len(slug) <= 60


def test_names_that_fold_to_the_same_letters_get_distinct_slugs():
    names = ["A&B LLC", "A B LLC", "A-B LLC", "a b llc", "A.B. LLC", "Á B LLC"]
    slugs = [slugify(n) for n in names]
    assert len(set(slugs)) == len(names)
    assert all(s.startswith("a-b-llc-") for s in slugs)


def test_names_without_latin_letters_get_distinct_usable_slugs():
    names = ["😀", "😀😀", "🚀", "شركة الأمل", "شركة النور", "חברה", "חברה אחרת"]
    slugs = [slugify(n) for n in names]
    assert len(set(slugs)) == len(names)
    assert all(s.startswith("client-") and _safe(s) for s in slugs)


# -- the refusal policy ---------------------------------------------------------------------------

def test_required_control_declined_produces_no_files_and_a_clear_error(tmp_path, write_profile):
    data = yaml.safe_load((SAMPLES / "riverbend-pediatrics.yaml").read_text(encoding="utf-8"))
    data["controls"]["mfa"] = "declined"
    assert (data["tier"], data["industry"]) == ("managed", "healthcare")
    profile = write_profile(data)
    out = tmp_path / "out"
    result = run(profile, "--out", out)
    assert result.exit_code == 2
    message = result.output
    assert "mfa (Multi-Factor Authentication) is mandatory" in message
    assert "Fully Managed Services clients in Healthcare" in message
    assert "HIPAA" in message  # why
    assert "controls.mfa" in message
    assert "Traceback" not in message
    assert all_files(out) == []


def test_required_control_error_from_the_api(tmp_path, write_profile, build_options):
    data = yaml.safe_load((SAMPLES / "riverbend-pediatrics.yaml").read_text(encoding="utf-8"))
    data["controls"]["mfa"] = {"status": "declined", "offered": "2026-10-01", "reason": "Too slow."}
    with pytest.raises(RequiredControlError) as caught:
        build(write_profile(data), tmp_path / "out", build_options)
    assert caught.value.field == "controls.mfa"
    assert not (tmp_path / "out").exists()


# -- reproducible ---------------------------------------------------------------------------------

def test_two_builds_are_byte_identical_across_folders_and_wall_clock(tmp_path, build_options, monkeypatch):
    first = build(HARBOR, tmp_path / "one", build_options)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 10 * 365 * 86400)  # ten years later
    second = build(HARBOR, tmp_path / "two" / "deeper", build_options)
    assert sorted(first.files) == sorted(second.files)
    for name in first.files:
        assert first.files[name].read_bytes() == second.files[name].read_bytes(), name


@pytest.mark.parametrize("name", ["harbor-finch.yaml", "granite-state-credit.json"])
def test_rendering_is_a_pure_function_of_the_inputs(name, build_options):
    loaded = load_profile(SAMPLES / name)
    assert render_build(loaded, build_options).files == render_build(loaded, build_options).files


def test_rebuilding_an_unchanged_client_rewrites_nothing(tmp_path):
    first = run(HARBOR, "--out", tmp_path)
    assert first.exit_code == 0
    assert "ledger: record #1, status draft" in first.output
    written = [p for p in all_files(tmp_path) if not p.name.startswith("ledger.sqlite")]
    assert len(written) == 4
    past = time.time() - 86400
    for path in written:
        os.utime(path, (past, past))
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in written}

    result = run(HARBOR, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.count("(unchanged)") == 4
    assert "(written)" not in result.output
    assert "ledger:" not in result.output  # the ledger already holds exactly this build
    outputs = [p for p in all_files(tmp_path) if not p.name.startswith("ledger.sqlite")]
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in outputs} == before


def test_a_changed_input_rewrites_the_outputs(tmp_path, write_profile, harbor_data):
    profile = write_profile(harbor_data)
    assert run(profile, "--out", tmp_path / "out").exit_code == 0
    harbor_data["client"]["signatory"]["title"] = "Senior Partner"
    write_profile(harbor_data)
    result = run(profile, "--out", tmp_path / "out")
    assert result.output.count("(written)") == 4
    document = read_parts(next((tmp_path / "out").rglob("*-msa.docx")).read_bytes())["word/document.xml"]
    assert b"Title: Senior Partner" in document
    lock = json.loads(next((tmp_path / "out").rglob("*-lock.json")).read_text(encoding="utf-8"))
    assert lock["bom"]["profile_sha256"] == hashlib.sha256(profile.read_bytes()).hexdigest()


# -- all or nothing -------------------------------------------------------------------------------

def test_rendering_failure_after_the_agreement_leaves_no_files(tmp_path, build_options, monkeypatch):
    rendered = []
    real_agreement = build_module.render_agreement_docx

    def agreement_then_record(*args, **kwargs):
        rendered.append(real_agreement(*args, **kwargs))
        return rendered[-1]

    def broken_memo(*args, **kwargs):
        raise RenderError("memo failed on purpose")

    monkeypatch.setattr(build_module, "render_agreement_docx", agreement_then_record)
    monkeypatch.setattr(build_module, "render_memo_docx", broken_memo)
    with pytest.raises(RenderError, match="on purpose"):
        build(HARBOR, tmp_path, build_options)
    assert rendered and rendered[0].startswith(b"PK")  # the agreement was ready to write
    assert all_files(tmp_path) == []


def test_failed_rebuild_keeps_the_previous_outputs_and_leaves_no_temp_files(tmp_path, build_options, monkeypatch):
    build(HARBOR, tmp_path, build_options)
    before = {p: p.read_bytes() for p in all_files(tmp_path)}

    def broken_memo(*args, **kwargs):
        raise RenderError("memo failed on purpose")

    monkeypatch.setattr(build_module, "render_memo_docx", broken_memo)
    final = BuildOptions(library=build_options.library, provider_path=build_options.provider_path,
                         templates_dir=build_options.templates_dir, final=True)
    with pytest.raises(RenderError):
        build(HARBOR, tmp_path, final)
    assert {p: p.read_bytes() for p in all_files(tmp_path)} == before


def test_corrupt_memo_template_leaves_no_files(tmp_path):
    templates = Path(shutil.copytree(TEMPLATES, tmp_path / "templates", ignore=shutil.ignore_patterns("*.py")))
    (templates / "review-memo.docx").write_bytes(b"PK\x03\x04 this is not a zip archive" * 10)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(HARBOR), "--out", str(out), "--templates", str(templates)])
    assert result.exit_code == 2
    assert str(templates / "review-memo.docx") in result.output
    assert "not a Word document" in result.output
    assert all_files(out) == []


def test_write_failure_while_staging_leaves_no_files(tmp_path, build_options, monkeypatch):
    calls = []
    real_fsync = os.fsync

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # the second file of the set: the first is already staged
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(files_module.os, "fsync", failing_fsync)
    with pytest.raises(OutputError, match="No space left") as caught:
        build(HARBOR, tmp_path, build_options)
    assert caught.value.file.endswith("-review.docx")
    assert all_files(tmp_path) == []


# -- final (execution) versions -------------------------------------------------------------------

def test_a_final_build_is_a_final_draft_not_an_execution_version(tmp_path):
    """Only an attorney's approval makes the execution version (`msa approve`)."""
    result = run(HARBOR, "--out", tmp_path, "--final")
    assert result.exit_code == 0, result.output
    docx_file = next(tmp_path.rglob("*-msa.docx"))
    parts = read_parts(docx_file.read_bytes())
    text = b"".join(v for k, v in parts.items() if k.endswith(".xml")).decode("utf-8")
    assert "EXECUTION VERSION" not in text
    assert "FINAL DRAFT \u2014 FOR ATTORNEY APPROVAL" in parts["word/header1.xml"].decode("utf-8")
    assert read_custom(parts["docProps/custom.xml"])["msa.status"] == "final"


def test_final_build_refuses_a_draft_clause(tmp_path):
    # term.renewal 1.1.0 is a draft that 2.0.0 supersedes from 2026-12-01; before then it is the newest.
    drafts = run(HARBOR, "--out", tmp_path / "drafts", "--allow-drafts", "--as-of", "2026-11-30")
    assert drafts.exit_code == 0, drafts.output
    memo = next((tmp_path / "drafts").rglob("*-review.docx")).read_bytes()
    assert b"Draft clause: term.renewal:standard@1.1.0" in read_parts(memo)["word/document.xml"]

    out = tmp_path / "final"
    result = run(HARBOR, "--out", out, "--allow-drafts", "--final", "--as-of", "2026-11-30")
    assert result.exit_code == 2
    assert "approved clause versions only" in result.output
    assert "term.renewal:standard@1.1.0" in result.output
    assert all_files(out) == []


def test_unknown_format_is_refused_before_anything_runs(tmp_path):
    result = run(HARBOR, "--out", tmp_path, "--format", "docx,odt")
    assert result.exit_code == 2
    assert "'odt' is not a format" in result.output
    assert all_files(tmp_path) == []


def test_format_names_are_not_case_sensitive(tmp_path):
    result = run(HARBOR, "--out", tmp_path, "--format", "DOCX")
    assert result.exit_code == 0, result.output
    from msa_builder.cli._root import _formats

    assert _formats(None, None, "DOCX, PDF") == ("docx", "pdf")  # type: ignore[arg-type]


def test_a_build_outside_a_workspace_says_the_sample_provider_is_in_use(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", str(HARBOR)])
    assert result.exit_code == 0, result.output
    assert "the sample provider shipped with msa-builder (a fictional company)" in result.stderr
    assert (tmp_path / "out" / "harbor-finch-llp-da242c").is_dir()
    provider = Path(shutil.copy(SAMPLES.parent / "msa_builder" / "data" / "provider.yaml", tmp_path / "p.yaml"))
    own = CliRunner().invoke(main, ["build", str(HARBOR), "--out", "own", "--provider", str(provider)])
    assert own.exit_code == 0 and "sample provider" not in own.stderr


def test_the_lock_records_where_the_inputs_were(tmp_path, build_options):
    from dataclasses import replace

    own = Path(shutil.copy(build_options.provider_path, tmp_path / "provider.yaml"))
    result = build(HARBOR, tmp_path / "out", replace(build_options, provider_path=own))
    assert result.lock["sources"] == {"library": "(shipped)", "templates": "(shipped)", "provider": str(own)}
