"""The core `msa` commands through the CLI: explain, library list/show/lint/freeze, and error handling."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from msa_builder.library import load as library_load
from msa_builder.paths import default_library
from msa_builder.cli import main
from msa_builder.errors import ProfileError, RequiredControlError

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CLIENT_SAMPLES = sorted(p.name for p in SAMPLES.iterdir()
                        if p.suffix in (".yaml", ".json") and p.name != "provider.yaml")
CORE_COMMANDS = [["explain"], ["library"], ["library", "list"], ["library", "show"], ["library", "lint"],
                 ["library", "freeze"]]


@pytest.fixture(autouse=True)
def _shipped_library_once(monkeypatch, shipped_library):
    """Commands without --library get the session's already-loaded shipped library (~0.1 s saved each)."""
    original = library_load.open_library
    shipped = default_library()
    monkeypatch.setattr(library_load, "open_library",
                        lambda path=None: shipped_library if path in (None, shipped) else original(path))


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, [str(a) for a in args])

    return invoke


def assert_one_screen_error(result, *fragments: str) -> str:
    """Exit 2, a short message on stderr naming what to fix, nothing on stdout, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    err = result.stderr
    assert err.startswith("error: ")
    assert "Traceback" not in err
    assert len(err.splitlines()) <= 20
    for fragment in fragments:
        assert fragment in err
    return err


@pytest.mark.parametrize("command", CORE_COMMANDS, ids=" ".join)
def test_every_core_command_has_help(command, run):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.stdout
    summary = result.stdout.split("\n\n")[1].strip()
    assert len(summary) > 10, result.stdout


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("msa, version ")


# --- explain ---------------------------------------------------------------------------------------


def test_explain_prints_the_report(run):
    result = run("explain", SAMPLES / "harbor-finch.yaml")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Harbor & Finch LLP - managed / legal, effective 2026-12-01 (clauses as of 2026-12-01)")
    assert re.search(r"\+ addendum\.legal_confidentiality +legal@2\.0\.0", out)
    assert "- scope.co_managed_split" in out
    assert "<< DEVIATION" in out
    assert "security_training (Security Awareness Training): policy limit" in out


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_explain_json_for_every_sample(name, run, shipped_library):
    result = run("explain", SAMPLES / name, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["slots"]) == len(shipped_library.manifest.outline.entries())
    assert data["profile"] == str(SAMPLES / name)
    assert all(s["included"] == (s["variant"] is not None) for s in data["slots"])
    assert len(data["parameters"]) == len(shipped_library.manifest.parameters)


def test_explain_json_keeps_non_ascii_text(run, harbor_data, write_profile):
    harbor_data["client"]["legal_name"] = "Café & Søn שלום 🎉"
    result = run("explain", write_profile(harbor_data), "--json")
    assert result.exit_code == 0, result.output
    assert '"client": "Café & Søn שלום 🎉"' in result.stdout


def test_explain_as_of_and_allow_drafts(run):
    early = json.loads(run("explain", SAMPLES / "harbor-finch.yaml", "--json", "--as-of", "2026-05-01").stdout)
    assert early["as_of"] == "2026-05-01"
    assert next(s for s in early["slots"] if s["slot"] == "liability.limitation")["version"] == "1.0.0"
    drafts = json.loads(run("explain", SAMPLES / "harbor-finch.yaml", "--json", "--allow-drafts",
                            "--as-of", "2026-11-30").stdout)
    assert drafts["drafts_used"] == ["term.renewal:standard@1.1.0"]


def test_explain_rejects_a_date_that_is_not_a_date(run):
    result = run("explain", SAMPLES / "harbor-finch.yaml", "--as-of", "1/12/2026")
    assert result.exit_code == 2
    assert "'1/12/2026' is not a date; use YYYY-MM-DD" in result.stderr


def test_explain_with_a_library_folder(run, mini, tmp_path, write_profile):
    root = mini.write(tmp_path / "lib")
    profile = write_profile({
        "client": {"legal_name": "Acme Widgets LLC", "jurisdiction": "Ohio", "address": "1 Main St",
                   "signatory": {"name": "Pat Lee", "title": "Owner", "email": "pat@acme.example"}, "users": 10},
        "tier": "premium", "industry": "legal", "effective_date": "2026-01-01",
    })
    result = run("explain", profile, "--library", root, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["library"]["name"] == "mini"
    assert {s["slot"]: s["variant"] for s in data["slots"]}["terms.service"] == "premium"


# --- Errors: exit 2, one screen on stderr, no traceback (unless --debug) --------------------------


def _profile_error_cases(harbor_data):
    bad_tier = {**harbor_data, "tier": "platinum"}
    missing = {**harbor_data, "client": {k: v for k, v in harbor_data["client"].items() if k != "legal_name"}}
    bad_param = {**harbor_data, "params": {"client_cyber_insurance_minimum": "lots"}}
    unknown_param = {**harbor_data, "params": {"discount": 5}}
    template = {**harbor_data, "client": {**harbor_data["client"], "legal_name": "Evil {{ provider.legal_name }}"}}
    return {
        "invalid yaml": ("client: [\n  tier: x\n", ["invalid YAML"]),
        "unknown tier": (bad_tier, ["tier: 'platinum' is not a tier", "allowed: break_fix, essentials, managed"]),
        "missing field": (missing, ["client.legal_name: required field is missing"]),
        "bad parameter value": (bad_param, ["params.client_cyber_insurance_minimum: 'lots' must be a number"]),
        "unknown parameter": (unknown_param, ["params.discount: 'discount' is not a parameter",
                                              "allowed: baa_access_days, baa_accounting_days"]),
        "template markers": (template, ["client.legal_name:", "template markers"]),
    }


@pytest.mark.parametrize("case", ["invalid yaml", "unknown tier", "missing field", "bad parameter value",
                                  "unknown parameter", "template markers"])
def test_profile_errors_are_one_screen_messages(case, run, harbor_data, write_profile):
    content, fragments = _profile_error_cases(harbor_data)[case]
    path = write_profile(content)
    err = assert_one_screen_error(run("explain", path), str(path), *fragments)
    assert err.startswith(f"error: {path}")


def test_missing_profile_file(run, tmp_path):
    assert_one_screen_error(run("explain", tmp_path / "nobody.yaml"), "client profile not found")


def test_invalid_json_profile(run, write_profile):
    path = write_profile('{"tier": "managed",}', name="client.json")
    assert_one_screen_error(run("explain", path), f"{path}:1: invalid JSON")


def test_debug_shows_the_traceback(run, write_profile):
    path = write_profile("client: [\n")
    result = run("--debug", "explain", path)
    assert isinstance(result.exception, ProfileError)
    assert result.exit_code != 0
    assert "error: " not in result.stderr  # the exception itself is raised, not the one-screen message


def test_a_declined_required_control_is_exit_2_naming_the_control(run, harbor_data, write_profile):
    harbor_data.update(tier="security_plus", industry="healthcare", params={})
    harbor_data["controls"] = {"edr": "declined"}
    path = write_profile(harbor_data)
    assert_one_screen_error(run("explain", path), f"{path}: controls.edr:",
                            "edr (Endpoint Detection and Response) is mandatory for Managed Security Plus "
                            "Services clients in Healthcare")


def test_a_required_control_error_is_raised_as_itself_with_debug(run, harbor_data, write_profile):
    harbor_data.update(tier="managed", industry="finance", params={})
    harbor_data["controls"] = {"mfa": "declined"}
    result = run("--debug", "explain", write_profile(harbor_data))
    assert isinstance(result.exception, RequiredControlError)


def test_a_library_folder_without_a_manifest(run, tmp_path, harbor_data, write_profile):
    assert_one_screen_error(run("explain", write_profile(harbor_data), "--library", tmp_path),
                            "not a clause library: library.yaml is missing")


# --- library list / show ----------------------------------------------------------------------------


def test_library_list(run):
    result = run("library", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "msa-builder-standard 2026.12.1: 61 slots, 136 clause versions"
    renewal = lines.index("term.renewal")
    assert ("  standard: 1.0.0 (approved, 2025-01-01), 1.1.0 (draft, 2026-09-01), 2.0.0 (approved, 2026-12-01)"
            in lines[renewal + 1:renewal + 4])


def test_library_list_json(run):
    data = json.loads(run("library", "list", "--json").stdout)
    assert data["library"] == "msa-builder-standard"
    assert len(data["clauses"]) == 136
    rows = {(c["slot"], c["variant"], c["version"]): (c["status"], c["effective"]) for c in data["clauses"]}
    assert rows[("term.renewal", "standard", "1.1.0")] == ("draft", "2026-09-01")
    assert rows[("security.declined_controls", "declined", "2.0.0")] == ("approved", "2026-06-01")
    assert all(c["title"] for c in data["clauses"])


@pytest.mark.parametrize("ref, key, status", [
    ("term.renewal@1.1.0", "term.renewal:standard@1.1.0", "draft"),
    ("term.renewal:break_fix", "term.renewal:break_fix@1.0.0", "approved"),
    ("scope.out_of_scope@1.0.0", "scope.out_of_scope:standard@1.0.0", "approved"),
    ("security.declined_controls:declined@2.0.0", "security.declined_controls:declined@2.0.0", "approved"),
    ("addendum.hipaa_baa", "addendum.hipaa_baa:healthcare@2.0.1", "approved"),
])
def test_library_show(ref, key, status, run, shipped_library):
    result = run("library", "show", ref)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{key}  ")
    assert lines[1].startswith(f"status: {status}")
    slot, variant_version = key.split(":")
    variant, version = variant_version.split("@")
    clause = shipped_library.find(slot, variant, version)
    assert f"sha256: {clause.sha256}" in lines
    assert result.stdout.rstrip().endswith(clause.body.rstrip().splitlines()[-1])


def test_library_show_unknown_slot_lists_the_slots(run):
    err = assert_one_screen_error(run("library", "show", "nope.slot"), "no slot 'nope.slot' in library")
    assert "allowed: addendum.data_processing, addendum.defense_dfars, addendum.finance_safeguards" in err
    assert "warranty.disclaimer" in err


def test_library_show_unknown_version_lists_the_versions(run):
    err = assert_one_screen_error(run("library", "show", "term.renewal:standard@9.9.9"))
    assert ("allowed: term.renewal:break_fix@1.0.0, term.renewal:new_york@1.0.0, term.renewal:standard@1.0.0, "
            "term.renewal:standard@1.1.0, term.renewal:standard@2.0.0") in err


# --- library lint / freeze --------------------------------------------------------------------------


def test_lint_passes_on_the_shipped_library(run):
    result = run("library", "lint")
    assert result.exit_code == 0
    assert result.stdout == "0 error(s), 0 warning(s)\n"


def test_lint_fails_on_a_broken_library(run, mini, tmp_path):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'",
                body="The Provider shall make sure that Provider Personnel keep privileged material apart.\n")
    root = mini.write(tmp_path / "lib")  # not released: two errors
    result = run("library", "lint", "--library", root)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == "2 error(s), 0 warning(s)"
    assert "error: slots/terms.extra/legal/1.0.0.md: 'Provider Personnel' looks like a defined term" in result.stdout
    assert "was changed after release" in result.stdout


def test_lint_json(run, mini, tmp_path):
    mini.clause("terms.service", "gold", applies_when="tier == 'gold'", body="The Provider shall polish gold.\n")
    mini.release()
    result = run("library", "lint", "--library", mini.write(tmp_path / "lib"), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{
        "level": "error", "file": "slots/terms.service/gold/1.0.0.md",
        "message": "variant terms.service:gold is unreachable: no plausible profile selects it (its rule is never "
                   "true, or another variant always wins)"}]


def test_lint_of_a_clean_copy_of_the_library_passes_and_a_tampered_one_fails(run, mini, tmp_path):
    root = mini.write(tmp_path / "lib")
    assert run("library", "lint", "--library", root).exit_code == 0
    clause = root / "slots/terms.extra/legal/1.0.0.md"
    clause.write_text(clause.read_text() + "One more sentence.\n")
    assert run("library", "lint", "--library", root).exit_code == 1


def test_freeze_records_a_new_version_then_lint_passes(run, mini, tmp_path):
    mini.clause("terms.extra", "legal", "1.1.0", effective="2026-01-01",
                body="The Provider shall keep privileged material apart from all other data.\n")
    root = mini.write(tmp_path / "lib")
    assert run("library", "lint", "--library", root).exit_code == 1
    result = run("library", "freeze", "--library", root)
    assert result.exit_code == 0, result.output
    assert result.stdout == "released slots/terms.extra/legal/1.1.0.md\n1 version(s) recorded\n"
    assert run("library", "lint", "--library", root).exit_code == 0
    assert run("library", "freeze", "--library", root).stdout == "0 version(s) recorded\n"


def test_freeze_refuses_a_changed_release(run, mini, tmp_path):
    mini.edit("slots/terms.extra/legal/1.0.0.md", "apart from", "away from")
    root = mini.write(tmp_path / "lib")
    before = (root / "released.json").read_bytes()
    assert_one_screen_error(run("library", "freeze", "--library", root), "cannot freeze",
                            "slots/terms.extra/legal/1.0.0.md")
    assert (root / "released.json").read_bytes() == before
