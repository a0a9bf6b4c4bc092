"""`msa init DIR`: create a provider's workspace."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from ..workspace import PATH_HELP, PATHS
from ..workspace_init import EXAMPLE_CLIENT
from ._root import main

_SHOWN = {"msa.toml": "where everything is (paths relative to the workspace)", ".gitignore": "keeps out/ and the "
          "ledger out of git"}


@main.command("init")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a workspace in DIR: msa.toml, your own copy of the library and templates, provider.yaml, clients/.

    Every command run inside DIR (or below it) then uses the workspace. Refuses to overwrite anything.
    """
    created = api.init_workspace(directory)
    click.echo(f"created workspace {directory}")
    help_by_name = {PATHS[key]: text for key, text in PATH_HELP.items()} | _SHOWN
    for path in created:
        shown = f"{path.name}/" if path.is_dir() else path.name
        click.echo(f"  {shown:<18} {help_by_name.get(path.name, '')}")
    click.echo(f"next: fill in {directory / PATHS['provider']}, then add clients with `msa new` "
               f"(clients/{EXAMPLE_CLIENT} shows the shape) and build one with `msa build`")
