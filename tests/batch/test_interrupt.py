"""Killing a batch mid-write: every output stays the old complete file or becomes the new complete one.

The batch runs in a subprocess whose `os.replace` (or `os.fsync`) SIGKILLs its own process at
the N-th call: with one job the batch itself dies between two files of one client; with two jobs a
worker does, and the parent must carry on. A rerun must then finish exactly what is still stale.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from msa_builder.batch import run_batch

from .conftest import TEMPLATES

KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path

    hook, at, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    clients, out, provider, templates = (Path(a) for a in sys.argv[4:8])
    real = getattr(os, hook)
    calls = 0

    def killing(*args, **kwargs):
        global calls
        calls += 1
        if hook == "replace":
            real(*args, **kwargs)
        if calls == at:
            os.kill(os.getpid(), signal.SIGKILL)
        if hook == "fsync":
            real(*args, **kwargs)

    setattr(os, hook, killing)
    from msa_builder.batch import BatchConfig, run_batch

    report = run_batch(clients, BatchConfig(out_dir=out, provider_path=provider, templates_dir=templates),
                       jobs=jobs, only_stale=True)
    print(report.counts())
""")


def kill_batch(hook: str, at: int, jobs: int, clients: Path, config) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", KILLER, hook, str(at), str(jobs), str(clients), str(config.out_dir),
               str(config.provider_path), str(TEMPLATES)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def files_of(out: Path) -> dict[str, bytes]:
    """Every output file (temp files a kill leaves behind are hidden and never an output)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*/*"))
            if p.is_file() and not p.name.startswith(".")}


def assert_complete(name: str, data: bytes) -> None:
    if name.endswith(".docx"):
        import io

        with zipfile.ZipFile(io.BytesIO(data)) as package:
            assert package.testzip() is None and "word/document.xml" in package.namelist()
    elif name.endswith("-lock.json"):
        assert json.loads(data)["bom_sha256"]
    elif name.endswith("-agreement.json"):
        assert json.loads(data)["format"] == "msa-agreement/1"


@pytest.mark.parametrize(("hook", "at", "jobs"), [
    ("replace", 1, 1),  # the batch dies right after replacing the first client's agreement, before its lock
    ("replace", 5, 1),  # ... in the middle of the second client
    ("fsync", 2, 1),    # ... while staging temp files, before any rename
    ("replace", 2, 2),  # every worker dies mid-client; the parent retries each client in a fresh one
])
def test_a_killed_batch_leaves_old_or_new_files_and_a_rerun_finishes_only_the_stale(
        hook, at, jobs, clients, config, tmp_path):
    run_batch(clients, config, jobs=1)
    old = files_of(config.out_dir)
    config.provider_path.write_text(config.provider_path.read_text(encoding="utf-8").replace("Suite 400", "Suite 410"),
                                    encoding="utf-8")
    reference = dataclasses.replace(config, out_dir=tmp_path / "reference")
    run_batch(clients, reference, jobs=1)
    new = files_of(reference.out_dir)
    assert set(old) == set(new) and all(old[k] != new[k] for k in old)

    killed = kill_batch(hook, at, jobs, clients, config)
    if jobs == 1:
        assert killed.returncode == -9, killed.stderr
    else:  # workers die, the parent carries on: fresh workers retry what the dead ones left
        assert killed.returncode == 0, killed.stderr
        counts = ast.literal_eval(killed.stdout.strip())
        assert counts["built"] + counts["unchanged"] + counts["failed"] == 3 and counts["skipped"] == 1

    now = files_of(config.out_dir)
    assert set(now) == set(old)
    for name, data in now.items():
        assert data in (old[name], new[name]), f"{name} is neither the old nor the new file"
        assert_complete(name, data)
    clients_done = {name.split("/")[0] for name in now if name.endswith("lock.json") and now[name] == new[name]}
    if hook == "replace" and jobs == 1:
        assert any(now[k] == new[k] for k in now), "the kill came before any file was replaced"
        assert len(clients_done) < 3

    if hook == "fsync":
        assert list(config.out_dir.glob("*/.*.tmp")), "the kill should have left a staged temp file"
    dry = run_batch(clients, config, jobs=1, dry_run=True)
    stale = {r.slug for r in dry.results if r.status == "stale"}
    assert stale == {r.slug for r in dry.results if r.slug} - clients_done
    resumed = run_batch(clients, config, jobs=1, only_stale=True)
    assert {r.slug for r in resumed.results if r.status == "built"} == stale
    assert files_of(config.out_dir) == new
    assert not [p for p in config.out_dir.glob("*/.*.tmp")], "a torn temp file was left behind"


def test_ctrl_c_in_a_pool_keeps_the_clients_in_flight_and_a_rerun_finishes(clients, config):
    def interrupt(result):
        if result.status == "built":
            raise KeyboardInterrupt

    report = run_batch(clients, config, jobs=2, on_result=interrupt)
    assert report.interrupted
    done = [r for r in report.results if r.status == "built"]
    assert 1 <= len(done) <= 3
    for result in done:
        lock = config.out_dir / result.slug / f"{result.slug}-lock.json"
        assert json.loads(lock.read_bytes())["bom"]["client"] == result.client
    resumed = run_batch(clients, config, jobs=2, only_stale=True)
    assert resumed.counts()["built"] == 3 - len(done)


def test_sigterm_stops_a_running_batch_cleanly_with_exit_130(tmp_path, config):
    import signal

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from generate_profiles import generate

    generate(tmp_path / "many", count=30)
    process = subprocess.Popen(
        [sys.executable, "-c", "from msa_builder.cli import main; main()", "batch", str(tmp_path / "many"),
         "--out", str(config.out_dir), "--jobs", "2", "--provider", str(config.provider_path),
         "--templates", str(TEMPLATES)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first.startswith("[ 1/30] built"), first
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 130, out
    assert "INTERRUPTED: rerun to finish the rest" in out
    built = int(out.splitlines()[-1].split(" built")[0])
    assert 1 <= built < 30
    for lock in config.out_dir.glob("*/*-lock.json"):
        folder = lock.parent
        recorded = json.loads(lock.read_bytes())["outputs"]
        for name in recorded:
            assert_complete(name, (folder / name).read_bytes())
    resumed = run_batch(tmp_path / "many", config, jobs=2, only_stale=True)
    assert resumed.counts()["built"] == 30 - built and resumed.counts()["skipped"] == built
