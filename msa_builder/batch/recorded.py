"""Inputs as the clients' locks record them: what `msa status` compares against outside a workspace.

A batch run with `--library ../our-library` writes that path into every lock. Without a workspace
to say which library is the provider's, `msa status` reads it back from the locks instead of
comparing the clients against the shipped library (and calling every one out of date). Locks that
name different inputs are a question only the user can answer: they are refused, not guessed.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..outputs import SHIPPED
from ..errors import BatchError
from ..settings import Settings
from .sources import read_source
from .staleness import read_previous

_FLAGS = {"library": "--library", "templates": "--templates", "provider": "--provider"}


def recorded_settings(settings: Settings, source: Path) -> Settings:
    """`settings` with the library, templates and provider the source's locks name, where no flag or workspace does."""
    if settings.workspace is not None:
        return settings
    wanted = [name for name in _FLAGS if settings.flags.get(name) is None]
    if not wanted:
        return settings
    seen: dict[str, Counter[str]] = {name: Counter() for name in wanted}
    for entry in read_source(source):
        if entry.slug is None:
            continue
        lock = read_previous(settings.out, entry.slug).lock
        recorded = (lock or {}).get("sources")
        if not isinstance(recorded, dict):
            continue
        for name in wanted:
            if isinstance(recorded.get(name), str):
                seen[name][recorded[name]] += 1
    flags = dict(settings.flags)
    for name, counts in seen.items():
        if len(counts) > 1:
            listed = ", ".join(f"{path} ({n} client(s))" for path, n in counts.most_common())
            raise BatchError(f"the clients' locks name different {name} inputs: {listed}", field=_FLAGS[name],
                             hint=f"pass {_FLAGS[name]} to say which to compare against")
        if counts:
            (path,) = counts
            flags[name] = None if path == SHIPPED else Path(path)
    return Settings(workspace=None, flags=flags)
