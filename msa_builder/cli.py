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
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Agreement ledger to record the build in (default: OUT/ledger.sqlite).")
def build(profile: Path, out_dir: Path, library_dir: Path | None, provider_path: Path | None,
          templates_dir: Path | None, as_of: date | None, allow_drafts: bool, formats: tuple[str, ...],
          final: bool, ledger_path: Path | None) -> None:
    """Build one client's agreement, review memo and lock file, and record it in the ledger."""
    from .build import BuildOptions
    from .ledger import default_ledger
    from .paths import default_provider, default_templates

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


# -- batch regeneration, coverage and the ledger -----------------------------------------------

out_option = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
                          show_default=True, help="Output folder of the builds; each client has a sub-folder.")
ledger_option = click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
                             help="Ledger database (default: OUT/ledger.sqlite).")
provider_option = click.option("--provider", "provider_path", type=click.Path(dir_okay=False, path_type=Path),
                               help="Provider details file (default: samples/provider.yaml).")
templates_option = click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
                                help="Folder holding agreement.docx and review-memo.docx (default: templates/).")


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
    from .batch import BatchConfig, run_batch
    from .batch.progress import Progress
    from .batch.report import format_report

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
    from .batch import BatchConfig
    from .batch.coverage import coverage_report
    from .batch.report import coverage_csv, format_coverage

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
    from .ledger import default_ledger

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
    from .ledger import open_existing

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
    from .batch.report import format_history, format_latest
    from .ledger import open_existing

    with open_existing(_ledger_path(out_dir, ledger_path)) as book:
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


# -- redlines for attorneys: msa diff, msa compare ---------------------------------------------

def _redline_output(redline: Any, output: Path | None, fmt: str | None, clean: bool, author: str,
                    context: int) -> None:
    from . import redline as redlines

    fmt = redlines.format_for(output, fmt)
    if output is None:
        if fmt == "docx" or clean:
            raise click.UsageError("a Word redline is written to a file: add -o FILE.docx")
        click.echo(redlines.render(redline, fmt, context=context).decode("utf-8"), nl=False)
        return
    for path in redlines.write(redline, output, fmt, clean=clean, author=author, context=context):
        click.echo(f"wrote {path}")


redline_format_option = click.option("--format", "fmt", type=click.Choice(["text", "html", "docx"]),
                                     help="text (word-level unified diff), html (side by side) or docx (tracked "
                                          "changes). Default: from -o's extension, else text.")
redline_output_option = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                                     help="Write to FILE instead of printing (required for docx).")
redline_clean_option = click.option("--clean", is_flag=True,
                                    help="Also write FILE-clean.docx beside it: the new text without markup.")
redline_author_option = click.option("--author", default="msa-builder", show_default=True,
                                     help="Author of the tracked revisions.")
redline_context_option = click.option("--context", "context_lines", type=click.IntRange(min=0), default=1,
                                      show_default=True, help="Unchanged paragraphs shown around each text hunk.")


@main.command()
@click.argument("refs", nargs=-1, metavar="SLOT@V1 SLOT@V2")
@click.option("--library", "libraries", nargs=2, metavar="OLD NEW",
              help="Compare two library versions instead (folders, or git revisions as REV:PATH): "
                   "a release note of every change.")
@click.option("--library-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Library the two clause versions come from (default: the shipped clause_library/).")
@click.option("--variant", help="Variant for references that name none (SLOT@V instead of SLOT:VARIANT@V).")
@click.option("--profile", type=click.Path(dir_okay=False, path_type=Path),
              help="Fill variables and section numbers from this client profile (default: a sample client).")
@click.option("--provider", "provider_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Provider details file used with --profile (default: samples/provider.yaml).")
@redline_format_option
@redline_output_option
@redline_clean_option
@redline_author_option
@redline_context_option
def diff(refs: tuple[str, ...], libraries: tuple[str, str] | None, library_dir: Path | None, variant: str | None,
         profile: Path | None, provider_path: Path | None, fmt: str | None, output: Path | None, clean: bool,
         author: str, context_lines: int) -> None:
    """Redline two versions of a clause, or two whole libraries (--library OLD NEW).

    SLOT@V1 SLOT@V2 name the versions, e.g. scope.out_of_scope@1.0.0 scope.out_of_scope@1.1.0, or
    two variants: insurance.client_cyber:standard@1.0.0 insurance.client_cyber:standard@1.1.0.
    """
    from . import redline as redlines

    if libraries:
        if refs:
            raise click.UsageError("give either SLOT@V1 SLOT@V2 or --library OLD_DIR NEW_DIR, not both")
        result: Any = redlines.diff_libraries(libraries[0], libraries[1], profile=profile)
    else:
        if len(refs) != 2:
            raise click.UsageError("name two clause versions, e.g. scope.out_of_scope@1.0.0 scope.out_of_scope@1.1.0")
        result = redlines.diff_clauses(refs[0], refs[1], library_dir=library_dir, variant=variant, profile=profile,
                                       provider=provider_path)
    _redline_output(result, output, fmt, clean, author, context_lines)


@main.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@redline_format_option
@redline_output_option
@redline_clean_option
@redline_author_option
@redline_context_option
def compare(old: Path, new: Path, fmt: str | None, output: Path | None, clean: bool, author: str,
            context_lines: int) -> None:
    """Redline two builds of a client's agreement (their lock files or agreement DOCX files).

    Sections are aligned by clause, so a moved section shows as moved and renumbering is not a change.
    """
    from . import redline as redlines

    _redline_output(redlines.compare(old, new), output, fmt, clean, author, context_lines)
