"""`msa approve`, `msa send-back` and `msa amend`: the attorney's answers to a draft, and amendments."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .. import api
from ..amendments.text import format_amend_results
from ._root import (_formats, _print_json, as_of_option, ledger_option, library_option, main, one_line_text,
                    out_option, provider_option, settings, templates_option)


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


@main.command()
@click.argument("target", required=False)
@out_option
@ledger_option
@library_option
@provider_option
@templates_option
@as_of_option
@click.option("--format", "formats", default="docx", show_default=True, callback=_formats,
              help="Comma-separated output formats: docx, pdf.")
@click.option("--dry-run", is_flag=True, help="List who needs an amendment and what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def amend(target: str | None, out_dir: Path | None, ledger_path: Path | None, library_dir: Path | None,
          provider_path: Path | None, templates_dir: Path | None, as_of: date | None, formats: tuple[str, ...],
          dry_run: bool, as_json: bool) -> None:
    """Draft an amendment for each signed client whose agreement is behind today's library.

    TARGET is a client of the ledger (legal name, folder or agreement id), a profile, or a folder
    or CSV of clients (default: the workspace's clients). An amendment changes exactly the sections
    and schedules that differ, numbered as in the signed agreement; a client whose changes need a
    restated agreement (library.yaml `amendments`) is refused with the reasons, and so is one
    whose earlier amendment is out for signature. Exit code 0 when every client was amended or is
    current, 1 when some client was refused or failed (2 for a single client).
    """
    where = settings(library=library_dir, provider=provider_path, templates=templates_dir, out=out_dir,
                     ledger=ledger_path)
    chosen = target if target is not None else str(where.source(None))
    results = api.amend(chosen, out_dir=where.out, ledger=where.ledger, library=api.open_library(where.library),
                        provider=where.provider, templates=where.templates, as_of=as_of, formats=formats,
                        dry_run=dry_run)
    if as_json:
        _print_json([r.as_dict() for r in results])
    else:
        click.echo(format_amend_results(results))
    single = len(results) == 1
    refused = {"restate", "awaiting", "error"} | ({"unsigned"} if single else set())
    failed = [r for r in results if r.outcome in refused]
    sys.exit(0 if not failed else 2 if single else 1)
