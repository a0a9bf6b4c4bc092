"""How many worker processes a batch may start on this machine.

Each worker holds the library, its templates and, for PDFs, a LibreOffice of its own (~150 MB
resident together), so `--jobs 100000` or `--scheduler local:100000` would fork until memory or
the process table runs out rather than build faster. A number of workers past a few per CPU is a
typo or an attack, refused before anything starts; a genuinely larger batch runs on a cluster.
"""

from __future__ import annotations

import os

from ..errors import BatchError

WORKERS_PER_CPU = 8


def default_jobs() -> int:
    """The CPUs this process may run on: the pool's size when --jobs is not given."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def max_jobs() -> int:
    return WORKERS_PER_CPU * default_jobs()


def check_workers(workers: int, *, field: str) -> int:
    """`workers`, or BatchError when this machine cannot run that many worker processes."""
    limit = max_jobs()
    if workers > limit:
        raise BatchError(f"{workers:,} worker processes is more than this machine runs ({limit} at most: "
                         f"{WORKERS_PER_CPU} per CPU, {default_jobs()} CPU(s))", field=field,
                         hint="use fewer, or a Dask cluster (--scheduler tcp://HOST:8786) for more machines")
    return workers
