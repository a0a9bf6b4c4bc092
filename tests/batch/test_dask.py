"""`msa batch --scheduler`: the batch on Dask gives the process pool's bytes, results and recovery.

Two clusters: `local:N`, which the batch starts itself, and a `dask scheduler` with two `dask
worker` processes on 127.0.0.1 that this module starts and stops (no shared state with the test
process but the network and this machine's files, as on a real cluster). That scheduler lets a
task take part in one worker death and queues one task per worker (the settings `local:N` uses),
and its workers preload `dask_killer`, which kills a worker on the client named KILLER.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from msa_builder.batch import BatchConfig, dask_runner, run_batch
from msa_builder.cli import main
from msa_builder.errors import BatchError
from msa_builder.ledger import Ledger

from .conftest import PROVIDER, TEMPLATES

pytest.importorskip("distributed")
pytestmark = pytest.mark.skipif(os.name != "posix", reason="kills worker processes by signal")

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from generate_profiles import generate  # noqa: E402

HERE = Path(__file__).resolve().parent
KILLER = "client-kills.yaml"
BAD = "client-bad.yaml"
START_SECONDS = 90


def files_of(out: Path) -> dict[str, bytes]:
    """Every client's output file by path under OUT (not the ledger, not the batch's lock file)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*/*")) if p.is_file()}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six generated clients and BAD, a profile the library refuses (an unknown tier)."""
    folder = tmp_path_factory.mktemp("source")
    generate(folder, count=6)
    data = yaml.safe_load((folder / "client-0000.yaml").read_text(encoding="utf-8"))
    data["client"]["legal_name"] = "Refused Tier LLC"
    data["tier"] = "platinum"
    (folder / BAD).write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


def only_bad_failed(report) -> bool:
    return [r.label for r in report.failed] == [r.label for r in report.results if r.label.endswith(BAD)]


def pool(source: Path, config: BatchConfig, *, jobs: int = 2) -> dict[str, bytes]:
    """The process pool's outputs for `source`."""
    report = run_batch(source, config, jobs=jobs)
    assert only_bad_failed(report) and report.counts()["built"] == len(report.results) - len(report.failed)
    return files_of(config.out_dir)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> BatchConfig:
    """The module's batch options: one provider file for every test, since locks record its path."""
    folder = tmp_path_factory.mktemp("inputs")
    provider = Path(shutil.copy(PROVIDER, folder / "provider.yaml"))
    return BatchConfig(out_dir=folder / "unused", provider_path=provider, templates_dir=TEMPLATES)


@pytest.fixture(scope="module")
def expected(source: Path, base: BatchConfig, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """What the process pool writes for `source`, which every Dask run must write byte for byte."""
    return pool(source, dataclasses.replace(base, out_dir=tmp_path_factory.mktemp("pool") / "out"))


@pytest.fixture
def config(base: BatchConfig, tmp_path: Path) -> BatchConfig:
    return dataclasses.replace(base, out_dir=tmp_path / "out")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `dask scheduler` and two `dask worker` processes on 127.0.0.1; yields the scheduler's address."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH")) if p),
           "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
           "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0", "MSA_TEST_KILL_LABEL": KILLER,
           "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}  # the README's settings for a cluster
    address_file = folder / "scheduler.json"
    commands = [[sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                 "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(address_file)]]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for index in range(3):
            log = open(folder / f"process-{index}.log", "wb")  # noqa: SIM115 - closed with the process
            processes.append(subprocess.Popen(commands[-1], env=env, stdout=log, stderr=subprocess.STDOUT))
            log.close()
            if index == 0:
                deadline = time.monotonic() + START_SECONDS
                while not address_file.exists() and time.monotonic() < deadline:
                    time.sleep(0.1)
                address = json.loads(address_file.read_text())["address"]
                commands.append([sys.executable, "-m", "dask", "worker", address, "--nthreads", "1", "--nworkers",
                                 "1", "--host", "127.0.0.1", "--no-dashboard", "--preload", "dask_killer"])
        with Client(address, timeout=START_SECONDS) as client:
            client.wait_for_workers(2, timeout=START_SECONDS)
        yield address
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_local_cluster_gives_the_pools_bytes_and_a_bad_client_fails_alone(source, config, expected):
    totals, seen = [], []
    report = run_batch(source, config, scheduler="local:2", on_start=totals.append, on_result=seen.append)
    assert report.counts() == {"built": 6, "unchanged": 0, "failed": 1, "skipped": 0}
    [failed] = report.failed
    assert failed.label.endswith(BAD) and "platinum" in failed.error
    assert files_of(config.out_dir) == expected
    assert totals == [7] and sorted(r.label for r in seen) == sorted(r.label for r in report.results)
    with Ledger(config.ledger) as ledger:
        assert len(ledger.latest_all()) == 6
    rerun = run_batch(source, config, scheduler="local:2", only_stale=True)  # the memo answers: no cluster
    assert rerun.counts() == {"built": 0, "unchanged": 0, "failed": 1, "skipped": 6}


@pytest.mark.soffice
def test_a_scheduler_and_two_workers_give_the_pools_pdf_bytes(source, config, tmp_path, cluster):
    two = tmp_path / "two"
    two.mkdir()
    for name in ("client-0000.yaml", "client-0001.yaml"):
        shutil.copy(source / name, two / name)
    pdf = dataclasses.replace(config, formats=("docx", "pdf"))
    expected = pool(two, dataclasses.replace(pdf, out_dir=tmp_path / "pool"), jobs=1)
    report = run_batch(two, pdf, scheduler=cluster)
    assert report.counts()["built"] == 2 and not report.failed
    assert files_of(pdf.out_dir) == expected
    assert any(name.endswith("-msa.pdf") for name in expected)


def test_a_killed_workers_clients_are_resubmitted(source, config, expected, cluster):
    from distributed import Client

    killed: list[str] = []
    with Client(cluster) as client:
        pids = client.run(os.getpid)

        def kill_a_busy_worker(result) -> None:
            busy = [(address, keys) for address, keys in client.processing().items() if keys]
            if not killed and busy:
                address, keys = busy[0]
                os.kill(pids[address], signal.SIGKILL)
                killed.extend(str(k) for k in keys)

        report = run_batch(source, config, scheduler=cluster, on_result=kill_a_busy_worker)
    assert killed, "a worker was building a client when it was killed"
    assert report.counts()["built"] == 6 and only_bad_failed(report)
    assert files_of(config.out_dir) == expected
    built = {r.slug for r in report.results}
    assert all(any(slug in key for slug in built) for key in killed)


def test_a_client_that_kills_its_worker_fails_alone(source, config, tmp_path, cluster):
    clients = tmp_path / "clients"
    shutil.copytree(source, clients)
    data = yaml.safe_load((source / "client-0001.yaml").read_text(encoding="utf-8"))
    data["client"]["legal_name"] = "Worker Killer LLC"
    (clients / KILLER).write_text(yaml.safe_dump(data), encoding="utf-8")
    report = run_batch(clients, config, scheduler=cluster)
    failed = {Path(r.label).name: r for r in report.failed}
    assert sorted(failed) == [BAD, KILLER] and "died while building it, 2 times" in failed[KILLER].error
    assert report.counts()["built"] == 6
    assert not (config.out_dir / failed[KILLER].slug).exists()


def test_ctrl_c_stops_cleanly_and_a_rerun_finishes_the_rest(source, config, expected):
    command = [sys.executable, "-c", "from msa_builder.cli import main; main()", "batch", str(source),
               "--out", str(config.out_dir),
               "--provider", str(config.provider_path), "--templates", str(TEMPLATES), "--scheduler", "local:2"]
    batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)  # its own process group, as a terminal's job is
    assert batch.stderr is not None
    progress = [batch.stderr.readline()]
    os.killpg(batch.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole group
    out, err = batch.communicate(timeout=120)
    assert batch.returncode == 130, err
    assert "Traceback" not in err and "INTERRUPTED" in out
    assert progress[0].startswith("[1/7] ")
    rerun = run_batch(source, config, jobs=1, only_stale=True)
    assert only_bad_failed(rerun) and rerun.counts()["built"] >= 1
    assert files_of(config.out_dir) == expected


def test_without_dask_the_scheduler_option_says_how_to_install_it(monkeypatch, clients, config):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now fails
    result = CliRunner().invoke(main, ["batch", str(clients), "--out", str(config.out_dir), "--scheduler", "local:2"])
    assert result.exit_code == 2
    assert "pip install 'msa-builder[dask]'" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("options", "message"), [
    (["--scheduler", "dask-cluster"], "is not a Dask scheduler"),
    (["--scheduler", "local:0"], "at least one worker"),
    (["--scheduler", "local:2", "--jobs", "2"], "--jobs is for this machine's process pool"),
])
def test_a_scheduler_that_cannot_work_is_refused_with_exit_2(options, message, clients, config):
    result = CliRunner().invoke(main, ["batch", str(clients), "--out", str(config.out_dir), *options])
    assert result.exit_code == 2 and message in result.output
    assert not config.out_dir.exists()


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch, clients, config):
    monkeypatch.setattr(dask_runner, "CONNECT_SECONDS", 1.0)
    with pytest.raises(BatchError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_batch(clients, config, scheduler="tcp://127.0.0.1:9")


def test_a_workers_plugin_builds_from_copies_and_records_the_coordinators_paths(source, base, tmp_path,
                                                                               shipped_library):
    from types import SimpleNamespace

    from msa_builder.batch.dask_plugin import BatchPlugin, shipment
    from msa_builder.batch.staleness import build_inputs

    templates = Path(shutil.copytree(TEMPLATES, tmp_path / "templates"))  # not the package's own
    config = dataclasses.replace(base, out_dir=tmp_path / "out", templates_dir=templates)
    inputs = build_inputs(config.build_options(shipped_library))
    plugin = BatchPlugin(shipment(config, inputs, shipped_library, build=True))
    plugin.setup(SimpleNamespace(address="tcp://127.0.0.1:1"))
    try:
        assert plugin.worker is not None
        options = plugin.worker.options
        assert options.templates_dir != templates and (options.templates_dir / "agreement.docx").read_bytes() == \
            (templates / "agreement.docx").read_bytes()
        assert options.provider_path != base.provider_path
        assert options.sources == {"library": "(shipped)", "templates": str(templates.resolve()),
                                   "provider": str(base.provider_path.resolve())}
        copies = options.templates_dir.parent
    finally:
        plugin.teardown(None)
    assert not copies.exists(), "teardown removes the worker's copies"
    other = BatchPlugin(shipment(config, dataclasses.replace(inputs, code="another checkout"), shipped_library,
                                 build=False))
    with pytest.raises(RuntimeError, match="runs other msa-builder code than the coordinator"):
        other.setup(SimpleNamespace(address="tcp://127.0.0.1:1"))


def test_every_clients_task_shares_one_dask_prefix_and_names_its_client():
    # Dask keeps metrics per key prefix for a worker's life: a prefix per client grew each worker
    # by ~17 MB over 2,000 clients (benchmarks/bench_scale.py) and slowed the scheduler.
    from dask.utils import key_split

    keys = [dask_runner.task_key("harbor-finch-llp-da242c") for _ in range(500)] + [dask_runner.task_key(None)]
    assert {key_split(key) for key in keys} == {"msa-client"}
    assert keys[0].endswith("-harbor-finch-llp-da242c") and keys[-1].endswith("-unplaced")
    assert len(set(keys)) == len(keys)


def test_a_local_clusters_workers_keep_no_statistical_profile():
    # Dask's profiler keeps a tree of sampled stacks for each of the last 1,000 seconds: a local
    # worker grew by ~14 KB a client over 2,000 clients (benchmarks/bench_scale.py) until it was off.
    with dask_runner._client("local:1") as client:
        profiling = client.run(lambda dask_worker: sorted(dask_worker.periodic_callbacks))
        saturation = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.WORKER_SATURATION)
    [callbacks] = profiling.values()
    assert "profile" not in callbacks and "profile-cycle" not in callbacks
    assert "heartbeat" in callbacks, "the worker's other periodic work goes on"
    assert saturation == 1.0


def test_the_readmes_setting_starts_a_clusters_workers_without_the_profiler(cluster):
    from distributed import Client

    with Client(cluster) as client:
        callbacks = client.run(lambda dask_worker: sorted(dask_worker.periodic_callbacks))
    assert len(callbacks) == 2
    assert all("profile" not in names and "heartbeat" in names for names in callbacks.values())
