"""`msa serve`: a fresh folder to a running app in one command, and the vendored scripts as recorded."""

from __future__ import annotations

import hashlib
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from msa_builder import api
from msa_builder.cli import main

STATIC = Path(__file__).resolve().parents[2] / "msa_builder" / "web" / "static"


@pytest.fixture
def started(monkeypatch) -> list[dict]:
    """uvicorn's Server.run replaced: what it would have served, with which options, on which socket."""
    import uvicorn

    calls: list[dict] = []

    def run(server, sockets=None):
        calls.append({"app": server.config.app, "host": server.config.host, "port": server.config.port,
                      "bound": [s.getsockname() for s in sockets or []]})

    monkeypatch.setattr(uvicorn.Server, "run", run)
    return calls


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_init_and_admin_make_a_running_app_from_an_empty_folder(tmp_path, started):
    folder = tmp_path / "demo"
    port = free_port()
    result = CliRunner().invoke(main, ["serve", "--workspace", str(folder), "--init", "--admin", "admin",
                                       "--password-stdin", "--port", str(port)], input="a long admin password\n")
    assert result.exit_code == 0, result.output
    assert (folder / "msa.toml").is_file() and "added admin admin" in result.output
    assert started and started[0]["port"] == port and started[0]["host"] == "127.0.0.1"
    assert started[0]["bound"] == [("127.0.0.1", port)], "the socket is bound before uvicorn runs"
    users = api.list_users(ledger=folder / "ledger.sqlite")
    assert [(u.name, u.role) for u in users] == [("admin", "admin")]
    again = CliRunner().invoke(main, ["serve", "--workspace", str(folder), "--admin", "admin", "--port", str(port)])
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


def _admin_workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    api.init_workspace(folder)
    api.add_user("admin", role="admin", ledger=folder / "ledger.sqlite", password="a long admin password", by="test")
    return folder


def test_a_port_in_use_is_a_one_screen_error_before_anything_is_announced(tmp_path, started):
    folder = _admin_workspace(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--workspace", str(folder), "--port", str(port)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: --port: cannot listen on '127.0.0.1' port") and "in use" in result.stderr
    assert "msa serve: http" not in result.output and not started


@pytest.mark.parametrize("host", ["999.1.1.1", "bad host", "exa\u0000mple"])
def test_an_unknown_host_is_a_one_screen_error(tmp_path, started, host):
    result = CliRunner().invoke(main, ["serve", "--workspace", str(_admin_workspace(tmp_path)), "--host", host,
                                       "--port", str(free_port())])
    assert result.exit_code == 2 and result.stderr.startswith("error: --host: cannot listen on"), result.output
    assert "Traceback" not in result.output and not started


def test_password_stdin_without_admin_is_refused_not_ignored(tmp_path, started):
    result = CliRunner().invoke(main, ["serve", "--workspace", str(_admin_workspace(tmp_path)), "--password-stdin"],
                                input="a long admin password\n")
    assert result.exit_code == 2 and "give --admin too" in result.output and not started


def test_a_workspace_named_relative_to_here_is_served_by_absolute_paths(tmp_path, monkeypatch, started):
    # The ledger records each build's profile path; the review page reads the profile back from it,
    # so it must still lead there when the server is restarted from another folder.
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve", "--workspace", "demo", "--init", "--admin", "admin",
                                       "--password-stdin", "--port", str(free_port())],
                                input="a long admin password\n")
    assert result.exit_code == 0, result.output
    config = started[0]["app"].state.config
    assert config.clients == tmp_path / "demo" / "clients" and config.ledger == tmp_path / "demo" / "ledger.sqlite"
    (tmp_path / "demo" / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "demo" / "sub")
    from msa_builder.web import WebConfig

    assert WebConfig.for_workspace(None).library == tmp_path / "demo" / "clause_library"
