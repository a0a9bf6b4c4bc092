"""Batch fixtures: a small folder of client profiles, an output folder, and a way to see what changed on disk."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from msa_builder.library import load as library_load
from msa_builder.paths import default_library
from msa_builder.batch import BatchConfig

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
TEMPLATES = REPO / "msa_builder" / "data" / "templates"
PROVIDER = SAMPLES.parent / "msa_builder" / "data" / "provider.yaml"
FEW = ("harbor-finch.yaml", "copper-kettle.yaml", "riverbend-pediatrics.yaml")


@pytest.fixture(autouse=True)
def _shipped_library_once(monkeypatch, shipped_library):
    """Batches without --library get the session's already-loaded shipped library (~0.1 s saved each)."""
    original = library_load.open_library
    shipped = default_library()
    monkeypatch.setattr(library_load, "open_library",
                        lambda path=None: shipped_library if path in (None, shipped) else original(path))


@pytest.fixture
def clients(tmp_path: Path) -> Path:
    """A folder with three sample profiles and a provider file (which a batch must skip)."""
    folder = tmp_path / "clients"
    folder.mkdir()
    for name in FEW:
        shutil.copy(SAMPLES / name, folder / name)
    shutil.copy(PROVIDER, folder / "provider.yaml")
    return folder


@pytest.fixture
def provider_copy(tmp_path: Path) -> Path:
    return Path(shutil.copy(PROVIDER, tmp_path / "provider.yaml"))


@pytest.fixture
def config(tmp_path: Path, provider_copy: Path) -> BatchConfig:
    return BatchConfig(out_dir=tmp_path / "out", provider_path=provider_copy, templates_dir=TEMPLATES)


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under `folder` with its mtime and content hash: equal snapshots mean nothing was written."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def bump_clause(library: Path, slot: str, variant: str, old: str, new: str, *, extra: str = "\n") -> Path:
    """Add version `new` of a clause to a library copy: the old text plus `extra`, same rule and date."""
    source = library / "slots" / slot / variant / f"{old}.md"
    text = source.read_text(encoding="utf-8").replace(f"\nversion: {old}\n", f"\nversion: {new}\n", 1)
    target = source.with_name(f"{new}.md")
    target.write_text(text.rstrip("\n") + "\n" + extra, encoding="utf-8")
    return target
