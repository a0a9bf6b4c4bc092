"""`msa diff` and `msa compare` through the CLI: formats, files, exit codes and messages."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from msa_builder.cli import main
from msa_builder.ooxml.package import read_parts
from redline.conftest import REPO
from redline.wordxml import document, revisions

OLD, NEW = "scope.out_of_scope@1.0.0", "scope.out_of_scope@1.1.0"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: object):
        return runner.invoke(main, [str(a) for a in args])

    return invoke


@pytest.mark.parametrize("command", ["diff", "compare"])
def test_commands_have_help_and_are_in_the_readme(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ") and f" {command} [OPTIONS]" in result.stdout
    assert len(result.stdout.split("\n\n")[1].strip()) > 20
    assert f"msa {command} " in (REPO / "README.md").read_text(encoding="utf-8")


def test_diff_text_is_a_word_level_unified_diff(run):
    result = run("diff", OLD, NEW, "--variant", "standard")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("--- scope.out_of_scope:standard@1.0.0 (approved, effective 2025-01-01)\n"
                          "+++ scope.out_of_scope:standard@1.1.0 (approved, effective 2026-06-01)\n")
    assert re.search(r"^@@ -\d+,\d+ \+\d+,\d+ @@$", out, re.M)
    assert "\n+ (g) forensic investigation of a Security Incident" in out
    assert "{+ The Provider will not deal with a person demanding a ransom" in out
    assert "# scope.out_of_scope:standard@1.1.0: Adds three exclusions" in out


def test_diff_html_is_one_self_contained_page(run, tmp_path):
    target = tmp_path / "exclusions.html"
    result = run("diff", OLD, NEW, "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {target}\n"
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<ins>" in html and 'class="sbs"' in html
    assert not re.search(r"<script|<link|src=|https?://", html)


def test_diff_docx_writes_tracked_changes_and_a_clean_view(run, tmp_path):
    target = tmp_path / "exclusions.docx"
    result = run("diff", OLD, NEW, "-o", target, "--clean", "--author", "Counsel")
    assert result.exit_code == 0, result.output
    clean = tmp_path / "exclusions-clean.docx"
    assert result.stdout.splitlines() == [f"wrote {target}", f"wrote {clean}"]
    changes = revisions(document(target.read_bytes()))
    assert changes and {c.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}author")
                        for c in changes if c.tag.endswith(("}ins", "}del"))} == {"Counsel"}
    assert revisions(document(clean.read_bytes())) == []
    assert "<w:trackRevisions/>" in read_parts(target.read_bytes())["word/settings.xml"].decode("utf-8")


def test_explicit_format_wins_over_the_extension(run, tmp_path):
    target = tmp_path / "exclusions.out"
    assert run("diff", OLD, NEW, "-o", target, "--format", "html").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args", [("--format", "docx"), ("--clean",)])
def test_a_word_redline_needs_an_output_file(run, args):
    result = run("diff", OLD, NEW, *args)
    assert result.exit_code == 2
    assert "-o FILE.docx" in result.stderr


def test_a_bad_version_exits_2_listing_the_versions_that_exist(run):
    result = run("diff", OLD, "scope.out_of_scope@9.9.9")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert "no clause version 'scope.out_of_scope@9.9.9'" in result.stderr
    assert "allowed: " in result.stderr and "scope.out_of_scope:standard@1.1.0" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [(OLD,), (OLD, NEW, "--library", "a", "b"), ()])
def test_diff_needs_two_versions_or_two_libraries(run, args, tmp_path):
    result = run("diff", *args)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr


def test_diff_with_a_profile_uses_the_clients_values(run):
    result = run("diff", "insurance.client_cyber@1.0.0", "insurance.client_cyber@1.1.0",
                 "--profile", REPO / "samples" / "harbor-finch.yaml", "--context", "9")
    assert result.exit_code == 0, result.output
    assert "$3,000,000" in result.stdout and "# variables from client profile" in result.stdout


def test_diff_of_two_libraries(run, library_copy):
    manifest = library_copy / "library.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("version: 2026.12.1", "version: 2026.12.2"),
                        encoding="utf-8")
    result = run("diff", "--library", REPO / "msa_builder" / "data" / "clause_library", library_copy)
    assert result.exit_code == 0, result.output
    assert "+++ msa-builder-standard 2026.12.2" in result.stdout
    assert "slots changed: none" in result.stdout
    result = run("diff", "--library", REPO / "msa_builder" / "data" / "clause_library", library_copy / "missing")
    assert result.exit_code == 2 and "library.yaml is missing" in result.stderr


def test_compare_two_builds(run, as_of_builds, tmp_path):
    old, new = as_of_builds
    target = tmp_path / "redline.docx"
    result = run("compare", old.lock, new.lock, "-o", target, "--clean")
    assert result.exit_code == 0, result.output
    assert revisions(document(target.read_bytes()))
    assert (tmp_path / "redline-clean.docx").exists()
    text = run("compare", old.docx, new.docx)
    assert text.exit_code == 0 and "Section 2.2 Exclusions: changed" in text.stdout
    assert "\nSection 3.5 Declined Controls: declined@1.0.0 \u2192 declined@2.0.0\n# security.declined_controls:" \
        in text.stdout
    html = run("compare", old.lock, new.lock, "--format", "html")
    assert html.exit_code == 0 and "<del>" in html.stdout


def test_compare_errors_are_one_screen(run, as_of_builds, tmp_path):
    _, new = as_of_builds
    result = run("compare", tmp_path / "nothing.json", new.lock)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "nothing.json" in result.stderr
    result = run("compare", REPO / "msa_builder" / "data" / "templates" / "agreement.docx", new.docx)
    assert result.exit_code == 2 and "not an agreement built by msa-builder" in result.stderr
