"""`msa library list|show|lint|freeze`: inspect and check the clause library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from ._root import (
    _Group,
    _print_json,
    library_option,
    main,
    settings,
)


@main.group(cls=_Group)
def library() -> None:
    """Inspect and check the clause library."""


@library.command("list")
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def library_list(library_dir: Path | None, as_json: bool) -> None:
    """List every slot, its variants and their versions."""
    lib, versions = api.clause_versions(settings(library=library_dir).library)
    rows = [
        {"slot": v.meta.id, "variant": v.meta.variant, "version": v.meta.version, "status": v.meta.status,
         "effective": v.meta.effective.isoformat(), "title": v.meta.title}
        for v in versions
    ]
    if as_json:
        _print_json({"library": lib.manifest.name, "version": lib.manifest.version, "clauses": rows})
        return
    click.echo(f"{lib.manifest.name} {lib.manifest.version}: {len(lib.slots)} slots, {len(rows)} clause versions")
    for slot in lib.slots.values():
        click.echo(slot.id)
        for var in slot.variants.values():
            versions = ", ".join(f"{v.meta.version} ({v.meta.status}, {v.meta.effective})" for v in var.versions)
            click.echo(f"  {var.name}: {versions}")


@library.command("show")
@click.argument("ref", metavar="SLOT[:VARIANT][@VERSION]")
@library_option
def library_show(ref: str, library_dir: Path | None) -> None:
    """Print one clause version: its front matter and body."""
    clause = api.find_clause(ref, library_dir=settings(library=library_dir).library)
    meta = clause.meta
    click.echo(f"{clause.key}  {meta.title}")
    click.echo(f"status: {meta.status}   effective: {meta.effective}   precedence: {meta.precedence}")
    click.echo(f"applies when: {meta.applies_when}")
    click.echo(f"changelog: {meta.changelog}")
    click.echo(f"sha256: {clause.sha256}")
    click.echo("")
    click.echo(clause.body.rstrip())


@library.command("lint")
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON.")
def library_lint(library_dir: Path | None, as_json: bool) -> None:
    """Check the library; exits 1 when it finds errors."""
    findings = api.lint(settings(library=library_dir).library)
    errors = [f for f in findings if f.level == "error"]
    if as_json:
        _print_json([f.__dict__ for f in findings])
    else:
        for finding in findings:
            click.echo(finding.format())
        click.echo(f"{len(errors)} error(s), {len(findings) - len(errors)} warning(s)")
    sys.exit(1 if errors else 0)


@library.command("freeze")
@library_option
def library_freeze(library_dir: Path | None) -> None:
    """Record the hashes of newly approved clause versions in released.json."""
    added = api.freeze(settings(library=library_dir).library)
    for path in added:
        click.echo(f"released {path}")
    click.echo(f"{len(added)} version(s) recorded")
