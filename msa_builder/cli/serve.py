"""`msa serve`: the web app for sales engineers, attorneys and operations."""

from __future__ import annotations

from pathlib import Path

import click

from ._root import _WORKSPACE, main
from .users import read_password


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--init", "create", is_flag=True, help="Create the workspace first (as `msa init`) if it is not one.")
@click.option("--admin", metavar="NAME", help="Add an admin user NAME first if the ledger has no such user "
              "(asks for the password, or reads it with --password-stdin).")
@click.option("--password-stdin", is_flag=True, help="Read --admin's password from the first line of standard input.")
@click.option("--behind-https", is_flag=True, help="Behind an HTTPS proxy: session cookies are Secure and the "
              "proxy's X-Forwarded-Proto is believed.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, create: bool, admin: str | None, password_stdin: bool,
          behind_https: bool) -> None:
    """Serve the web app on HOST:PORT for the workspace (--workspace DIR, or the one around here)."""
    from .. import web

    if password_stdin and admin is None:
        raise click.UsageError("--password-stdin reads the password of --admin NAME; give --admin too")
    workspace = ctx.meta.get(_WORKSPACE)
    web.serve(Path(workspace) if workspace else None, host=host, port=port, create=create, admin=admin,
              admin_password=lambda: read_password(password_stdin, prompt=f"Password for {admin}"),
              behind_https=behind_https,
              announce=lambda line: click.echo(line, err=True))
