"""The flow runs one way: each module imports only its own layer or the layers below it.

Read from the source with `ast` (nothing is imported), so a new upward import fails here before
it makes a renderer depend on the batch, or the library on selection.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "msa_builder"

# Lowest first. A module may import modules of its own layer or of any lower one; the groups in
# one layer that are siblings (renderers, batch and lint) may not import one another.
LAYERS: list[list[str]] = [
    ["_version", "errors", "marks", "numbering", "paths", "_files", "ooxml", "rules", "clock",
     "workspace", "sandbox", "fieldtypes", "_parse", "lockcheck", "names", "_jsontext"],
    ["library"],
    ["blocks", "templating"],
    ["profile", "params", "identity"],
    ["as_of"],
    ["selection", "records"],
    ["terms"],
    ["context", "explanation", "review_notes", "renewal_terms"],
    ["agreement", "assemble", "lock", "content"],
    ["render", "pdf", "redline"],
    # The ledger records what the flow produced, so nothing that produces it (the model, the
    # renderers) may read it; settings name the ledger's path.
    ["ledger", "ledger_schema", "users", "settings"],
    ["outputs", "signing"],
    ["batch", "linting", "lifecycle", "amendments", "renewal_calendar", "downloads", "review"],
    ["authoring", "workspace_init", "new_profile", "profile_form"],
    ["api"],
    ["cli", "__init__", "web"],
]
SIBLINGS = [{"render", "pdf", "redline"}, {"batch", "linting"}]


def _group(module: str) -> str:
    """`msa_builder.render.wordml` -> `render`; the package itself -> `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(group: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if group in names)


def _imports(path: Path) -> set[str]:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    package = parts[:-1]  # the package a relative import starts from (for __init__.py, its own)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                found |= {f"{target}.{a.name}" for a in node.names} if node.module is None else {target}
            elif node.module and node.module.startswith("msa_builder"):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("msa_builder")}
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_package_module_has_a_layer():
    groups = {_group(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)) for p in MODULES}
    placed = {g for layer in LAYERS for g in layer}
    assert groups <= placed, f"place these in LAYERS: {sorted(groups - placed)}"


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_no_module_reaches_up_the_flow(path):
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    own = _group(module.removesuffix(".__init__"))
    for target in _imports(path):
        other = _group(target)
        if other == own:
            continue
        assert _layer(other) <= _layer(own), f"{module} imports {target}, which is above it in the flow"
        for siblings in SIBLINGS:
            assert not {own, other} <= siblings, f"{module} imports its sibling {target}"


def test_the_check_sees_real_imports():
    found = _imports(PACKAGE / "render" / "agreement_docx.py")
    assert "msa_builder.agreement" in found and "msa_builder.ooxml.shell" in found
