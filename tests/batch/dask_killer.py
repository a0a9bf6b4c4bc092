"""A Dask worker preload for the tests: the worker dies (os._exit, as an OOM kill would) on one client.

`dask worker --preload dask_killer` with MSA_TEST_KILL_LABEL set in the worker's environment
makes every build of a client whose label ends with it kill its worker, each time.
"""

from __future__ import annotations

import os
from typing import Any

from msa_builder.batch import worker as worker_module


def dask_setup(worker: Any) -> None:
    label_end = os.environ.get("MSA_TEST_KILL_LABEL")
    if not label_end:
        return
    real = worker_module.Worker.render

    def render(self: Any, entry: Any, **kwargs: Any) -> Any:
        if entry.label.endswith(label_end):
            os._exit(137)
        return real(self, entry, **kwargs)

    worker_module.Worker.render = render  # type: ignore[method-assign]
