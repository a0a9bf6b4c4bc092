"""Where the shipped library, templates and provider file are found by default."""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


def shipped(name: str, env: str | None = None) -> Path:
    """A shipped folder or file: the environment variable, else the checkout, else the working dir.

    msa-builder is installed from a clone (`pip install -e .`), so the checkout beside the
    package is the normal answer; the working directory covers a plain `pip install .` run
    from the clone.
    """
    if env and os.environ.get(env):
        return Path(os.environ[env])
    for base in (_REPO, Path.cwd()):
        candidate = base / name
        if candidate.exists():
            return candidate
    return _REPO / name


def default_library() -> Path:
    return shipped("clause_library", "MSA_LIBRARY")


def default_templates() -> Path:
    return shipped("templates", "MSA_TEMPLATES")


def default_provider() -> Path:
    return shipped("samples/provider.yaml", "MSA_PROVIDER")
