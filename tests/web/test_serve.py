"""`msa serve`: a fresh folder to a running app in one command, and the vendored scripts as recorded."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from msa_builder import api
from msa_builder.cli import main

STATIC = Path(__file__).resolve().parents[2] / "msa_builder" / "web" / "static"


@pytest.fixture
def started(monkeypatch) -> list[dict]:
    """uvicorn.run replaced: what it would have served, with which options."""
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append({"app": app, **options}))
    return calls


def test_init_and_admin_make_a_running_app_from_an_empty_folder(tmp_path, started):
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["serve", "--workspace", str(folder), "--init", "--admin", "admin",
                                       "--password-stdin", "--port", "8123"], input="a long admin password\n")
    assert result.exit_code == 0, result.output
    assert (folder / "msa.toml").is_file() and "added admin admin" in result.output
    assert started and started[0]["port"] == 8123 and started[0]["host"] == "127.0.0.1"
    users = api.list_users(ledger=folder / "ledger.sqlite")
    assert [(u.name, u.role) for u in users] == [("admin", "admin")]
    again = CliRunner().invoke(main, ["serve", "--workspace", str(folder), "--admin", "admin"])
    assert again.exit_code == 0 and "added admin" not in again.output, "an existing admin is not asked for again"


def test_serve_refuses_a_workspace_nobody_could_sign_in_to(tmp_path, started):
    api.init_workspace(tmp_path / "ws")
    result = CliRunner().invoke(main, ["serve", "--workspace", str(tmp_path / "ws")])
    assert result.exit_code == 2 and "no users yet" in result.output and not started


def test_the_vendored_scripts_are_the_recorded_releases():
    table = (STATIC / "VENDORED.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\S+\.js) \| .*? \| (\S+) \| ([0-9a-f]{64}) \|", table, re.M)
    assert {name for name, _, _ in rows} == {p.name for p in STATIC.glob("*.js")} - {"app.js"}
    for name, version, digest in rows:
        assert version in name and hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest
    base = (STATIC.parent / "templates" / "base.html").read_text(encoding="utf-8")
    assert all(f"/static/{name}" in base for name, _, _ in rows)


def test_a_workspace_named_relative_to_here_is_served_by_absolute_paths(tmp_path, monkeypatch, started):
    # The ledger records each build's profile path; the review page reads the profile back from it,
    # so it must still lead there when the server is restarted from another folder.
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve", "--workspace", "demo", "--init", "--admin", "admin",
                                       "--password-stdin"], input="a long admin password\n")
    assert result.exit_code == 0, result.output
    config = started[0]["app"].state.config
    assert config.clients == tmp_path / "demo" / "clients" and config.ledger == tmp_path / "demo" / "ledger.sqlite"
    (tmp_path / "demo" / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "demo" / "sub")
    from msa_builder.web import WebConfig

    assert WebConfig.for_workspace(None).library == tmp_path / "demo" / "clause_library"


def test_a_port_in_use_is_a_clear_error_before_anything_is_announced(tmp_path, started):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--workspace", str(tmp_path / "ws"), "--init", "--admin", "admin",
                                           "--password-stdin", "--port", str(port)], input="a long admin password\n")
    assert result.exit_code == 2 and not started
    assert f"--port: cannot listen on 127.0.0.1:{port}" in result.output and "in use" in result.output
    assert "msa serve: http://" not in result.output
    unknown = CliRunner().invoke(main, ["serve", "--workspace", str(tmp_path / "ws"), "--host", "no-such-host.invalid"])
    assert unknown.exit_code == 2 and "--host: cannot listen on host 'no-such-host.invalid'" in unknown.output
