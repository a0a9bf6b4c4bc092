"""`msa batch --scheduler`: the batch's clients built on a Dask cluster, written here.

`--scheduler tcp://HOST:8786` uses a running cluster; `--scheduler local:N` starts a LocalCluster
of N worker processes on 127.0.0.1 for the batch alone (one big machine, the tests). Each worker
gets the batch's plugin (dask_plugin): the library loaded once and one LibreOffice for its life.

The coordinator (this process) is the only writer of OUT and of the ledger, as the parent is in
the process pool: workers return each client's rendered files (bytes by file name; not the
in-memory Agreement, which costs more to unpickle than the files cost to write) and the
coordinator writes them with the same atomic rules, the lock last, under the batch's lock of OUT. The alternative, workers writing a shared folder, needs a file system every
machine mounts at the same path, and file locks that hold across machines (often not on NFS);
returning the files needs neither, and a worker can never leave a torn output (a client's files
are ~0.4 MB with its PDF, nothing beside LibreOffice's ~0.6 s per document). Before submitting a
client, the coordinator reads what its folder holds (`FolderState`), which the worker checks it
against, and it ships the profile's bytes, so a worker needs no file of the batch at all.

Failures keep the process pool's promises:
- a bad client is its own failed result, built by the same `Worker` code;
- a worker that dies takes no client with it: the scheduler gives its clients to the other
  workers; a client that a worker died building `allowed-failures` + 1 times fails alone
  (`local:N` allows 1, so a client fails when it kills a worker twice; a running cluster
  follows its scheduler's settings, see LOCAL_CLUSTER);
- Ctrl-C (or kill) submits nothing more and abandons the clients in flight: nothing of theirs
  was written, since only the coordinator writes.
At most a few clients per worker thread are in flight, so the coordinator's memory and the
scheduler's queue stay flat however large the batch.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import signal
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import BatchError, MsaError, ProfileError, brief, clip
from .._files import read_input
from ..identity import client_folder
from ..library.model import Library
from .capacity import check_workers
from .sources import SourceEntry
from .staleness import BuildInputs, FolderState, PreviousBuild, folder_state
from .worker import BatchConfig, ClientResult, Pending, complete, failure

if TYPE_CHECKING:
    from distributed import Client, Future

INSTALL = "pip install 'msa-builder[dask]'"
LOCAL = re.compile(r"local:(\d+)")
CONNECT_SECONDS = 30.0  # to reach a running scheduler, and for it to have a worker
IN_FLIGHT_PER_THREAD = 2  # enough to keep every worker busy while results travel back

# A local cluster blames a worker's death on the one client it was building, and fails a client
# that kills its worker twice, as the process pool does: each worker holds one task at a time
# (Dask's default queues a second on it, which would share the blame) and a task may be involved
# in one death (Dask's default is 3). A running cluster's scheduler decides for itself; these are
# its DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION and ..._ALLOWED_FAILURES.
#
# Its workers also leave out Dask's statistical profiler, a view of its dashboard that nobody opens
# on a batch's own cluster: it keeps a tree of the sampled call stacks for every second of the
# last 1,000 (distributed.admin.low-level-log-length), so a worker grew by ~14 KB a client for the
# first quarter of an hour of a batch. A running cluster's workers profile unless started with
# DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False (README, "Speed at scale").
LOCAL_CLUSTER = {"distributed.scheduler.worker-saturation": 1.0, "distributed.scheduler.allowed-failures": 1,
                 "distributed.worker.profile.enabled": False}

OnResult = Callable[[ClientResult], None]


def scheduler_workers(spec: str) -> int | None:
    """N of `local:N`, None for a scheduler's address; a malformed --scheduler is refused."""
    match = LOCAL.fullmatch(spec)
    if match:
        workers = int(match.group(1))
        if workers < 1:
            raise BatchError("local:N needs at least one worker", field="--scheduler", hint="e.g. local:2")
        return check_workers(workers, field="--scheduler")
    if re.fullmatch(r"[a-z][a-z0-9+.-]*://\S+", spec):
        _check_port(spec)
        return None
    raise BatchError(f"{brief(spec)} is not a Dask scheduler", field="--scheduler",
                     hint="give a scheduler's address (tcp://HOST:8786) or local:N for N workers on this machine")


