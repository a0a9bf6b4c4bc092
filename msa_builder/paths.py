"""Where the shipped library, templates and sample provider file are found by default.

They are package data (`msa_builder/data/`), read through `importlib.resources`, so an installed
wheel works from any directory. They are the fallback and the seed of `msa init`, never the place a
provider edits: a provider's own copies live in its workspace. The MSA_LIBRARY, MSA_TEMPLATES and
MSA_PROVIDER environment variables override them.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

_DATA = "data"
# How a lock records the package's own library, templates or provider file: their path differs from
# one install to the next, so a path would make the same build write another lock.
SHIPPED = "(shipped)"


def shipped_data() -> Path:
    """The package's data folder on disk.

    Wheels install package data as ordinary files, so the resource is a real directory; a zipped
    install, which would need extracting, is not supported.
    """
    resource = files("msa_builder") / _DATA
    return Path(str(resource))


def _shipped(name: str, env: str) -> Path:
    configured = os.environ.get(env)
    if configured:
        return Path(configured)
    return shipped_data() / name


def default_library() -> Path:
    return _shipped("clause_library", "MSA_LIBRARY")


def default_templates() -> Path:
    return _shipped("templates", "MSA_TEMPLATES")


def default_provider() -> Path:
    return _shipped("provider.yaml", "MSA_PROVIDER")


def recorded_library(recorded: str) -> Path:
    """The library folder a lock's `sources` names (SHIPPED means the package's own)."""
    return default_library() if recorded == SHIPPED else Path(recorded)


def is_shipped(path: Path | str) -> bool:
    """True when `path` is (inside) the package's own data, which commands must not modify."""
    try:
        Path(path).resolve().relative_to(shipped_data().resolve())
    except ValueError:
        return False
    return True


def is_development_checkout() -> bool:
    """True when the package runs from its source tree (setup.cfg beside it), not from an installed copy.

    In a checkout the shipped library is the project's own source, which its maintainers author;
    installed, it is a copy in site-packages that every upgrade replaces.
    """
    package = Path(str(files("msa_builder")))
    return (package.parent / "setup.cfg").is_file()
