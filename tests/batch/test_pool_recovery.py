"""A worker that dies (os._exit, as an OOM kill would) costs one client, not every client in flight.

The pool breaks as a whole when one worker dies; the batch starts a fresh pool for the clients
that never started, retries the ones that were in flight alone, and fails only a client that
kills its worker twice.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from msa_builder.batch import run_batch
from msa_builder.batch import worker as worker_module
from msa_builder.batch.runner import DIED_TWICE
from msa_builder.ledger import Ledger

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forked workers inherit the patched Worker")

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from generate_profiles import generate  # noqa: E402


@pytest.fixture
def forty(tmp_path: Path) -> Path:
    folder = tmp_path / "forty"
    generate(folder, count=40)
    return folder


def kill_worker_on(monkeypatch, label_end: str, *, times_file: Path | None = None) -> None:
    """Make the worker building `label_end` exit at once, every time or (with `times_file`) the first time."""
    real = worker_module.Worker.process

    def process(self, entry, *, build, force):
        if entry.label.endswith(label_end):
            if times_file is None or not times_file.exists():
                if times_file is not None:
                    times_file.write_text("died once")
                os._exit(137)
        return real(self, entry, build=build, force=force)

    monkeypatch.setattr(worker_module.Worker, "process", process)


def test_a_client_that_kills_its_worker_fails_alone_and_the_other_39_are_built(forty, config, monkeypatch):
    kill_worker_on(monkeypatch, "client-0003.yaml")
    seen = []
    report = run_batch(forty, config, jobs=2, on_result=seen.append)
    [failed] = report.failed
    assert failed.label.endswith("client-0003.yaml") and failed.error == DIED_TWICE
    # A client the surviving worker finished after the pool broke is found already written on retry.
    done = [r for r in report.results if r.status in ("built", "unchanged")]
    assert len(done) == 39
    assert sorted(r.label for r in seen) == sorted(r.label for r in report.results)  # each announced once
    for result in done:
        assert (config.out_dir / result.slug / f"{result.slug}-lock.json").is_file()
    with Ledger(config.ledger) as ledger:
        assert len(ledger.latest_all()) == 39
    rerun = run_batch(forty, config, jobs=2, only_stale=True)
    assert rerun.counts()["skipped"] == 39 and rerun.counts()["failed"] == 1


def test_a_client_whose_worker_died_once_is_retried_and_built(forty, config, monkeypatch, tmp_path):
    kill_worker_on(monkeypatch, "client-0000.yaml", times_file=tmp_path / "died")
    report = run_batch(forty, config, jobs=2)
    assert report.counts()["built"] + report.counts()["unchanged"] == 40 and not report.failed
    assert (tmp_path / "died").read_text() == "died once"


def test_two_killers_fail_and_everyone_else_is_built(forty, config, monkeypatch):
    kill_worker_on(monkeypatch, "client-0005.yaml")
    real = worker_module.Worker.process

    def also(self, entry, *, build, force):
        if entry.label.endswith("client-0030.yaml"):
            os._exit(9)
        return real(self, entry, build=build, force=force)

    monkeypatch.setattr(worker_module.Worker, "process", also)
    report = run_batch(forty, config, jobs=2, dry_run=True)
    assert report.counts() == {"stale": 38, "current": 0, "failed": 2, "skipped": 0}
    assert sorted(Path(r.label).name for r in report.failed) == ["client-0005.yaml", "client-0030.yaml"]
