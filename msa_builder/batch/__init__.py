"""Batch regeneration: many clients at once, rebuilding only what changed since each client's lock."""

from __future__ import annotations

from .runner import BatchReport, run_batch
from .sources import SourceEntry, read_source
from .worker import BatchConfig, ClientResult

__all__ = ["BatchConfig", "BatchReport", "ClientResult", "SourceEntry", "read_source", "run_batch"]
