"""`msa library new-version|approve|release`: author clause versions and release the library."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from .. import api
from ._root import _date, settings
from .library import library
from .redline import _redline_output, redline_format_option, redline_output_option


@library.command("new-version")
@click.argument("ref", metavar="SLOT[:VARIANT]")
@click.option("--major", "bump", flag_value="major", help="A change of substance (2.0.0).")
@click.option("--minor", "bump", flag_value="minor", default=True,
              help="A change of wording or scope (1.1.0, the default).")
@click.option("--patch", "bump", flag_value="patch", help="A correction that changes no meaning (1.0.1).")
@click.option("--library", "library_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Clause library folder (default: the workspace's).")
def library_new_version(ref: str, bump: str, library_dir: Path | None) -> None:
    """Copy the newest version of SLOT[:VARIANT] to a new draft file with the next version, ready to edit."""
    draft = api.new_clause_version(ref, library_dir=settings(library=library_dir).library, bump=bump)
    click.echo(f"wrote {draft.path}  ({draft.key}, a draft copied from {draft.source})")
    click.echo(f"next: edit it, then `msa library approve {draft.key} --by NAME --changelog TEXT`")


@library.command("approve")
@click.argument("ref", metavar="SLOT:VARIANT@VERSION")
@click.option("--by", "by", required=True, help="Who approves it (recorded in the version's front matter).")
@click.option("--changelog", help="What changed and why (required unless the draft already says).")
@click.option("--effective", callback=_date, metavar="DATE",
              help="First date it may be used for (default: the draft's date, or today when that is later).")
@click.option("--library", "library_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Clause library folder (default: the workspace's).")
def library_approve(ref: str, by: str, changelog: str | None, effective: date | None, library_dir: Path | None) -> None:
    """Approve a draft: record who approved it and when, and freeze its hash in released.json.

    Refused without a changelog, and when lint finds errors in the version.
    """
    done = api.approve_clause(ref, by=by, changelog=changelog, effective=effective,
                              library_dir=settings(library=library_dir).library)
    for finding in done.warnings:
        click.echo(finding.format(), err=True)
    click.echo(f"approved {done.key}, effective {done.effective.isoformat()} (sha256 {done.sha256[:12]}…, "
               "recorded in released.json)")
    click.echo("next: `msa batch --dry-run` names the clients it reaches; `msa library release` releases the library")


@library.command("release")
@click.option("--version", "version", metavar="V", help="The new library version (default: this month's, YYYY.MM.N).")
@click.option("--library", "library_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Clause library folder (default: the workspace's).")
@redline_format_option
@redline_output_option
def library_release(version: str | None, library_dir: Path | None, fmt: str | None, output: Path | None) -> None:
    """Bump the library's version in library.yaml and print the release note (as `msa diff --library`)."""
    done = api.release_library(version=version, library_dir=settings(library=library_dir).library)
    click.echo(f"released {done.new.manifest.name} {done.old_version} → {done.new_version}", err=True)
    _redline_output(done.note(), output, fmt, False, "msa-builder", 1)
