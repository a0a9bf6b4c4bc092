"""`msa explain` and `msa build`: one client at a time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from .. import api
from ._root import (
    _formats,
    _print_json,
    as_of_option,
    drafts_option,
    library_option,
    main,
)


@main.command()
@click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
@library_option
@as_of_option
@drafts_option
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def explain(profile: Path, library_dir: Path | None, as_of: date | None, allow_drafts: bool, as_json: bool) -> None:
    """Show which clauses a client's agreement uses, and why."""
    from ..explain import format_explanation

    data = api.explain_profile(profile, library=api.open_library(library_dir), as_of=as_of,
                               allow_drafts=allow_drafts)
    if as_json:
        _print_json(data)
    else:
        click.echo(format_explanation(data))


@main.command()
@click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the outputs; each client gets a sub-folder.")
@library_option
@click.option("--provider", "provider_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Provider details file (default: the shipped sample provider).")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding agreement.docx and review-memo.docx (default: the shipped templates).")
@as_of_option
@drafts_option
@click.option("--format", "formats", default="docx", show_default=True, callback=_formats,
              help="Comma-separated output formats: docx, pdf.")
@click.option("--final", is_flag=True, help="Execution version without the draft marking (approved clauses only).")
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Agreement ledger to record the build in (default: OUT/ledger.sqlite).")
def build(profile: Path, out_dir: Path, library_dir: Path | None, provider_path: Path | None,
          templates_dir: Path | None, as_of: date | None, allow_drafts: bool, formats: tuple[str, ...],
          final: bool, ledger_path: Path | None) -> None:
    """Build one client's agreement, review memo and lock file, and record it in the ledger."""
    from ..build import BuildOptions
    from ..ledger import default_ledger
    from ..paths import default_provider, default_templates

    options = BuildOptions(library=api.open_library(library_dir), provider_path=provider_path or default_provider(),
                           templates_dir=templates_dir or default_templates(), as_of=as_of,
                           allow_drafts=allow_drafts, final=final, formats=formats)
    result, record = api.build_and_record(profile, out_dir, options, ledger_path or default_ledger(out_dir))
    click.echo(f"{result.client}: agreement {result.agreement_id}")
    for name, path in result.files.items():
        state = "written" if path in result.written else "unchanged"
        click.echo(f"  {path}  ({state})")
    if record is not None:
        click.echo(f"  ledger: record #{record.id}, status {record.status}")
