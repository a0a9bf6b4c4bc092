"""`msa user ...`: the people who work in `msa serve`, kept in the workspace's ledger."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from ..users import MAX_PASSWORD, ROLES
from ._root import _Group, _print_json, ledger_option, main, out_option, settings


@main.group(cls=_Group)
def user() -> None:
    """Users of the web app (`msa serve`): sales, attorney, operations and admin."""


def _ledger(out_dir: Path | None, ledger_path: Path | None) -> Path:
    return settings(out=out_dir, ledger=ledger_path).ledger


def read_password(password_stdin: bool, *, prompt: str = "Password") -> str:
    """One line of standard input with --password-stdin, else a hidden prompt asked twice."""
    if password_stdin:
        # Bytes, decoded here: stdin's own decoding is strict or surrogateescape by locale. At most
        # a little past the limit is read, enough for the refusal, never a whole file in memory.
        raw = sys.stdin.buffer.readline(4 * MAX_PASSWORD + 2)
        too_long = len(raw) > 4 * MAX_PASSWORD + 1  # refused for its length; it may end inside a character
        try:
            return raw.decode("utf-8", "replace" if too_long else "strict").rstrip("\r\n")
        except UnicodeDecodeError:
            raise click.UsageError("the password on standard input is not UTF-8 text") from None
    if not (sys.stdin is not None and sys.stdin.isatty()):
        raise click.UsageError("no terminal to ask for the password on: pass --password-stdin (or --no-password "
                               "for a user who only uses API tokens)")
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=True))


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may do in the web app.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--no-password", is_flag=True, help="No password: the user signs in with API tokens only.")
@out_option
@ledger_option
def user_add(name: str, role: str, password_stdin: bool, no_password: bool, out_dir: Path | None,
             ledger_path: Path | None) -> None:
    """Add user NAME with a role; asks for the password (stored as an argon2 hash)."""
    if no_password and password_stdin:
        raise click.UsageError("--no-password and --password-stdin contradict each other; give one")
    password = None if no_password else read_password(password_stdin)
    added = api.add_user(name, role=role, ledger=_ledger(out_dir, ledger_path), password=password)
    click.echo(f"added {added.name} ({added.role})")


@user.command("token")
@click.argument("name")
@out_option
@ledger_option
def user_token(name: str, out_dir: Path | None, ledger_path: Path | None) -> None:
    """Print a new API token for NAME (for `Authorization: Bearer TOKEN`); it is shown only this once."""
    click.echo(api.user_token(name, ledger=_ledger(out_dir, ledger_path)))


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the users as JSON.")
@out_option
@ledger_option
def user_list(as_json: bool, out_dir: Path | None, ledger_path: Path | None) -> None:
    """List the users, their roles and whether they are disabled."""
    users = api.list_users(ledger=_ledger(out_dir, ledger_path))
    if as_json:
        _print_json([u.as_dict() for u in users])
        return
    if not users:
        click.echo("no users yet; add one with `msa user add NAME --role admin`")
    for u in users:
        click.echo(f"{u.name:<24} {u.role:<11} {'disabled' if u.disabled else 'active':<9} added {u.created_at} "
                   f"by {u.created_by}")


@user.command("disable")
@click.argument("name")
@out_option
@ledger_option
def user_disable(name: str, out_dir: Path | None, ledger_path: Path | None) -> None:
    """Disable NAME: no more sign-ins; its sessions and API tokens stop working at once."""
    done = api.disable_user(name, ledger=_ledger(out_dir, ledger_path))
    click.echo(f"disabled {done.name}")
