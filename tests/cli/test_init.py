"""`msa init DIR`: the workspace it creates, what it refuses, and the provider file to fill in."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from msa_builder import workspace_init
from msa_builder.linting import lint_library
from msa_builder.paths import default_library, default_templates
from msa_builder.workspace import PATHS, load_workspace


@pytest.fixture
def run(msa):
    return msa


def test_init_creates_a_complete_workspace(tmp_path, run):
    target = tmp_path / "acme-msp"
    result = run("init", target)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"created workspace {target}"
    assert "next: fill in " in result.stdout and "msa new" in result.stdout
    workspace = load_workspace(target)
    assert workspace.paths == PATHS
    library = workspace.library
    assert not filecmp.dircmp(default_library(), library).diff_files
    assert sorted(p.name for p in library.rglob("*.md")) == sorted(p.name for p in default_library().rglob("*.md"))
    assert lint_library(str(library)) == []
    assert sorted(p.name for p in workspace.templates.iterdir()) == sorted(
        p.name for p in default_templates().glob("*.docx"))
    assert [p.name for p in workspace.clients.iterdir()] == ["example-client.yaml"]
    gitignore = (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/out/" in gitignore and "/ledger.sqlite" in gitignore


def test_the_example_client_is_a_valid_commented_profile(tmp_path, run, monkeypatch):
    target = tmp_path / "acme-msp"
    run("init", target)
    example = (target / "clients" / "example-client.yaml").read_text(encoding="utf-8")
    assert example.startswith("# Client profile written by `msa new`")
    monkeypatch.chdir(target)
    result = run("explain", "clients/example-client.yaml")
    assert result.exit_code == 0, result.output
    assert "security_training (Security Awareness Training): policy limit" in result.stdout


def test_the_provider_file_must_be_filled_in_before_anything_is_built(tmp_path, run, monkeypatch):
    target = tmp_path / "acme-msp"
    run("init", target)
    monkeypatch.chdir(target / "clients")
    result = run("build", "example-client.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ../provider.yaml: legal_name: ")
    assert "is still the placeholder `msa init` wrote" in result.stderr
    assert not (target / "out").exists()


def test_init_refuses_an_existing_workspace_and_changes_nothing(tmp_path, run):
    target = tmp_path / "acme-msp"
    run("init", target)
    (target / "provider.yaml").write_text("edited\n", encoding="utf-8")
    result = run("init", target)
    assert result.exit_code == 2
    assert "already a workspace (msa.toml exists)" in result.stderr
    assert (target / "provider.yaml").read_text(encoding="utf-8") == "edited\n"


def test_init_refuses_a_folder_holding_a_file_it_would_write(tmp_path, run):
    target = tmp_path / "acme-msp"
    (target / "clients").mkdir(parents=True)
    result = run("init", target)
    assert result.exit_code == 2
    assert "'clients' already exists here" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["clients"]


def test_init_fills_an_existing_unrelated_folder(tmp_path, run):
    target = tmp_path / "repo"
    target.mkdir()
    (target / "README.md").write_text("ours\n", encoding="utf-8")
    assert run("init", target).exit_code == 0
    assert (target / "msa.toml").is_file() and (target / "README.md").read_text(encoding="utf-8") == "ours\n"


def test_a_failed_init_leaves_nothing_behind(tmp_path, run, monkeypatch):
    def broken(folder: Path, today) -> None:
        (folder / "msa.toml").write_text("", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workspace_init, "_fill", broken)
    result = run("init", tmp_path / "acme-msp")
    assert result.exit_code == 2
    assert "cannot create the workspace: No space left on device" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_in_the_current_empty_folder(tmp_path, run, monkeypatch):
    here = tmp_path / "acme"
    here.mkdir()
    monkeypatch.chdir(here)
    assert run("init", ".").exit_code == 0
    assert sorted(p.name for p in here.iterdir()) == sorted(
        [".gitignore", "clause_library", "clients", "msa.toml", "provider.yaml", "templates"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme"]
