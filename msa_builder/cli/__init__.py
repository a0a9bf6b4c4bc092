"""The `msa` command: parses arguments, calls the library, prints. Nothing else lives here.

One module per family of commands; importing them registers their commands on `main`.
"""

from __future__ import annotations

from . import (authoring, batch, core, init, library, lifecycle, new, redline, renewals, serve, signing,  # noqa: F401
               users)  # (registration)
from ._root import main

__all__ = ["main"]
