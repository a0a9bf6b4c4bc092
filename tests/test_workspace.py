"""Workspaces: msa.toml read strictly, found by walking up, and one resolution of flags > workspace > shipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msa_builder.errors import WorkspaceError
from msa_builder.paths import default_library, default_provider, default_templates
from msa_builder.settings import resolve
from msa_builder.workspace import PATHS, find_workspace, load_workspace, parse_settings, settings_text

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A bare workspace: msa.toml with the default layout and the folders it names (no library copy)."""
    root = tmp_path / "acme"
    (root / "clients" / "deep").mkdir(parents=True)
    (root / "msa.toml").write_text(settings_text(), encoding="utf-8")
    return root


# --- msa.toml ------------------------------------------------------------------------------------


def test_settings_text_reads_back_as_the_defaults():
    assert parse_settings(settings_text(), source="msa.toml") == PATHS


def test_an_empty_msa_toml_means_the_default_layout():
    assert parse_settings("", source="msa.toml") == PATHS


def test_a_setting_overrides_its_default_only():
    paths = parse_settings('[paths]\nledger = "records/ledger.sqlite"\n', source="msa.toml")
    assert paths == {**PATHS, "ledger": "records/ledger.sqlite"}


@pytest.mark.parametrize("text, field, allowed", [
    ('[paths]\nlibary = "lib"\n', "paths.libary", "library"),
    ('[signature]\ntrust = "ca.pem"\n', "signature", "[signing]"),
    ('[signing]\ntrusted = "ca.pem"\n', "signing.trusted", "trust"),
    ('library = "lib"\n', "library", "[paths]"),
])
def test_an_unknown_key_is_an_error_naming_it_and_the_allowed_ones(text, field, allowed):
    with pytest.raises(WorkspaceError) as caught:
        parse_settings(text, source="ws/msa.toml")
    assert caught.value.file == "ws/msa.toml"
    assert caught.value.field == field
    assert allowed in caught.value.allowed


@pytest.mark.parametrize("text, field", [('[paths]\nout = 3\n', "paths.out"), ('[paths]\nout = ""\n', "paths.out"),
                                         ('[signing]\ntrust = ["ca.pem"]\n', "signing.trust")])
def test_a_path_must_be_a_non_empty_string(text, field):
    with pytest.raises(WorkspaceError) as caught:
        parse_settings(text, source="msa.toml")
    assert caught.value.field == field
    assert "must be a path" in caught.value.message


def test_invalid_toml_names_the_line():
    with pytest.raises(WorkspaceError) as caught:
        parse_settings('[paths]\nlibrary = "a"\nout = \n', source="msa.toml")
    assert caught.value.line == 3
    assert caught.value.message.startswith("invalid TOML: ")


def test_a_missing_msa_toml_is_not_a_workspace(tmp_path):
    with pytest.raises(WorkspaceError) as caught:
        load_workspace(tmp_path)
    assert "not a workspace: msa.toml is missing" in caught.value.message
    assert "msa init DIR" in (caught.value.hint or "")


def test_a_path_the_workspace_names_must_exist_when_used(workspace):
    loaded = load_workspace(workspace)
    assert loaded.clients == workspace / "clients"
    with pytest.raises(WorkspaceError) as caught:
        _ = loaded.library
    assert (caught.value.file, caught.value.field) == (str(workspace / "msa.toml"), "paths.library")


# --- discovery -----------------------------------------------------------------------------------


def test_the_workspace_is_found_by_walking_up_as_a_relative_path(workspace, monkeypatch):
    monkeypatch.chdir(workspace / "clients" / "deep")
    assert find_workspace() == Path("..", "..")
    monkeypatch.chdir(workspace)
    assert find_workspace() == Path(".")


def test_outside_any_workspace_nothing_is_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert find_workspace() is None
    assert resolve().workspace is None


# --- resolution: flags > workspace > shipped ---------------------------------------------------------


