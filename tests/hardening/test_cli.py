"""The `msa` command under hostile input and a hostile environment: one-screen errors, never a traceback."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from msa_builder import api

from .conftest import ALIAS_BOMB, HARBOR, SAMPLES, TEMPLATES, assert_clean_error, harbor

pytestmark = pytest.mark.usefixtures("shipped_once")


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


# -- the last resort ------------------------------------------------------------------------------

@pytest.fixture
def broken_explain(monkeypatch):
    """`msa explain` with a bug in it."""
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(api, "explain", broken)


def test_an_unexpected_exception_is_one_line_and_exit_1(run, broken_explain):
    result = run("explain", HARBOR)
    err = assert_clean_error(result, "internal error (ZeroDivisionError: division by zero)", "--debug", exit_code=1)
    assert len(err.splitlines()) == 1


def test_debug_still_shows_the_traceback(run, broken_explain):
    result = run("--debug", "explain", HARBOR)
    assert isinstance(result.exception, ZeroDivisionError)


def test_usage_errors_stay_clicks(run):
    result = run("explain")
    assert result.exit_code == 2 and "Missing argument" in result.output and "internal error" not in result.output


# -- inputs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, fragment", [
    ("effective_date: 2026-12-01", "effective_date: 2026-02-30", "effective_date: '2026-02-30' is not a valid date"),
    ("offered: 2026-10-14", "offered: 2026-13-01", "controls.security_training.offered: '2026-13-01' is not a valid date"),
    ("effective_date: 2026-12-01", "effective_date: 0", "effective_date: must be a date written YYYY-MM-DD, not int"),
    ("tier: managed", "tier: " + "x" * 1_000_000, "(1,000,000 characters) is not a tier"),
    ("params: {client_cyber_insurance_minimum: 3000000}", "params:\n" + ALIAS_BOMB, "more than 100,000 values"),
    ("params: {client_cyber_insurance_minimum: 3000000}", "params: {client_cyber_insurance_minimum: [[[[[[1]]]]]]}",
     "params.client_cyber_insurance_minimum: [[[...]]] must be a number"),
    ("Harbor & Finch LLP", '"Harbor \\x9b Finch"', "U+009B"),
    ("Harbor & Finch LLP", '"Harbor \\uFFFE Finch"', "U+FFFE"),
    ("users: 45", "users: " + "9" * 5000, "too long"),
    ("tier: managed", "tier: managed\n? [a, b]\n: 1", "a key must be a plain name"),
])
def test_bad_profiles_are_one_screen_errors(run, tmp_path, old, new, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(harbor(old, new), encoding="utf-8")
    assert_clean_error(run("explain", path), fragment)


def test_every_problem_of_a_profile_is_shown(run, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(harbor("Harbor & Finch LLP", '""').replace("jurisdiction: California", "jurisdiction: Mars")
                    .replace("users: 45", "users: -1").replace("effective_date: 2026-12-01", "effective_date: soon"),
                    encoding="utf-8")
    err = assert_clean_error(run("explain", path))
    for field in ("client.legal_name", "client.jurisdiction", "client.users", "effective_date"):
        assert field in err
    assert "more problem(s)" not in err


def test_a_json_profile_with_a_bom_and_without_duplicates_builds(run, tmp_path):
    import yaml

    data = json.loads(json.dumps(yaml.safe_load(harbor()), default=str))
    path = tmp_path / "harbor.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode())
    result = run("build", path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output


def test_a_library_yaml_that_is_not_utf8(run, tmp_path, library_copy):
    manifest = library_copy / "library.yaml"
    manifest.write_bytes(manifest.read_bytes() + b"# caf\xe9\n")
    assert_clean_error(run("explain", HARBOR, "--library", library_copy), "library.yaml", "not UTF-8")
    linted = run("library", "lint", "--library", library_copy)  # lint reports its findings, exit 1
    assert linted.exit_code == 1 and "not UTF-8" in linted.output and "Traceback" not in linted.output


def test_an_impossible_clause_date_in_a_library(run, library_copy):
    clause = next((library_copy / "slots" / "fees.payment").rglob("*.md"))
    clause.write_text(clause.read_text(encoding="utf-8").replace("effective: ", "effective: 2026-02-30 #", 1),
                      encoding="utf-8")
    assert_clean_error(run("explain", HARBOR, "--library", library_copy), "effective", "not a valid date")


# -- the environment and the outputs --------------------------------------------------------------

def test_msa_pdf_timeout_that_is_not_a_number(run, tmp_path):
    result = run("build", HARBOR, "--out", tmp_path / "out", "--format", "docx,pdf", env={"MSA_PDF_TIMEOUT": "soon"})
    assert_clean_error(result, "MSA_PDF_TIMEOUT: 'soon' is not a number of seconds")
    assert _files(tmp_path / "out") == []


def test_a_pdf_batch_checks_msa_pdf_timeout_before_it_starts(run, tmp_path):
    folder = tmp_path / "clients"
    folder.mkdir()
    shutil.copy(HARBOR, folder)
    result = run("batch", folder, "--out", tmp_path / "out", "--format", "docx,pdf",
                 env={"MSA_PDF_TIMEOUT": "-5", "MSA_SOFFICE": shutil.which("true") or "/bin/true"})
    assert_clean_error(result, "MSA_PDF_TIMEOUT")


def test_a_garbage_ledger_stops_the_build_before_anything_is_written(run, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "ledger.sqlite").write_bytes(b"this is not a database" * 100)
    assert_clean_error(run("build", HARBOR, "--out", out), "ledger")
    assert _files(out) == ["ledger.sqlite"]


def test_a_ledger_below_a_file_stops_the_build_before_anything_is_written(run, tmp_path):
    (tmp_path / "file").write_text("x")
    assert_clean_error(run("build", HARBOR, "--out", tmp_path / "out", "--ledger", tmp_path / "file" / "l.sqlite"),
                       "cannot create the ledger")
    assert not (tmp_path / "out").exists()


def test_out_below_a_file(run, tmp_path):
    (tmp_path / "file").write_text("x")
    assert_clean_error(run("build", HARBOR, "--out", tmp_path / "file" / "out", "--ledger", tmp_path / "l.sqlite"),
                       "a file is where a folder must be")
    assert_clean_error(run("batch", SAMPLES, "--out", tmp_path / "file" / "out"), "cannot create the output folder")


def test_a_folder_where_an_output_file_goes(run, tmp_path):
    out = tmp_path / "out"
    (out / "harbor-finch-llp-da242c" / "harbor-finch-llp-da242c-review.docx").mkdir(parents=True)
    assert_clean_error(run("build", HARBOR, "--out", out), "a folder is where this output file must be written")
    assert _files(out / "harbor-finch-llp-da242c") == ["harbor-finch-llp-da242c-review.docx"]


def test_a_folder_where_the_batch_lock_goes(run, tmp_path):
    (tmp_path / "out" / ".msa-batch.lock").mkdir(parents=True)
    assert_clean_error(run("batch", SAMPLES, "--out", tmp_path / "out"), ".msa-batch.lock",
                       "cannot open the batch lock file")


def test_disk_full_while_writing_is_an_error_naming_the_file(run, tmp_path, monkeypatch):
    import msa_builder._files as files_module

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "fsync", full)
    assert_clean_error(run("build", HARBOR, "--out", tmp_path / "out"), "No space left on device", "-msa.docx")
    assert [p for p in _files(tmp_path / "out") if "harbor" in p and not p.endswith("harbor-finch-llp-da242c")] == []


# -- templates and compare inputs -----------------------------------------------------------------

def _rewrite(path: Path, part: str, *edits: tuple[str, str], target: Path | None = None) -> Path:
    """A copy of a DOCX (over it, by default) with text replaced in one of its parts."""
    with zipfile.ZipFile(path) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    text = parts[part].decode("utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    parts[part] = text.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    target = target or path
    target.write_bytes(buffer.getvalue())
    return target


def _template_with(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    _rewrite(folder / "agreement.docx", "word/document.xml", *edits)
    return folder


@pytest.mark.parametrize("tag", ["{{ client_name.__class__.__mro__ }}", "{{ client_name.__class__ }}",
                                 "{{ 'a' * 10**9 }}", "{{ 10 ** (10 ** 10) }}", "{{ client_name|center(10**9) }}"])
def test_an_unsafe_or_runaway_tag_in_a_word_template(run, tmp_path, tag):
    templates = _template_with(tmp_path, ("{{ agreement_id }}", tag))
    assert_clean_error(run("build", HARBOR, "--out", tmp_path / "out", "--templates", templates),
                       "agreement.docx", "template tag failed")
    assert _files(tmp_path / "out") == []


@pytest.mark.parametrize("element", ["w:bodyx", "w:sect"])
def test_a_word_template_whose_body_is_unexpected(run, tmp_path, element):
    templates = _template_with(tmp_path, ("<w:body>", f"<{element}>"), ("</w:body>", f"</{element}>"))
    assert_clean_error(run("build", HARBOR, "--out", tmp_path / "out", "--templates", templates), "agreement.docx")


def _built_docx(run, tmp_path: Path) -> Path:
    result = run("build", HARBOR, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    return next((tmp_path / "out").rglob("*-msa.docx"))


@pytest.mark.parametrize("part, old, new", [
    ("docProps/custom.xml", ' name="', ' nam="'),
    ("word/document.xml", '<w:numId w:val="', '<w:numId w:val="x'),
    ("word/document.xml", '<w:ilvl w:val="', '<w:ilvl w:val="y'),
])
def test_compare_of_a_hand_edited_docx(run, tmp_path, part, old, new):
    docx = _built_docx(run, tmp_path)
    edited = _rewrite(docx, part, (old, new), target=docx.with_name("edited-msa.docx"))
    result = run("compare", docx, edited, "-o", tmp_path / "r.docx")
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_compare_of_a_lock_with_outputs_as_a_list(run, tmp_path):
    _built_docx(run, tmp_path)
    lock_path = next((tmp_path / "out").rglob("*-lock.json"))
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    lock["outputs"] = list(lock["outputs"])
    lock_path.write_text(json.dumps(lock), encoding="utf-8")
    assert_clean_error(run("compare", lock_path, lock_path), "not a lock file written by `msa build`")


def test_a_zip_bomb_template_is_refused_before_it_is_unpacked(run, tmp_path, monkeypatch):
    import msa_builder.ooxml.package as package

    monkeypatch.setattr(package, "MAX_UNPACKED_BYTES", 4 * 1024 * 1024)  # the real limit is 256 MB
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    bomb = folder / "agreement.docx"
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/zeros.bin", b"\0" * (8 * 1024 * 1024))
    assert_clean_error(run("build", HARBOR, "--out", tmp_path / "out", "--templates", folder),
                       "agreement.docx", "unpacks to more than 4 MB")


@pytest.mark.parametrize("author", ["bad\udcffname", "bad\x01name", "bad\ufffename", "two\nlines", "\u200b"])
def test_a_redline_author_that_cannot_be_document_text(run, tmp_path, author):
    result = run("diff", "scope.out_of_scope@1.0.0", "scope.out_of_scope@1.1.0", "-o", tmp_path / "d.docx",
                 "--author", author)
    assert result.exit_code == 2 and "--author" in result.output and not (tmp_path / "d.docx").exists()


def test_an_argument_that_is_not_utf8_is_exit_2_not_an_internal_error(run, tmp_path):
    assert run("build", HARBOR, "--out", tmp_path).exit_code == 0  # a ledger to look the client up in
    result = run("ledger", "mark", "caf\udce9", "signed", "--out", tmp_path)
    assert_clean_error(result, "not UTF-8 text")


def test_a_reader_that_goes_away_stops_msa_quietly(tmp_path):
    """`msa explain FILE | head -1`: the closed pipe is the reader's choice, not an internal error."""
    import subprocess
    import sys

    command = [sys.executable, "-c", "from msa_builder.cli import main; main()", "explain", str(HARBOR), "--json"]
    with subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as done:
        done.stdout.close()  # before the first write: the JSON (well over a pipe buffer) meets a closed pipe
        stderr = done.stderr.read().decode("utf-8")
        assert done.wait(timeout=120) == 141, stderr
    assert stderr == ""


def test_amend_over_an_empty_source_says_so_rather_than_printing_nothing(run, tmp_path):
    api.open_ledger(tmp_path / "ledger.sqlite", create=True).close()
    (tmp_path / "clients").mkdir()
    result = run("amend", tmp_path / "clients", "--ledger", tmp_path / "ledger.sqlite", "--out", tmp_path / "out")
    assert result.exit_code == 0 and result.stdout.strip() == "0 client(s): no profile in the source, nothing to amend"
