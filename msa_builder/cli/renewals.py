"""`msa renewals`: the renewal-notice calendar of every signed agreement."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from .. import api, clock
from ._root import _date, _print_json, ledger_option, library_option, main, out_option, settings


@main.command()
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option("--within", type=click.IntRange(min=0), metavar="DAYS",
              help="Only agreements whose reminder (or notice deadline) falls in the next DAYS days.")
@click.option("--json", "as_json", is_flag=True, help="Print the calendar as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the calendar as CSV.")
@click.option("--today", callback=_date, metavar="DATE", help="Compute the calendar as of DATE (default: today).")
@out_option
@ledger_option
@library_option
def renewals(source: Path | None, within: int | None, as_json: bool, as_csv: bool, today: date | None,
             out_dir: Path | None, ledger_path: Path | None, library_dir: Path | None) -> None:
    """List every signed agreement's renewal date, the last day to send the renewal reminder and how.

    SOURCE (a folder of profiles or a CSV) limits the list to its clients. New York agreements need
    the GOL 5-903 notice, personally or by certified mail, 15 to 30 days before the notice deadline.
    """
    from ..renewal_calendar import calendar_csv, format_calendar

    where = settings(library=library_dir, out=out_dir, ledger=ledger_path)
    when = today or clock.today()
    rows = api.renewals(ledger=where.ledger, today=when, within=within, source=source, library_dir=where.library)
    if as_json:
        _print_json([r.as_dict() for r in rows])
    elif as_csv:
        click.echo(calendar_csv(rows), nl=False)
    else:
        click.echo(format_calendar(rows, when))
