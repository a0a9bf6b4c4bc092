"""Progress of a batch: a tqdm bar on a terminal, one plain line per client otherwise (logs, CI)."""

from __future__ import annotations

import io
import os
from typing import TextIO

from tqdm import tqdm

from .worker import ClientResult


def describe(result: ClientResult) -> str:
    """One line for a client: status, who, and why (the changes, the error or the skip reason)."""
    who = result.slug or result.client or ""
    why = result.error or ", ".join(result.changes) or result.reason or ""
    parts = [f"{result.status:<9}", result.label]
    if who:
        parts.append(f"[{who}]")
    if why:
        parts.append(f"- {why.splitlines()[0]}")
    return " ".join(parts)


def shares_destination(a: TextIO, b: TextIO) -> bool:
    """True when two streams write to the same place: one terminal, or one log (`2>&1`)."""
    try:
        first, second = os.fstat(a.fileno()), os.fstat(b.fileno())
    except (OSError, ValueError, io.UnsupportedOperation, AttributeError):
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def screen_plan(report: TextIO, progress: TextIO, *, bar: bool, dry_run: bool, as_json: bool) -> tuple[bool, bool]:
    """Who names each client, (the progress, the report), so one screen never shows a client twice.

    Apart (a log of stderr, a file of stdout), both do. On one screen (a terminal, or `2>&1` into a
    log), a build in a log keeps its progress lines and the report shrinks to its summary; a bar on
    a terminal, or a dry run's impact report, keeps the report and the progress stays quiet.
    JSON is data, so the progress lines stay and the report is whole.
    """
    if as_json or not shares_destination(report, progress):
        return True, True
    lines_only = not bar and not dry_run
    return lines_only, not lines_only


class Progress:
    """Called with each client's result as it arrives; close() when the batch ends.

    `per_client` off keeps the bar (or, in a log, every line) to itself: the caller prints the
    clients in the final report instead, where both would otherwise land on one screen twice.
    With `per_client` on, a failed client's whole error is shown, so the report need not repeat it.
    """

    def __init__(self, total: int, stream: TextIO, *, bar: bool, per_client: bool = True) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        self.per_client = per_client
        self._bar = tqdm(total=total, file=stream, unit="client", dynamic_ncols=True) if bar else None

    def __call__(self, result: ClientResult) -> None:
        self.done += 1
        if self._bar is not None:
            if result.status == "failed" and self.per_client:
                self._bar.write(describe(result), file=self.stream)
            self._bar.set_postfix_str(result.status, refresh=False)
            self._bar.update(1)
            return
        if not self.per_client:
            return
        width = len(str(self.total))
        lines = [f"[{self.done:>{width}}/{self.total}] {describe(result)}"]
        if result.status == "failed" and result.error:
            lines += [f"    {line.strip()}" for line in result.error.splitlines()[1:]]
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
