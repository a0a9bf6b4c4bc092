"""A hash of the code that builds agreements: the package's own source files and data.

The batch memo maps a hash of a build's inputs to the bill of materials they produce, so that an
unchanged client costs no selection. The code is one of those inputs: keyed on the version
string alone, any change that ships without a version bump (every commit of a development
checkout) would have `--only-stale` answer with bills the old code computed.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def tree_fingerprint(root: Path) -> str:
    """The sha256 of every file under `root` (names and bytes; compiled caches left out)."""
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The fingerprint of the installed msa_builder package, computed once per process (~10 ms)."""
    return tree_fingerprint(PACKAGE)
