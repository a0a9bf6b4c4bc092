"""Authoring clause versions: new drafts, approval, and library releases, without hand-editing.

placeholder
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LibraryError
from ..paths import is_development_checkout, is_shipped

if TYPE_CHECKING:
    from ..settings import Settings


def writable_library(settings: Settings) -> Path:
    """The library a command may write to: never the copy inside an installed package."""
    library = settings.library
    if is_shipped(library) and not is_development_checkout():
        raise LibraryError("the shipped clause library is read-only: it is part of the installed msa-builder "
                           "package, which every upgrade replaces", file=str(library),
                           hint="create a workspace with a copy of your own (`msa init DIR`), or pass --library DIR")
    return library
