"""No package binds one of its submodules' names to something else.

`from .compare import compare` in `redline/__init__.py` once made `import msa_builder.redline.compare
as m` hand back the function, and monkeypatch paths through the module resolve to the wrong
object. Read from the source with `ast`, so every package is checked, web included, without
importing it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "msa_builder"
PACKAGES = sorted(p.parent for p in PACKAGE.rglob("__init__.py"))


def _submodules(package: Path) -> set[str]:
    return {p.stem for p in package.glob("*.py") if p.stem != "__init__"} | \
        {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}


def shadowed(init: Path, submodules: set[str]) -> list[str]:
    """Names of `submodules` that `init` binds to something other than the submodule itself."""
    found = []
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            # `from . import x` binds the submodule x itself; `from .x import y` binds y, an attribute of x.
            if node.level == 1 and node.module is None:
                continue
            names = [a.asname or a.name for a in node.names]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        else:
            continue
        found += [n for n in names if n in submodules]
    return found


@pytest.mark.parametrize("package", PACKAGES, ids=[str(p.relative_to(PACKAGE.parent)) for p in PACKAGES])
def test_no_package_name_hides_a_submodule(package):
    assert shadowed(package / "__init__.py", _submodules(package)) == []


def test_the_check_sees_a_function_named_like_its_module(tmp_path):
    init = tmp_path / "__init__.py"
    init.write_text("from .compare import compare\nfrom . import text\nfrom .text import render\n", encoding="utf-8")
    assert shadowed(init, {"compare", "text", "render_more"}) == ["compare"]
