"""The `msa` root group, shared options and how our errors are shown."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._version import __version__
from ..errors import MsaError, clip
from ..fieldtypes import text_problem

if TYPE_CHECKING:
    from ..settings import Settings

_WORKSPACE = "msa.workspace"


def _store_workspace(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None:
        ctx.meta[_WORKSPACE] = value  # meta is shared by every nested context: `msa --workspace W library lint`
    return value


def _workspace_param() -> click.Option:
    return click.Option(["--workspace"], type=click.Path(path_type=Path), metavar="DIR", expose_value=False,
                        is_eager=True, callback=_store_workspace,
                        help="Use the workspace in DIR (default: the nearest msa.toml above the current directory).")


def _not_utf8(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


class _Group(click.Group):
    """Turns our errors into one-screen messages and exit code 2 (a traceback only with --debug).

    Anything else that escapes a command is a bug of ours, not the user's: it is reported in one
    line with exit code 1, never as a traceback, and `--debug` shows the traceback to report.

    Every command added to it takes `--workspace DIR`, so no command can forget it.
    """

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not isinstance(cmd, click.Group) and not any(p.name == "workspace" for p in cmd.params):
            cmd.params.append(_workspace_param())
        super().add_command(cmd, name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        bad = next((i for i, a in enumerate(args) if _not_utf8(a)), None) if ctx.parent is None else None
        if bad is not None:
            # Python hands bytes that are not UTF-8 to us as lone surrogates; refuse them at the door.
            option = args[bad - 1] if bad and args[bad - 1].startswith("-") else None
            what = f"the value of {option}" if option else f"command-line argument {bad + 1}"
            click.echo(f"error: {what} is not UTF-8 text; write it in UTF-8", err=True)
            ctx.exit(2)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MsaError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {exc.format()}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt, SystemExit):
            raise  # click's own ways out (usage errors, --help, Ctrl-C, ctx.exit)
        except UnicodeEncodeError as exc:
            # Python decodes bytes that are not UTF-8 in arguments, the environment and file names
            # into lone surrogates; they fail only where text is written (a ledger row, a document).
            if (ctx.obj and ctx.obj.get("debug")) or "surrogates not allowed" not in str(exc):
                raise
            click.echo("error: a command-line argument, environment variable or file name is not UTF-8 text; "
                       "write it in UTF-8", err=True)
            ctx.exit(2)
        except BrokenPipeError:
            # The reader went away (`msa explain FILE | head`): stop quietly as cat does, not as a bug
            # of ours; stdout goes to devnull so the interpreter's last flush cannot fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(141)  # 128 + SIGPIPE, what a shell reports for a writer stopped by a closed pipe
        except Exception as exc:  # noqa: BLE001 - the last resort: no traceback reaches a user
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: internal error ({type(exc).__name__}: {clip(str(exc), 300)}); rerun with --debug "
                       "to see where, and report it", err=True)
            ctx.exit(1)


def one_line_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A text option that ends up in a document or the ledger: the character rules of client text."""
    if value is None:
        return None
    problem = text_problem(value, one_line=True)
    if problem:
        raise click.BadParameter(problem)
    return value


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


library_option = click.option("--library", "library_dir", type=click.Path(file_okay=False, path_type=Path),
                              help="Clause library folder (default: the workspace's, else the shipped library).")
as_of_option = click.option("--as-of", callback=_date, metavar="DATE",
                            help="Pick clause versions effective on this date (default: today, or the "
                                 "agreement's effective date when that is later).")
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


main.params.append(_workspace_param())  # `msa --workspace DIR COMMAND`, as well as `msa COMMAND --workspace DIR`


def settings(**flags: Path | None) -> Settings:
    """The command's paths: its flags, else the workspace, else the shipped defaults (see `settings.resolve`)."""
    from ..settings import resolve

    return resolve(workspace=click.get_current_context().meta.get(_WORKSPACE), **flags)


def note_sample_provider(resolved: Settings) -> None:
    """Say on stderr, after the command's own output, that the fictional sample provider was used."""
    notice = resolved.sample_notice
    if notice:
        click.echo(notice, err=True)


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    formats = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    from ..outputs import FORMATS

    for fmt in formats:
        if fmt not in FORMATS:
            raise click.BadParameter(f"{fmt!r} is not a format; choose from {', '.join(FORMATS)}")
    return formats


out_option = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                          help="Output folder of the builds; each client has a sub-folder (default: the "
                               "workspace's, else ./out).")
ledger_option = click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
                             help="Ledger database (default: the workspace's, else OUT/ledger.sqlite).")
provider_option = click.option("--provider", "provider_path", type=click.Path(dir_okay=False, path_type=Path),
                               help="Provider details file (default: the workspace's, else the shipped sample "
                                    "provider).")
templates_option = click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
                                help="Folder holding agreement.docx and review-memo.docx (default: the "
                                     "workspace's, else the shipped templates).")
