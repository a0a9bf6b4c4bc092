"""`msa batch`, `msa status` and `msa ledger`: the whole client book."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import api
from ..ledger import STATUSES
from ..lifecycle.standing import describe_evidence
from ._root import (_formats, _Group, _print_json, as_of_option, drafts_option, ledger_option, library_option, main,
                    note_sample_provider, one_line_text, out_option, provider_option, settings, templates_option)

if TYPE_CHECKING:
    from ..batch import BatchConfig
    from ..settings import Settings


@main.command()
@click.argument("source", type=click.Path(path_type=Path), required=False)
@out_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of CPUs).")
@click.option("--scheduler", metavar="ADDRESS", help="Build on a Dask cluster: its scheduler (tcp://HOST:8786), or "
              "local:N for N Dask workers on this machine. Needs `pip install 'msa-builder[dask]'`.")
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
@click.option("--final", is_flag=True, help="Final drafts: approved clause versions only (still drafts until `msa approve`).")
def batch(source: Path | None, out_dir: Path | None, jobs: int | None, scheduler: str | None, only_stale: bool,
          dry_run: bool, formats: tuple[str, ...], as_json: bool, ledger_path: Path | None, library_dir: Path | None,
          provider_path: Path | None, templates_dir: Path | None, as_of: date | None, allow_drafts: bool,
          final: bool) -> None:
    """Rebuild the agreements of every client in SOURCE (a folder of profiles or a CSV file).

    SOURCE defaults to the workspace's clients folder. Exits 1 when any client failed (the others
    are still built), 130 when interrupted.
    """
    from ..batch.progress import Progress, screen_plan
    from ..batch.report import format_report

    where = settings(library=library_dir, provider=provider_path, templates=templates_dir, out=out_dir,
                     ledger=ledger_path)
    config = _config(where, as_of=as_of, allow_drafts=allow_drafts, final=final, formats=formats)
    bar = sys.stderr.isatty()
    per_client, report_clients = screen_plan(sys.stdout, sys.stderr, bar=bar, dry_run=dry_run, as_json=as_json)
    progress: list[Progress] = []
    try:
        report = api.run_batch(where.source(source), config, jobs=jobs, only_stale=only_stale, dry_run=dry_run,
                               scheduler=scheduler,
                               on_start=lambda total: progress.append(Progress(total, sys.stderr, bar=bar,
                                                                                per_client=per_client)),
                               on_result=lambda result: progress[0](result))
    finally:
        for shown in progress:
            shown.close()
    if as_json:
        _print_json(report.as_dict())
    else:
        click.echo(format_report(report, clients=report_clients))
    note_sample_provider(where)
    sys.exit(130 if report.interrupted else 1 if report.failed else 0)


def _config(where: Settings, **options: Any) -> BatchConfig:
    from ..batch import BatchConfig

    return BatchConfig(out_dir=where.out, library_dir=where.library, provider_path=where.provider,
                       templates_dir=where.templates, ledger_path=where.ledger, **options)


@main.command()
@click.argument("source", type=click.Path(path_type=Path), required=False)
@out_option
@ledger_option
@library_option
@provider_option
@templates_option
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the report as CSV.")
def status(source: Path | None, out_dir: Path | None, ledger_path: Path | None, library_dir: Path | None,
           provider_path: Path | None, templates_dir: Path | None, as_of: date | None, as_json: bool,
           as_csv: bool) -> None:
    """Coverage: every client in SOURCE, whether it has a signed agreement and whether that is current.

    SOURCE defaults to the workspace's clients folder. Exit code 1 when an archived instrument
    file is missing or altered (each is named, marked !!).
    """
    from ..batch.recorded import recorded_settings
    from ..batch.report import coverage_csv, format_coverage

    where = settings(library=library_dir, provider=provider_path, templates=templates_dir, out=out_dir,
                     ledger=ledger_path)
    where = recorded_settings(where, where.source(source))
    rows = api.coverage(where.source(source), _config(where, as_of=as_of))
    if as_json:
        _print_json([r.as_dict() for r in rows])
    elif as_csv:
        click.echo(coverage_csv(rows), nl=False)
    else:
        click.echo(format_coverage(rows))
    note_sample_provider(where)
    if any(r.archive_warnings for r in rows):
        sys.exit(1)  # an altered archive is never a normal report


@main.group(cls=_Group)
def ledger() -> None:
    """The agreement ledger: every generated agreement and its way to a signature."""


def _ledger_path(out_dir: Path | None, ledger_path: Path | None) -> Path:
    return settings(out=out_dir, ledger=ledger_path).ledger


@ledger.command("mark")
@click.argument("client")
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--record", type=int, help="The agreement record (#N in `msa ledger show`), when several could move.")
@click.option("--by", "by", callback=one_line_text, help="Who made the step (default: MSA_USER, else your login name).")
@click.option("--note", callback=one_line_text, help="A note kept with the step, e.g. where the signed copy is filed.")
@click.option("--evidence", "evidence_path", type=click.Path(dir_okay=False, path_type=Path),
              help="signed: the proof, a digitally signed PDF (verified) or, with --unverified, any file.")
@click.option("--unverified", metavar="REASON", callback=one_line_text,
              help="signed: accept evidence that cannot be verified (a scan, another service's PDF), saying why.")
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="signed: a CA certificate whose signers count as trusted (default: the workspace's "
                   "[signing] trust); repeatable.")
@click.option("--accept-deviations", is_flag=True, help="approved: as `msa approve --accept-deviations`.")
@out_option
@ledger_option
@library_option
@templates_option
def ledger_mark(client: str, status: str, record: int | None, by: str | None, note: str | None,
                evidence_path: Path | None, unverified: str | None, trust_paths: tuple[Path, ...],
                accept_deviations: bool, out_dir: Path | None, ledger_path: Path | None, library_dir: Path | None,
                templates_dir: Path | None) -> None:
    """Move CLIENT's agreement to STATUS (draft, in_review, approved, sent, signed; or superseded).

    `approved` goes through the checks of `msa approve`; `sent` only from approved; `signed` only
    with --evidence, verified against the archived execution PDF unless --unverified says why not.
    """
    where = settings(out=out_dir, ledger=ledger_path)
    moved = api.mark(client, status, ledger=where.ledger, by=by, note=note, record=record, evidence=evidence_path,
                     unverified=unverified, trust=trust_paths or where.trust, accept_deviations=accept_deviations,
                     library_dir=library_dir, templates=templates_dir)
    click.echo(f"{moved.client}: agreement #{moved.id} {moved.agreement_id} is now {moved.status} "
               f"({moved.status_at}, {moved.status_by})")
    if moved.status == "signed" and moved.evidence:
        click.echo(f"  evidence: {describe_evidence(moved)}")


@ledger.command("show")
@click.argument("client", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
@out_option
@ledger_option
def ledger_show(client: str | None, as_json: bool, out_dir: Path | None, ledger_path: Path | None) -> None:
    """Show CLIENT's agreements and their history, or every client's latest agreement."""
    from ..batch.report import format_history, format_latest

    found = api.history(ledger=_ledger_path(out_dir, ledger_path), client=client)
    records = [r for r, _ in found]
    events = {r.id: e for r, e in found}
    if as_json:
        _print_json([{**r.as_dict(), "events": [e.__dict__ for e in events.get(r.id, [])]} for r in records])
    elif client is None:
        click.echo(format_latest(records))
    else:
        click.echo(format_history(records, events))
