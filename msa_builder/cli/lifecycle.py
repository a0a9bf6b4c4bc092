"""`msa approve` and `msa send-back`: the attorney's two answers to a draft in review."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from ._root import ledger_option, library_option, main, one_line_text, out_option, settings, templates_option


def _ledger(out_dir: Path | None, ledger_path: Path | None) -> Path:
    return settings(out=out_dir, ledger=ledger_path).ledger


@main.command()
@click.argument("client")
@click.option("--by", "by", required=True, callback=one_line_text, help="The attorney who approves (recorded).")
@click.option("--note", callback=one_line_text, help="A note kept with the approval.")
@click.option("--accept-deviations", is_flag=True,
              help="Accept the review memo's points that need a human decision (each is recorded).")
@click.option("--record", type=int, help="The agreement record (#N in `msa ledger show`), when several are in review.")
@out_option
@ledger_option
@library_option
@templates_option
def approve(client: str, by: str, note: str | None, accept_deviations: bool, record: int | None,
            out_dir: Path | None, ledger_path: Path | None, library_dir: Path | None,
            templates_dir: Path | None) -> None:
    """Approve CLIENT's draft in review: checks it, then archives its execution version for signature.

    Refused, with every reason, for draft clauses, clause text that is not its released text, the
    sample provider, or points needing a human decision not accepted with --accept-deviations.
    The library and templates default to those the draft was built with.
    """
    approved = api.approve(client, ledger=_ledger(out_dir, ledger_path), by=by, note=note,
                           accept_deviations=accept_deviations, record=record, library_dir=library_dir,
                           templates=templates_dir)
    moved = approved.record
    click.echo(f"{moved.client}: agreement #{moved.id} {moved.agreement_id} is now approved "
               f"({moved.status_at}, {moved.status_by})")
    for point in approved.accepted:
        click.echo(f"  accepted: {point}")
    click.echo(f"execution version archived (read-only) in {approved.folder}:")
    for name, digest in sorted(approved.files.items()):
        click.echo(f"  {name}  sha256 {digest}")


@main.command("send-back")
@click.argument("client")
@click.option("--by", "by", required=True, callback=one_line_text, help="The attorney who sends it back (recorded).")
@click.option("--note", required=True, callback=one_line_text, help="What must change (recorded with the step).")
@click.option("--record", type=int, help="The agreement record, when several are in review.")
@out_option
@ledger_option
def send_back(client: str, by: str, note: str, record: int | None, out_dir: Path | None,
              ledger_path: Path | None) -> None:
    """Send CLIENT's draft in review back to draft, with the attorney's comment."""
    moved = api.send_back(client, ledger=_ledger(out_dir, ledger_path), by=by, note=note, record=record)
    click.echo(f"{moved.client}: agreement #{moved.id} {moved.agreement_id} is back in draft: {note}")
