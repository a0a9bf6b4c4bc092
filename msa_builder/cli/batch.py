"""`msa batch`, `msa status` and `msa ledger`: the whole client book."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ._root import (
    _formats,
    _Group,
    _print_json,
    as_of_option,
    drafts_option,
    ledger_option,
    library_option,
    main,
    out_option,
    provider_option,
    templates_option,
)


@main.command()
@click.argument("source", type=click.Path(path_type=Path))
@out_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of CPUs).")
@click.option("--only-stale", is_flag=True, help="Skip clients whose lock matches what a build would use now.")
@click.option("--dry-run", is_flag=True, help="Print what is stale and why; write nothing.")
@click.option("--format", "formats", default="docx", show_default=True, callback=_formats,
              help="Comma-separated output formats: docx, pdf.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@ledger_option
@library_option
@provider_option
@templates_option
@as_of_option
@drafts_option
@click.option("--final", is_flag=True, help="Execution versions without the draft marking (approved clauses only).")
def batch(source: Path, out_dir: Path, jobs: int | None, only_stale: bool, dry_run: bool, formats: tuple[str, ...],
          as_json: bool, ledger_path: Path | None, library_dir: Path | None, provider_path: Path | None,
          templates_dir: Path | None, as_of: date | None, allow_drafts: bool, final: bool) -> None:
    """Rebuild the agreements of every client in SOURCE (a folder of profiles or a CSV file).

    Exits 1 when any client failed (the others are still built), 130 when interrupted.
    """
    from ..batch import BatchConfig, run_batch
    from ..batch.progress import Progress
    from ..batch.report import format_report

    config = BatchConfig(out_dir=out_dir, library_dir=library_dir, provider_path=provider_path,
                         templates_dir=templates_dir, ledger_path=ledger_path, as_of=as_of,
                         allow_drafts=allow_drafts, final=final, formats=formats)
    progress: list[Progress] = []
    try:
        report = run_batch(source, config, jobs=jobs, only_stale=only_stale, dry_run=dry_run,
                           on_start=lambda total: progress.append(Progress(total, sys.stderr, bar=sys.stderr.isatty())),
                           on_result=lambda result: progress[0](result))
    finally:
        for bar in progress:
            bar.close()
    if as_json:
        _print_json(report.as_dict())
    else:
        click.echo(format_report(report))
    sys.exit(130 if report.interrupted else 1 if report.failed else 0)


@main.command()
@click.argument("source", type=click.Path(path_type=Path))
@out_option
@ledger_option
@library_option
@provider_option
@templates_option
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the report as CSV.")
def status(source: Path, out_dir: Path, ledger_path: Path | None, library_dir: Path | None,
           provider_path: Path | None, templates_dir: Path | None, as_of: date | None, as_json: bool,
           as_csv: bool) -> None:
    """Coverage: every client in SOURCE, whether it has a signed agreement and whether that is current."""
    from ..batch import BatchConfig
    from ..batch.coverage import coverage_report
    from ..batch.report import coverage_csv, format_coverage

    config = BatchConfig(out_dir=out_dir, library_dir=library_dir, provider_path=provider_path,
                         templates_dir=templates_dir, ledger_path=ledger_path, as_of=as_of)
    rows = coverage_report(source, config)
    if as_json:
        _print_json([r.as_dict() for r in rows])
    elif as_csv:
        click.echo(coverage_csv(rows), nl=False)
    else:
        click.echo(format_coverage(rows))


@main.group(cls=_Group)
def ledger() -> None:
    """The agreement ledger: every generated agreement and its way to a signature."""


def _ledger_path(out_dir: Path, ledger_path: Path | None) -> Path:
    from ..ledger import default_ledger

    return ledger_path or default_ledger(out_dir)


@ledger.command("mark")
@click.argument("client")
@click.argument("status", type=click.Choice(["draft", "in_review", "approved", "sent", "signed", "superseded"]))
@click.option("--record", type=int, help="The agreement record (#N in `msa ledger show`), when several could move.")
@click.option("--by", "by", help="Who made the step (default: MSA_USER, else your login name).")
@click.option("--note", help="A note kept with the step, e.g. where the signed copy is filed.")
@out_option
@ledger_option
def ledger_mark(client: str, status: str, record: int | None, by: str | None, note: str | None, out_dir: Path,
                ledger_path: Path | None) -> None:
    """Move CLIENT's agreement to STATUS (draft, in_review, approved, sent, signed; or superseded)."""
    from ..ledger import open_existing

    with open_existing(_ledger_path(out_dir, ledger_path)) as book:
        moved = book.mark(client, status, by=by, note=note, record=record)
    click.echo(f"{moved.client}: agreement #{moved.id} {moved.agreement_id} is now {moved.status} "
               f"({moved.status_at}, {moved.status_by})")


@ledger.command("show")
@click.argument("client", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
@out_option
@ledger_option
def ledger_show(client: str | None, as_json: bool, out_dir: Path, ledger_path: Path | None) -> None:
    """Show CLIENT's agreements and their history, or every client's latest agreement."""
    from ..batch.report import format_history, format_latest
    from ..ledger import open_reader

    with open_reader(_ledger_path(out_dir, ledger_path)) as book:
        if client is None:
            records = book.latest_all()
            events = {}
        else:
            records = book.history(book.resolve_client(client))
            events = {r.id: book.events(r.id) for r in records}
    if as_json:
        _print_json([{**r.as_dict(), "events": [e.__dict__ for e in events.get(r.id, [])]} for r in records])
    elif client is None:
        click.echo(format_latest(records))
    else:
        click.echo(format_history(records, events))
