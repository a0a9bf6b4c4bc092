"""`msa batch`: check every client of a source against its lock and rebuild them in parallel.

The parent process reads the source, answers what it can from the ledger's memo (an unchanged
client costs a file hash and a lock read, so a no-op rerun never starts a worker), and hands the
rest to a process pool whose workers each load the library once. Results come back per client:
one bad profile is one failed result, never a stopped batch, and a client that kills its worker
costs that client alone (see `_run_tasks`).

Interrupting is safe at any moment: every output is replaced by rename, the lock last, so a
file is the old one or the new one; a client whose lock did not land is stale on the next run,
which therefore resumes with exactly what is left.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any

from .. import clock
from ..as_of import describe_batch
from ..errors import BatchError, MsaError
from ..identity import Owner, client_folder
from ..ledger import Ledger
from ..library.model import Library
from ..profile import load_provider
from .capacity import check_workers, default_jobs
from .sources import SourceEntry, duplicate_errors, read_source
from .staleness import BuildInputs, build_inputs, is_current_by_memo, read_previous
from .worker import BatchConfig, ClientResult, Worker, init_process, process_in_pool

STATUSES = ("built", "unchanged", "failed", "skipped")
DRY_RUN_STATUSES = ("stale", "current", "failed", "skipped")
LOCK_NAME = ".msa-batch.lock"

OnResult = Callable[[ClientResult], None]


@dataclass(frozen=True)
class BatchReport:
    """A finished (or interrupted) batch: one result per source entry, in source order."""

    results: tuple[ClientResult, ...]
    seconds: float
    dry_run: bool = False
    interrupted: bool = False
    as_of_rule: str = ""  # which as-of date chose the clause versions (see `as_of.describe_batch`)

    def counts(self) -> dict[str, int]:
        names = DRY_RUN_STATUSES if self.dry_run else STATUSES
        return {name: sum(1 for r in self.results if r.status == name) for name in names}

    @property
    def failed(self) -> list[ClientResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def docs_per_second(self) -> float:
        built = sum(1 for r in self.results if r.status in ("built", "unchanged"))
        return built / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"summary": {**self.counts(), "total": len(self.results), "seconds": round(self.seconds, 3),
                            "docs_per_second": round(self.docs_per_second, 2), "dry_run": self.dry_run,
                            "interrupted": self.interrupted, "as_of_rule": self.as_of_rule},
                "clients": [r.as_dict() for r in self.results]}


@contextmanager
def _output_lock(out_dir: Path) -> Iterator[None]:
    """Hold OUT for this batch alone: two batches writing one folder would race on every client."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"cannot create the output folder: {exc.strerror}", file=str(out_dir),
                         hint="--out must be a folder, or a path where one can be made") from None
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; running two batches at once is on the user
        yield
        return
    try:
        handle = open(out_dir / LOCK_NAME, "a")  # noqa: SIM115 - closed by the with below
    except OSError as exc:  # a folder in its place, or a read-only output folder
        raise BatchError(f"cannot open the batch lock file: {exc.strerror}", file=str(out_dir / LOCK_NAME),
                         hint="remove whatever is in its place, or use another --out") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchError("another batch is writing to this output folder", file=str(out_dir),
                             hint="wait for it to finish, or use another --out") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat `kill` (SIGTERM) like Ctrl-C: finish the clients in flight, start no more."""
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _pool_context() -> Any:
    # fork starts a worker in milliseconds with everything imported; elsewhere spawn is the safe one.
    return multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")


class _Recorder:
    """The batch's only ledger writer: records each build as its result arrives, memo entries in bulk.

    The connection opens on demand and is closed before a pool forks its workers (`suspend`), so
    no worker inherits an open SQLite connection; results only arrive once the workers exist.
    """

    MEMO_BATCH = 200

    def __init__(self, config: BatchConfig) -> None:
        self.config = config
        self._ledger: Ledger | None = None
        self._memo: list[tuple[str, str]] = []

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = Ledger(self.config.ledger)
        return self._ledger

    def __call__(self, result: ClientResult) -> None:
        if result.memo is not None:
            self._memo.append(result.memo)
            if len(self._memo) >= self.MEMO_BATCH:
                self._flush()
        if result.slug and result.lock_sha256:
            self.record(result.slug, result.lock_sha256, result.label)

    def record(self, slug: str, lock_sha256: str, source: str, lock: dict[str, Any] | None = None) -> None:
        """Record the client's lock on disk unless it is already the client's latest agreement.

        Idempotent, so it also records builds the ledger lacks: made by `msa build`, or by a batch
        killed between writing a lock and recording it.
        """
        latest = self.ledger.latest(slug)
        if latest is not None and latest.lock_sha256 == lock_sha256:
            return
        if lock is None:
            previous = read_previous(self.config.out_dir, slug)
            if previous.lock is None or previous.lock_sha256 != lock_sha256:
                return  # replaced since; whoever replaced it records it
            lock = previous.lock
        self.ledger.record_build(lock, lock_sha256=lock_sha256, slug=slug,
                                 directory=str((self.config.out_dir / slug).resolve()), source=source,
                                 by=self.config.by)

    def _flush(self) -> None:
        memo, self._memo = self._memo, []
        self.ledger.memo_put_many(memo)

    def suspend(self) -> None:
        self._flush()
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

    close = suspend


def _assign_folders(entries: list[SourceEntry], out_dir: Path, ledger: Ledger | None
                    ) -> tuple[list[SourceEntry], dict[str, ClientResult]]:
    """Give each client its own output folder before any worker starts, in source order.

    A folder belongs to the client its lock or its ledger records name, or to a client placed
    earlier in this batch; two clients whose names share a short hash get different folders.
    """
    placed: dict[str, str] = {}
    owners: list[Owner] = [placed.get] + ([ledger.slug_client] if ledger is not None else [])
    assigned: list[SourceEntry] = []
    failed: dict[str, ClientResult] = {}
    for entry in entries:
        if entry.client is None:
            assigned.append(entry)
            continue
        try:
            folder = client_folder(out_dir, entry.client, owners=owners)
        except MsaError as exc:
            failed[entry.label] = ClientResult(entry.label, "failed", client=entry.client, error=exc.format())
            continue
        placed[folder] = entry.client
        assigned.append(replace(entry, folder=folder))
    return assigned, failed


def _answer_from_memo(entries: list[SourceEntry], config: BatchConfig, inputs: BuildInputs,
                      recorder: _Recorder) -> dict[str, ClientResult]:
    """Clients proven current by the memo and their intact outputs, without selecting or rendering."""
    answered: dict[str, ClientResult] = {}
    for entry in entries:
        slug = entry.slug
        if slug is None:
            continue
        memo = recorder.ledger.memo_get(inputs.key(entry.sha256))
        if memo is None:
            continue
        previous = read_previous(config.out_dir, slug)
        if not is_current_by_memo(memo, previous, config.out_dir, slug, inputs):
            continue
        assert previous.lock is not None and previous.lock_sha256 is not None
        recorder.record(slug, previous.lock_sha256, entry.label, previous.lock)
        answered[entry.label] = ClientResult(entry.label, "skipped", client=entry.client, slug=slug,
                                             agreement_id=previous.lock["bom"]["agreement_id"],
                                             reason="up to date", lock_sha256=previous.lock_sha256)
    return answered


DIED_TWICE = ("its worker process died while building it, twice: once beside other clients and once alone "
              "(killed, out of memory, or crashed); the other clients were built. Its files are the old or the "
              "new ones, never torn; rerun the batch to try it again")


def _run_tasks(tasks: list[SourceEntry], config: BatchConfig, inputs: BuildInputs, library: Library, *, jobs: int,
               build: bool, force: bool, emit: OnResult, scheduler: str | None = None
               ) -> tuple[dict[str, ClientResult], bool]:
    """Process the tasks in this process (one job) or a pool; returns results and whether interrupted.

    A worker that dies (killed, out of memory, a crash in a native library) breaks the whole pool
    and every client not yet finished with it. The clients that were being built then are
    suspects; the others never started and go to a fresh pool. The suspects are then retried one
    at a time in a pool of one worker, where a death names its client exactly: only a client
    that kills its worker twice fails.
    """
    if scheduler is not None:
        from .dask_runner import run_on_dask

        return run_on_dask(tasks, config, inputs, library, scheduler=scheduler, build=build, force=force, emit=emit)
    results: dict[str, ClientResult] = {}
    if not tasks:
        return results, False
    if jobs <= 1:  # with more jobs even one client runs in a worker: a crash there costs that client alone
        worker = Worker(config, inputs, library=library)
        try:
            for entry in tasks:
                result = worker.process(entry, build=build, force=force)
                results[entry.label] = result
                emit(result)
        except KeyboardInterrupt:
            return results, True
        finally:
            worker.close()
        return results, False

    def run(entries: list[SourceEntry], workers: int) -> tuple[list[SourceEntry], set[str], bool]:
        return _pool_round(entries, config, inputs, library, jobs=workers, build=build, force=force, emit=emit,
                           results=results)

    interrupted = False
    suspects: list[SourceEntry] = []
    pending = list(tasks)
    try:
        while pending and not interrupted:
            unfinished, in_flight, interrupted = run(pending, jobs)
            if unfinished and not in_flight:  # no word from the workers: treat everyone as a suspect
                in_flight = {e.label for e in unfinished}
            suspects += [e for e in unfinished if e.label in in_flight]
            pending = [e for e in unfinished if e.label not in in_flight]
        while suspects and not interrupted:  # one worker: whoever it was building when it died is the culprit
            unfinished, in_flight, interrupted = run(suspects, 1)
            if interrupted:
                break
            culprits = [e for e in unfinished if e.label in in_flight] or unfinished[:1]
            for entry in culprits:
                results[entry.label] = ClientResult(entry.label, "failed", client=entry.client, slug=entry.slug,
                                                    error=DIED_TWICE)
                emit(results[entry.label])
            suspects = [e for e in unfinished if e not in culprits]
    except KeyboardInterrupt:
        interrupted = True
    return results, interrupted


def _pool_round(entries: list[SourceEntry], config: BatchConfig, inputs: BuildInputs, library: Library, *,
                jobs: int, build: bool, force: bool, emit: OnResult, results: dict[str, ClientResult]
                ) -> tuple[list[SourceEntry], set[str], bool]:
    """One pool over `entries`, results into `results`; returns the unfinished, those in flight, interrupted.

    "In flight" are the unfinished clients a worker had started when the pool broke: each worker
    raises its client's flag in a shared array before building it.
    """
    context = _pool_context()
    # A forked worker inherits the parent's loaded library for free; a spawned one loads its own.
    inherited = library if context.get_start_method() == "fork" else None
    started = context.Array("b", len(entries) + 1, lock=False)  # one flag per client, then "stop"
    executor = ProcessPoolExecutor(max_workers=min(jobs, len(entries)), mp_context=context,
                                   initializer=init_process, initargs=(config, inputs, inherited, started))
    futures: dict[Future[ClientResult | None], SourceEntry] = {}
    interrupted = False
    try:
        try:
            for index, entry in enumerate(entries):
                futures[executor.submit(process_in_pool, entry, build, force, index)] = entry
        except BrokenProcessPool:
            pass  # a worker died already; the clients not submitted never started
        for future in as_completed(futures):
            entry = futures[future]
            try:
                result = future.result()
            except BrokenProcessPool:
                started[len(entries)] = 1  # a surviving worker must not start the clients queued to it
                continue
            if result is not None:
                results[entry.label] = result
                emit(result)
    except KeyboardInterrupt:
        interrupted = True
        # Workers ignore SIGINT: the clients in flight finish and their results are kept.
        executor.shutdown(wait=True, cancel_futures=True)
        for future, entry in futures.items():
            if entry.label not in results and future.done() and not future.cancelled() and future.exception() is None:
                result = future.result()
                if result is not None:
                    results[entry.label] = result  # in the report, not re-announced
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    unfinished = [e for e in entries if e.label not in results]
    in_flight = {entries[i].label for i in range(len(entries)) if started[i] == 1} & {e.label for e in unfinished}
    return unfinished, in_flight, interrupted


def _build(pending: list[SourceEntry], config: BatchConfig, inputs: BuildInputs, library: Library, *, jobs: int,
           only_stale: bool, emit: OnResult, scheduler: str | None) -> tuple[dict[str, ClientResult], bool]:
    """The writing part of a batch: holds OUT, answers from the memo, builds the rest, records them."""
    results: dict[str, ClientResult] = {}
    with _output_lock(config.out_dir):
        recorder = _Recorder(config)
        try:
            pending, failed = _assign_folders(pending, config.out_dir, recorder.ledger)
            results.update(failed)
            for result in failed.values():
                emit(result)
            if only_stale:
                results.update(_answer_from_memo(pending, config, inputs, recorder))
                for result in results.values():
                    emit(result)
                pending = [e for e in pending if e.label not in results]
            recorder.suspend()  # before the pool forks

            def record_and_emit(result: ClientResult) -> None:
                recorder(result)
                emit(result)

            done, interrupted = _run_tasks(pending, config, inputs, library, jobs=jobs, build=True,
                                           force=not only_stale, emit=record_and_emit, scheduler=scheduler)
        finally:
            recorder.close()
    results.update(done)
    return results, interrupted


def run_batch(source: Path | str, config: BatchConfig, *, jobs: int | None = None, only_stale: bool = False,
              dry_run: bool = False, on_result: OnResult | None = None,
              on_start: Callable[[int], None] | None = None, scheduler: str | None = None) -> BatchReport:
    """Bring every client of `source` up to date under OUT, recording each new agreement in the ledger.

    With `only_stale`, clients whose lock matches what a build would use now are skipped without
    rendering; otherwise every client is rendered and a file is rewritten only if its bytes differ.
    A `dry_run` only reports what is stale and why, and writes nothing (not even the ledger).
    `on_start` hears the number of entries once the source is read; `on_result`, each result.
    `scheduler` runs the clients on a Dask cluster instead of this machine's process pool
    (`tcp://HOST:8786`, or `local:N`; see dask_runner), with the same results and outputs.
    """
    started = time.perf_counter()
    if jobs is not None:
        check_workers(jobs, field="--jobs")
    if scheduler is not None:
        if jobs is not None:
            raise BatchError("--jobs is for this machine's process pool; a Dask cluster's workers are the jobs",
                             field="--jobs", hint="leave out --jobs, or use --scheduler local:N for N workers here")
        from .dask_runner import check_scheduler

        check_scheduler(scheduler)
    emit = on_result or (lambda result: None)
    library = config.open_library()
    options = config.build_options(library)
    load_provider(options.provider_path)  # a broken provider file fails every client: say so once
    if "pdf" in options.formats and not dry_run:
        from ..pdf.convert import find_soffice, timeout_from_env

        find_soffice()  # likewise a missing LibreOffice
        timeout_from_env()  # and an MSA_PDF_TIMEOUT that is not a number
    inputs = build_inputs(options)
    entries = read_source(source, library.manifest)
    duplicates = duplicate_errors(entries)
    if on_start is not None:
        on_start(len(entries))

    results: dict[str, ClientResult] = {}
    pending: list[SourceEntry] = []
    for entry in entries:
        problem = entry.error or duplicates.get(entry.label)
        if entry.skip:
            results[entry.label] = ClientResult(entry.label, "skipped", reason=entry.skip)
        elif problem is not None:
            results[entry.label] = ClientResult(entry.label, "failed", client=entry.client, slug=entry.slug,
                                                error=problem.format())
        else:
            pending.append(entry)
    interrupted = False
    with _terminate_as_interrupt():
        try:
            for result in list(results.values()):
                emit(result)
            if dry_run:
                # A dry run leaves even the ledger alone; locks alone say who holds a folder.
                pending, failed = _assign_folders(pending, config.out_dir, None)
                for result in failed.values():
                    emit(result)
                results.update(failed)
                done, interrupted = _run_tasks(pending, config, inputs, library, jobs=jobs or default_jobs(),
                                               build=False, force=False, emit=emit, scheduler=scheduler)
            else:
                done, interrupted = _build(pending, config, inputs, library, jobs=jobs or default_jobs(),
                                           only_stale=only_stale, emit=emit, scheduler=scheduler)
            results.update(done)
        except KeyboardInterrupt:
            interrupted = True
    ordered = tuple(results.get(e.label) or ClientResult(e.label, "skipped", client=e.client, slug=e.slug,
                                                        reason="not run: the batch was interrupted")
                    for e in entries)
    return BatchReport(ordered, time.perf_counter() - started, dry_run=dry_run, interrupted=interrupted,
                       as_of_rule=describe_batch(config.as_of, clock.today()))
