"""`msa explain` and `msa build`: one client at a time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from .. import api
from ._root import (_formats, _print_json, as_of_option, drafts_option, ledger_option, library_option, main,
                    note_sample_provider, out_option, provider_option, settings, templates_option)


@main.command()
@click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
@library_option
@as_of_option
@drafts_option
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def explain(profile: Path, library_dir: Path | None, as_of: date | None, allow_drafts: bool, as_json: bool) -> None:
    """Show which clauses a client's agreement uses, and why."""
    from ..explanation import format_explanation

    data = api.explain(profile, library=api.open_library(settings(library=library_dir).library), as_of=as_of,
                       allow_drafts=allow_drafts)
    if as_json:
        _print_json(data)
    else:
        click.echo(format_explanation(data))


@main.command()
@click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
@out_option
@library_option
@provider_option
@templates_option
@as_of_option
@drafts_option
@click.option("--format", "formats", default="docx", show_default=True, callback=_formats,
              help="Comma-separated output formats: docx, pdf.")
@click.option("--final", is_flag=True, help="A final draft: approved clause versions only (still a draft until `msa approve`).")
@click.option("--conformed", is_flag=True,
              help="PROFILE may be a client of the ledger: print its agreement as amended (for reference).")
@ledger_option
def build(profile: Path, out_dir: Path | None, library_dir: Path | None, provider_path: Path | None,
          templates_dir: Path | None, as_of: date | None, allow_drafts: bool, formats: tuple[str, ...],
          final: bool, conformed: bool, ledger_path: Path | None) -> None:
    """Build one client's agreement, review memo and lock file, and record it in the ledger.

    With --conformed, print instead the client's signed agreement as amended by its signed
    amendments, marked "conformed copy for reference — not for signature".
    """
    where = settings(library=library_dir, provider=provider_path, templates=templates_dir, out=out_dir,
                     ledger=ledger_path)
    if conformed:
        copy = api.conformed_copy(profile, out_dir=where.out, ledger=where.ledger, templates=where.templates,
                                  formats=formats)
        click.echo(f"{copy.client}: conformed copy of {copy.in_force} (for reference, not for signature)")
        for path in copy.files:
            click.echo(f"  {path}  ({'written' if path in copy.written else 'unchanged'})")
        return
    result = api.build(profile, out_dir=where.out, library=api.open_library(where.library), provider=where.provider,
                       templates=where.templates, as_of=as_of, allow_drafts=allow_drafts, final=final,
                       formats=formats, ledger=where.ledger)
    click.echo(f"{result.client}: agreement {result.agreement_id}")
    for name, path in result.files.items():
        state = "written" if path in result.written else "unchanged"
        click.echo(f"  {path}  ({state})")
    if result.record is not None:
        click.echo(f"  ledger: record #{result.record.id}, status {result.record.status}")
    note_sample_provider(where)
