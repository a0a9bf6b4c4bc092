"""Every `msa` command, found by walking the click tree, has help text and is in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from msa_builder.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "msa") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found += _commands(command, path)
    return found


COMMANDS = _commands(main)


def test_the_walk_finds_the_commands_we_ship():
    names = {path for path, _ in COMMANDS}
    assert {"msa build", "msa explain", "msa library lint", "msa batch", "msa status", "msa ledger mark",
            "msa diff", "msa compare"} <= names


@pytest.mark.parametrize("path,command", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_has_help_text(path, command):
    assert command.help and len(command.help.strip()) > 20, f"{path} has no help text"


@pytest.mark.parametrize("path", [p for p, c in COMMANDS if not isinstance(c, click.Group)])
def test_command_is_documented_in_the_readme(path):
    assert path in README, f"`{path}` is not shown in README.md"
