"""Batch runs started from the browser: one at a time, in a thread, their progress kept for the SSE stream.

`msa batch` shows progress on a terminal; here each client's result is appended to the run's
event list as it arrives (the library's `on_result` callback), and `/batch/{id}/events` streams
the list to the page as server-sent events. Only one batch runs at a time, as on the command line
(the output folder is locked by the library anyway).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import MsaError


@dataclass
class BatchRun:
    """One batch: who started it, its events so far (dicts), and whether it ended."""

    id: int
    by: str
    total: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    started: float = field(default_factory=time.time)
    lock: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def add(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.events.append(event)
            self.lock.notify_all()

    def finish(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.events.append(event)
            self.done = True
            self.lock.notify_all()

    def since(self, index: int) -> tuple[list[dict[str, Any]], bool]:
        with self.lock:
            return list(self.events[index:]), self.done


class Batches:
    """The app's batch runs; `start` refuses a second while one is running."""

    def __init__(self) -> None:
        self._runs: dict[int, BatchRun] = {}
        self._lock = threading.Lock()

    def get(self, run_id: int) -> BatchRun | None:
        return self._runs.get(run_id)

    def running(self) -> BatchRun | None:
        return next((r for r in self._runs.values() if not r.done), None)

    def latest(self) -> BatchRun | None:
        return self._runs[max(self._runs)] if self._runs else None

    def start(self, by: str, work: Callable[[BatchRun], dict[str, Any]]) -> BatchRun:
        """Run `work(run)` in a thread; its return value is the final event. MsaError if one is running."""
        with self._lock:
            if self.running() is not None:
                raise MsaError("a batch is already running; wait for it to finish", field="batch")
            run = BatchRun(id=max(self._runs, default=0) + 1, by=by)
            self._runs[run.id] = run

        def target() -> None:
            try:
                run.finish(work(run))
            except MsaError as exc:
                run.finish({"kind": "failed", "message": exc.format()})
            except Exception:  # noqa: BLE001 - the page must learn the batch ended; details go to the log
                import logging

                logging.getLogger("msa_builder.web").exception("batch %s failed", run.id)
                run.finish({"kind": "failed", "message": "internal error; see the server's log"})

        threading.Thread(target=target, name=f"msa-batch-{run.id}", daemon=True).start()
        return run
