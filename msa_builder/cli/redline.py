"""`msa diff` and `msa compare`: redlines for attorneys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import api
from ._root import (
    main,
    one_line_text,
    settings,
)


def _redline_output(redline: Any, output: Path | None, fmt: str | None, clean: bool, author: str,
                    context: int) -> None:
    written = api.write_redline(redline, output, fmt, clean=clean, author=author, context=context)
    if isinstance(written, str):
        click.echo(written, nl=False)
        return
    for path in written:
        click.echo(f"wrote {path}")


redline_format_option = click.option("--format", "fmt", type=click.Choice(["text", "html", "docx"]),
                                     help="text (word-level unified diff), html (side by side) or docx (tracked "
                                          "changes). Default: from -o's extension, else text.")
redline_output_option = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                                     help="Write to FILE instead of printing (required for docx).")
redline_clean_option = click.option("--clean", is_flag=True,
                                    help="Also write FILE-clean.docx beside it: the new text without markup.")
redline_author_option = click.option("--author", default="msa-builder", show_default=True, callback=one_line_text,
                                     help="Author of the tracked revisions.")
redline_context_option = click.option("--context", "context_lines", type=click.IntRange(min=0), default=1,
                                      show_default=True, help="Unchanged paragraphs shown around each text hunk.")


@main.command()
@click.argument("refs", nargs=-1, metavar="SLOT@V1 SLOT@V2")
@click.option("--library", "libraries", nargs=2, metavar="OLD NEW",
              help="Compare two library versions instead (folders, or git revisions as REV:PATH): "
                   "a release note of every change.")
@click.option("--library-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Library the two clause versions come from (default: the workspace's, else the shipped library).")
@click.option("--variant", help="Variant for references that name none (SLOT@V instead of SLOT:VARIANT@V).")
@click.option("--profile", type=click.Path(dir_okay=False, path_type=Path),
              help="Fill variables and section numbers from this client profile (default: a sample client).")
@click.option("--provider", "provider_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Provider details file used with --profile (default: the workspace's, else the shipped "
                   "sample provider).")
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
    if libraries:
        if refs:
            raise click.UsageError("give either SLOT@V1 SLOT@V2 or --library OLD_DIR NEW_DIR, not both")
        result: Any = api.diff_library(libraries[0], libraries[1], profile=profile)
    else:
        if len(refs) != 2:
            raise click.UsageError("name two clause versions, e.g. scope.out_of_scope@1.0.0 scope.out_of_scope@1.1.0")
        where = settings(library=library_dir, provider=provider_path)
        result = api.diff_clause(refs[0], refs[1], library_dir=where.library, variant=variant, profile=profile,
                                 provider=where.provider)
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
    _redline_output(api.compare_builds(old, new), output, fmt, clean, author, context_lines)
