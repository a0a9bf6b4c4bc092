"""`msa verify` and `msa sign`: signed agreements, for attorneys, auditors and the provider."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from .. import api
from ._root import _print_json, main, settings

PASSPHRASE_VARIABLE = "MSA_KEY_PASSPHRASE"


def _quiet_pyhanko(ctx: click.Context) -> None:
    """pyHanko logs every failed check with a traceback; the report already says what failed."""
    if not (ctx.obj and ctx.obj.get("debug")):
        for name in ("pyhanko", "pyhanko_certvalidator"):
            logging.getLogger(name).addHandler(logging.NullHandler())
            logging.getLogger(name).propagate = False


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--original", "original_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The execution PDF as sent: the signed file's first revision must be exactly it.")
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A CA certificate (PEM or DER) whose signers count as trusted; repeatable "
                   "(default: the workspace's [signing] trust).")
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Agreement ledger in which to look the instrument up by its original revision's sha256.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def verify(ctx: click.Context, file: Path, original_path: Path | None, trust_paths: tuple[Path, ...],
           ledger_path: Path | None, as_json: bool) -> None:
    """Verify a signed agreement PDF: which instrument, who signed, and whether anything else changed.

    Exit code 0 when valid, 1 when invalid (each failure is named), 2 when the input is unusable.
    """
    from ..signing.text import format_report

    _quiet_pyhanko(ctx)
    trust = trust_paths or settings().trust  # a workspace's [signing] trust, unless --trust is given
    report = api.verify(file, original=original_path, trust=trust, ledger=ledger_path)
    if as_json:
        _print_json(report.as_dict())
    else:
        click.echo(format_report(report, ledger_consulted=ledger_path is not None))
    ctx.exit(report.exit_code)


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _passphrase(key: Path) -> bytes | None:
    """From MSA_KEY_PASSPHRASE, else a hidden prompt on a terminal; none for an unencrypted key."""
    value = os.environ.get(PASSPHRASE_VARIABLE)
    if value is not None:
        return value.encode("utf-8") or None
    if _interactive():
        typed = click.prompt(f"Passphrase for {key}", hide_input=True, default="", show_default=False)
        return typed.encode("utf-8") or None
    return None


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The provider's PKCS#12 file (.p12/.pfx): certificate, private key and chain.")
@click.option("--field", default="provider_signature", show_default=True, help="The signature field to sign.")
@click.option("-o", "--output", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the signed PDF: a new file, never the input or an existing file.")
@click.pass_context
def sign(ctx: click.Context, file: Path, key_path: Path, field: str, out_path: Path) -> None:
    """Countersign an agreement PDF with the provider's certificate, into a new file (incremental update).

    The passphrase comes from MSA_KEY_PASSPHRASE, or a hidden prompt.
    """
    _quiet_pyhanko(ctx)
    api.sign(file, key=key_path, output=out_path, passphrase=_passphrase(key_path), field=field)
    click.echo(f"signed {field} of {file}\nwrote {out_path}")