def test_outside_a_workspace_the_shipped_defaults_and_out_apply(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = resolve()
    assert (settings.library, settings.templates, settings.provider) == (
        default_library(), default_templates(), default_provider())
    assert settings.out == Path("out") and settings.ledger == Path("out") / "ledger.sqlite"
    assert settings.sample_provider
    with pytest.raises(WorkspaceError) as caught:
        settings.source(None)
    assert caught.value.field == "SOURCE"


def test_inside_a_workspace_its_paths_apply_relative_to_the_current_folder(workspace, monkeypatch):
    (workspace / "provider.yaml").write_text("legal_name: x\n", encoding="utf-8")
    monkeypatch.chdir(workspace / "clients")
    settings = resolve()
    assert settings.provider == Path("..", "provider.yaml")
    assert settings.out == Path("..", "out")
    assert settings.ledger == Path("..", "ledger.sqlite")
    assert settings.source(None) == Path("..", "clients")
    assert not settings.sample_provider


def test_the_sample_notice_names_the_shipped_library_only_when_it_is_used(workspace, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shipped = resolve().sample_notice
    assert shipped is not None and shipped.startswith("note: no workspace here, so the provider named")
    assert "the clause library is the shipped one (read-only)" in shipped
    own = resolve(library=tmp_path / "mylib").sample_notice
    assert own is not None and "sample provider shipped with msa-builder" in own
    assert "clause library" not in own  # --library DIR: the clauses are the user's own
    (workspace / "provider.yaml").write_text("legal_name: x\n", encoding="utf-8")
    (workspace / "clause_library").mkdir()
    monkeypatch.chdir(workspace)
    assert resolve().sample_notice is None
    assert resolve(provider=default_provider()).sample_notice.startswith("note: the provider named")


def test_flags_override_the_workspace_and_the_ledger_stays_the_workspaces(workspace, monkeypatch, tmp_path):
    monkeypatch.chdir(workspace)
    settings = resolve(out=tmp_path / "elsewhere", provider=tmp_path / "p.yaml")
    assert settings.out == tmp_path / "elsewhere"
    assert settings.provider == tmp_path / "p.yaml"
    assert settings.ledger == Path("ledger.sqlite")


def test_an_explicit_workspace_wins_over_the_one_around_the_current_folder(workspace, tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    (other / "msa.toml").write_text('[paths]\nout = "built"\n', encoding="utf-8")
    monkeypatch.chdir(workspace)
    assert resolve(workspace=other).out == other / "built"
    assert resolve(workspace=other / "msa.toml").out == other / "built"


# --- through the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def run(msa):
    return msa


def test_every_command_takes_workspace_before_or_after_its_name(workspace, tmp_path, monkeypatch, run):
    monkeypatch.chdir(tmp_path)
    (workspace / "msa.toml").write_text('[paths]\nlibrary = "nowhere"\n', encoding="utf-8")
    for args in (["--workspace", workspace, "library", "list"], ["library", "list", "--workspace", workspace]):
        result = run(*args)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: {workspace / 'msa.toml'}: paths.library: 'nowhere' is not a folder")


def test_a_bad_msa_toml_stops_every_command_with_a_one_screen_error(workspace, monkeypatch, run):
    (workspace / "msa.toml").write_text('[paths]\nlibary = "x"\n', encoding="utf-8")
    monkeypatch.chdir(workspace / "clients")
    result = run("explain", SAMPLES / "harbor-finch.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "error: ../msa.toml: paths.libary: unknown setting 'libary'"
    assert "allowed: library, templates, provider, clients, out, ledger" in result.stderr


def test_explain_outside_a_workspace_uses_the_shipped_library(tmp_path, monkeypatch, run):
    monkeypatch.chdir(tmp_path)
    data = json.loads(run("explain", SAMPLES / "harbor-finch.yaml", "--json").stdout)
    assert data["library"]["location"] == str(default_library())


def test_signing_trust_is_a_certificate_file_or_a_folder_of_them(tmp_path):
    (tmp_path / "msa.toml").write_text('[signing]\ntrust = "roots"\n', encoding="utf-8")
    assert load_workspace(tmp_path).trust == [], "an absent folder trusts no one"
    (tmp_path / "roots").mkdir()
    for name in ("b.pem", "a.crt", "notes.txt"):
        (tmp_path / "roots" / name).write_text("x", encoding="utf-8")
    assert [p.name for p in load_workspace(tmp_path).trust] == ["a.crt", "b.pem"]
    (tmp_path / "msa.toml").write_text('[signing]\ntrust = "roots/b.pem"\n', encoding="utf-8")
    assert [p.name for p in load_workspace(tmp_path).trust] == ["b.pem"]