def _check_port(spec: str) -> None:
    # A port out of range would otherwise cost CONNECT_SECONDS of waiting before the same refusal.
    try:
        urlsplit(spec).port
    except ValueError:
        raise BatchError(f"{brief(spec)} is not a Dask scheduler: its port is not a number from 1 to 65535",
                         field="--scheduler", hint="e.g. tcp://scheduler.example:8786") from None


def check_scheduler(spec: str) -> None:
    """Refuse, before anything runs, a --scheduler that cannot work: malformed, or Dask not installed."""
    scheduler_workers(spec)
    _distributed()


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise BatchError("--scheduler runs the batch on Dask, which is not installed", field="--scheduler",
                         hint=f"install it with `{INSTALL}`, or leave out --scheduler for this machine's "
                              "process pool") from None
    return distributed


@contextmanager
def _client(spec: str) -> Iterator[Client]:
    """A client of the cluster `spec` names; for local:N, a LocalCluster that lives as long as the client."""
    distributed = _distributed()
    workers = scheduler_workers(spec)
    if workers is not None:
        import dask

        with dask.config.set(LOCAL_CLUSTER), _workers_ignore_ctrl_c():
            try:
                cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                   host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                                   silence_logs=logging.CRITICAL)
            except (OSError, RuntimeError, TimeoutError) as exc:
                raise BatchError(f"cannot start {workers} local Dask worker(s): {clip(str(exc))}",
                                 field="--scheduler", hint="a script that starts a batch on local:N must guard "
                                 "its work with `if __name__ == '__main__':`, as for any process pool") from None
        with cluster, distributed.Client(cluster) as client:
            yield client
        return
    try:
        client = distributed.Client(spec, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BatchError(f"cannot reach the Dask scheduler at {spec}: {clip(str(exc) or type(exc).__name__)}",
                         field="--scheduler", hint="start one with `dask scheduler` (and workers with "
                                                   "`dask worker ADDRESS`), or use local:N") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError) as exc:
            raise BatchError(f"the Dask scheduler at {spec} has no workers ({clip(str(exc) or 'timed out')})",
                             field="--scheduler", hint="start some with `dask worker ADDRESS`") from None
        yield client


@contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start local workers ignoring SIGINT, which they inherit, as do the workers their nannies restart.

    A terminal's Ctrl-C reaches the whole process group; the coordinator decides what it means
    (submit no more, close the cluster), as the process pool's parent does. Off the main thread
    (a web app's batch) there is no Ctrl-C to handle.
    """
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_on_dask(tasks: list[SourceEntry], config: BatchConfig, inputs: BuildInputs, library: Library, *,
                scheduler: str, build: bool, force: bool, emit: OnResult) -> tuple[dict[str, ClientResult], bool]:
    """Process the tasks on the cluster `scheduler` names; returns results and whether interrupted."""
    results: dict[str, ClientResult] = {}
    if not tasks:
        return results, False
    from .dask_plugin import BatchPlugin, shipment

    with _client(scheduler) as client:
        plugin = BatchPlugin(shipment(config, inputs, library, build=build))
        try:
            client.register_plugin(plugin, name=plugin.name)
        except Exception as exc:  # a worker's setup failed; Dask re-raises its exception here
            raise BatchError(f"a Dask worker cannot build this batch: {clip(str(exc))}", field="--scheduler",
                             hint="every worker needs the same msa-builder as this machine, and LibreOffice "
                                  "for PDF output") from None
        try:
            interrupted = _Round(client, plugin.name, config, inputs, build=build, force=force, emit=emit,
                                 results=results).run(tasks)
        finally:
            try:
                client.unregister_worker_plugin(plugin.name)  # each worker closes its LibreOffice
            except Exception:  # noqa: BLE001 - the cluster may be gone; its workers clean up as they leave
                pass
    return results, interrupted


class _Round:
    """Submits clients a few at a time and writes each one's files as its result arrives."""

    def __init__(self, client: Client, plugin: str, config: BatchConfig, inputs: BuildInputs, *, build: bool,
                 force: bool, emit: OnResult, results: dict[str, ClientResult]) -> None:
        from distributed import as_completed

        self.client, self.plugin, self.config, self.inputs = client, plugin, config, inputs
        self.build, self.force, self.emit, self.results = build, force, emit, results
        self.in_flight: dict[Future, SourceEntry] = {}
        self.arrivals = as_completed()
        self.window = IN_FLIGHT_PER_THREAD * max(1, sum(client.nthreads().values()))

    def run(self, tasks: list[SourceEntry]) -> bool:
        """Every task to a result; True when interrupted (nothing more submitted, those in flight dropped)."""
        queue = deque(tasks)
        try:
            self._fill(queue)
            for future in self.arrivals:
                entry = self.in_flight.pop(future)
                self._arrived(future, entry)
                future.release()
                self._fill(queue)
        except KeyboardInterrupt:
            self.client.cancel(list(self.in_flight))
            return True
        return False

    def _fill(self, queue: deque[SourceEntry]) -> None:
        while queue and len(self.in_flight) < self.window:
            self._submit(queue.popleft())

    def _submit(self, entry: SourceEntry) -> None:
        try:
            shipped = _portable(entry)
        except MsaError as exc:  # the file went away or grew since the source was read
            self._done(failure(entry.label, entry.client, entry.slug, exc))
            return
        slug = entry.slug
        folder = folder_state(self.config.out_dir, slug, self.inputs) if slug else _UNPLACED
        from .dask_plugin import process_on_worker

        future = self.client.submit(process_on_worker, self.plugin, shipped, self.build, self.force, folder,
                                    pure=False, key=task_key(slug))
        self.in_flight[future] = entry
        self.arrivals.add(future)

    def _arrived(self, future: Future, entry: SourceEntry) -> None:
        try:
            pending: Pending = future.result()
        except Exception as exc:  # noqa: BLE001 - the task itself catches everything; this is Dask's
            self._done(_lost(entry, exc))
            return
        if pending.misplaced is not None:
            self._place_again(entry, pending.misplaced)
            return
        started = time.perf_counter()
        try:
            result = complete(self.config.out_dir, pending)
        except Exception as exc:  # noqa: BLE001 - writing one client's files fails that client alone
            result = failure(entry.label, pending.result.client, pending.result.slug, exc)
        seconds = round(pending.result.seconds + time.perf_counter() - started, 4)
        self._done(dataclasses.replace(result, seconds=seconds))

    def _place_again(self, entry: SourceEntry, name: str) -> None:
        """The validated name is not the one the folder was chosen for: choose it as a local worker would."""
        try:
            folder = client_folder(self.config.out_dir, name)
        except MsaError as exc:
            self._done(failure(entry.label, name, None, exc))
            return
        self._submit(dataclasses.replace(entry, client=name, folder=folder))

    def _done(self, result: ClientResult) -> None:
        self.results[result.label] = result
        self.emit(result)


# What a worker checks a client against when the batch could not place it from a glance at its
# file: the worker then only validates the name and hands the client back to be placed.
_UNPLACED = FolderState("", PreviousBuild(None, None, "never built"))


def task_key(slug: str | None) -> str:
    """A task's key: one Dask prefix for every client (`msa-client`: the word with a digit ends it), then the slug.

    Dask keeps metrics per key prefix for the life of a worker; a prefix per client would add to
    them with every client of a long batch.
    """
    return f"msa-client-{uuid.uuid4().hex[:11]}0-{slug or 'unplaced'}"  # never all letters


def _portable(entry: SourceEntry) -> SourceEntry:
    """The entry as a worker on another machine can load it: with its bytes, its location resolved here."""
    if entry.path is not None:
        content = read_input(Path(entry.path), error=ProfileError, what="client profile")
        return dataclasses.replace(entry, content=content, origin=str(Path(entry.path).resolve()))
    return dataclasses.replace(entry, origin=str(Path(entry.label).resolve()))


def _lost(entry: SourceEntry, exc: BaseException) -> ClientResult:
    """A client Dask could not build: its worker kept dying, or the cluster went away."""
    from distributed.scheduler import KilledWorker

    if isinstance(exc, KilledWorker):
        error = (f"its Dask worker died while building it, {exc.allowed_failures + 1} times (killed, out of "
                 "memory, or crashed); the other clients were built. Its files are the old ones: only this "
                 "machine writes them. Rerun the batch to try it again")
    else:
        error = (f"the Dask cluster lost it before it was built ({type(exc).__name__}: {clip(str(exc))}); "
                 "its files are the old ones. Rerun the batch (with --only-stale) to build it")
    return ClientResult(entry.label, "failed", client=entry.client, slug=entry.slug, error=error)
