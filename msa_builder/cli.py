"""The `msa` command: parses arguments, calls the library, prints. Nothing else lives here."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from . import api
from ._version import __version__
from .errors import MsaError


class _Group(click.Group):
    """Turns our errors into one-screen messages and exit code 2 (a traceback only with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MsaError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {exc.format()}", err=True)
            ctx.exit(exc.exit_code)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


library_option = click.option("--library", "library_dir", type=click.Path(file_okay=False, path_type=Path),
                              help="Clause library folder (default: the shipped clause_library/).")
as_of_option = click.option("--as-of", callback=_date, metavar="DATE",
                            help="Pick clause versions effective on this date (default: the profile's effective date).")
drafts_option = click.option("--allow-drafts", is_flag=True, help="Also use clause versions still in draft.")


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="msa")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Draft managed-services agreements from a versioned clause library."""
    ctx.ensure_object(dict)["debug"] = debug


@main.command()
@click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
@library_option
@as_of_option
@drafts_option
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def explain(profile: Path, library_dir: Path | None, as_of: date | None, allow_drafts: bool, as_json: bool) -> None:
    """Show which clauses a client's agreement uses, and why."""
    from .explain import format_explanation

    data = api.explain_profile(profile, library=api.open_library(library_dir), as_of=as_of,
                               allow_drafts=allow_drafts)
    if as_json:
        _print_json(data)
    else:
        click.echo(format_explanation(data))


@main.group(cls=_Group)
def library() -> None:
    """Inspect and check the clause library."""


@library.command("list")
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def library_list(library_dir: Path | None, as_json: bool) -> None:
    """List every slot, its variants and their versions."""
    lib = api.open_library(library_dir)
    rows = [
        {"slot": v.meta.id, "variant": v.meta.variant, "version": v.meta.version, "status": v.meta.status,
         "effective": v.meta.effective.isoformat(), "title": v.meta.title}
        for v in lib.versions()
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
    from .errors import LibraryError

    lib = api.open_library(library_dir)
    slot, _, version = ref.partition("@")
    slot, _, variant = slot.partition(":")
    clause = lib.find(slot, variant or None, version or None)
    if clause is None:
        known = lib.slots.get(slot)
        allowed = sorted(lib.slots) if known is None else [
            f"{slot}:{v.name}@{x.meta.version}" for v in known.variants.values() for x in v.versions]
        raise LibraryError(f"no clause {ref!r}", field="SLOT", allowed=allowed)
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
    findings = api.lint(library_dir)
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
    from .library.release import freeze

    added = freeze(api.open_library(library_dir))
    for path in added:
        click.echo(f"released {path}")
    click.echo(f"{len(added)} version(s) recorded")


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    formats = tuple(f.strip() for f in value.split(",") if f.strip())
    from .build import FORMATS

    for fmt in formats:
        if fmt not in FORMATS:
            raise click.BadParameter(f"{fmt!r} is not a format; choose from {', '.join(FORMATS)}")
    return formats


@main.command()
@click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the outputs; each client gets a sub-folder.")
@library_option
@click.option("--provider", "provider_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Provider details file (default: samples/provider.yaml).")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding agreement.docx and review-memo.docx (default: templates/).")
@as_of_option
@drafts_option
@click.option("--format", "formats", default="docx", show_default=True, callback=_formats,
              help="Comma-separated output formats: docx, pdf.")
@click.option("--final", is_flag=True, help="Execution version without the draft marking (approved clauses only).")
def build(profile: Path, out_dir: Path, library_dir: Path | None, provider_path: Path | None,
          templates_dir: Path | None, as_of: date | None, allow_drafts: bool, formats: tuple[str, ...],
          final: bool) -> None:
    """Build one client's agreement, review memo and lock file."""
    from .build import BuildOptions, build as build_one
    from .paths import default_provider, default_templates

    options = BuildOptions(library=api.open_library(library_dir), provider_path=provider_path or default_provider(),
                           templates_dir=templates_dir or default_templates(), as_of=as_of,
                           allow_drafts=allow_drafts, final=final, formats=formats)
    result = build_one(profile, out_dir, options)
    click.echo(f"{result.client}: agreement {result.agreement_id}")
    for name, path in result.files.items():
        state = "written" if path in result.written else "unchanged"
        click.echo(f"  {path}  ({state})")
