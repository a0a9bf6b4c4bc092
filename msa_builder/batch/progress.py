"""Progress of a batch: a tqdm bar on a terminal, one plain line per client otherwise (logs, CI)."""

from __future__ import annotations

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


class Progress:
    """Called with each client's result as it arrives; close() when the batch ends."""

    def __init__(self, total: int, stream: TextIO, *, bar: bool) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        self._bar = tqdm(total=total, file=stream, unit="client", dynamic_ncols=True) if bar else None

    def __call__(self, result: ClientResult) -> None:
        self.done += 1
        if self._bar is not None:
            if result.status == "failed":
                self._bar.write(describe(result), file=self.stream)
            self._bar.set_postfix_str(result.status, refresh=False)
            self._bar.update(1)
            return
        width = len(str(self.total))
        self.stream.write(f"[{self.done:>{width}}/{self.total}] {describe(result)}\n")
        self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
