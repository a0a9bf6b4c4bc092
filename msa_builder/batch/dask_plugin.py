"""The Dask worker's side of `msa batch --scheduler`: a plugin holding one batch Worker, and its task.

A Dask worker may run on a machine that has none of the coordinator's files, so the plugin
carries what a build reads besides the profile (`Shipment`): the loaded library, the bytes of the
templates and provider file (the shipped ones are the worker's own package data, which the code
fingerprint vouches for), and the input locations the lock records. It arrives once per worker;
`setup` copies the files into a private folder and makes the process pool's `Worker` over them,
with one LibreOffice started for the worker's life (its own profile folder, like every
converter); `teardown` closes both. Tasks build one client each and return the rendered files:
the coordinator alone writes OUT and the ledger (see dask_runner).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from distributed import get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from ..errors import MsaError
from ..library.model import Library
from ..outputs import TEMPLATE_FILES, input_sources
from ..paths import is_shipped, shipped_data
from .codehash import code_fingerprint
from .sources import SourceEntry
from .staleness import BuildInputs, FolderState
from .worker import BatchConfig, ClientResult, Pending, Worker, failure


@dataclass(frozen=True)
class InputFile:
    """A template or the provider file as a worker gets it: inside the package data, or its bytes."""

    shipped: str | None = None  # the path inside msa_builder/data, when the coordinator uses the shipped one
    data: bytes | None = None

    @staticmethod
    def of(path: Path) -> InputFile:
        if is_shipped(path):
            return InputFile(shipped=Path(path).resolve().relative_to(shipped_data().resolve()).as_posix())
        return InputFile(data=Path(path).read_bytes())

    def place(self, target: Path) -> Path:
        """Where the worker reads it: its own package data, or a copy written at `target`."""
        if self.shipped is not None:
            return shipped_data() / self.shipped
        assert self.data is not None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.data)
        return target


@dataclass(frozen=True)
class Shipment:
    """Everything a Dask worker needs to build this batch's clients, sent once in the plugin."""

    config: BatchConfig
    inputs: BuildInputs
    library: Library
    templates: dict[str, InputFile]  # by template file name
    provider: InputFile
    sources: dict[str, str]  # the coordinator's input_sources: what every lock records
    start_libreoffice: bool


def shipment(config: BatchConfig, inputs: BuildInputs, library: Library, *, build: bool) -> Shipment:
    """Pack the coordinator's inputs of a batch for its Dask workers."""
    options = config.build_options(library)
    return Shipment(config=config, inputs=inputs, library=library,
                    templates={name: InputFile.of(options.templates_dir / name) for name in TEMPLATE_FILES.values()},
                    provider=InputFile.of(options.provider_path), sources=input_sources(options),
                    start_libreoffice=build and "pdf" in options.formats)


class BatchPlugin(WorkerPlugin):  # type: ignore[misc]  # distributed is untyped here
    """One batch's state on one Dask worker: its Worker (library loaded once, one LibreOffice)."""

    def __init__(self, shipped: Shipment) -> None:
        self.shipment = shipped
        self.name = f"msa-batch-{uuid.uuid4().hex[:12]}"
        self.worker: Worker | None = None
        self._folder: Path | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"shipment": self.shipment, "name": self.name}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["shipment"])  # type: ignore[misc]
        self.name = state["name"]

    def setup(self, worker: Any) -> None:
        """Refuse other code than the coordinator's; copy the inputs; make the Worker; start LibreOffice."""
        shipped = self.shipment
        if code_fingerprint() != shipped.inputs.code:
            raise RuntimeError(f"the Dask worker {worker.address} runs other msa-builder code than the coordinator "
                               "(another version or checkout); install the same msa-builder on every worker")
        self._folder = Path(tempfile.mkdtemp(prefix="msa-dask-inputs-"))
        # One folder either way: the package's own templates, or copies of the coordinator's.
        templates = [file.place(self._folder / "templates" / name) for name, file in shipped.templates.items()]
        options = replace(shipped.config.build_options(shipped.library), templates_dir=templates[0].parent,
                          provider_path=shipped.provider.place(self._folder / "provider.yaml"),
                          sources=shipped.sources)
        self.worker = Worker(shipped.config, shipped.inputs, options=options)
        try:
            converter = self.worker.converter() if shipped.start_libreoffice else None
            if converter is not None:
                converter.start()  # for the worker's life; the first client waits until it is ready
        except MsaError as exc:  # no LibreOffice here: say so as text (our errors do not cross the wire whole)
            raise RuntimeError(f"the Dask worker {worker.address} cannot make PDFs: {exc.format()}") from None

    def teardown(self, worker: Any) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def process(self, entry: SourceEntry, *, build: bool, force: bool, folder: FolderState) -> Pending:
        """One client, rendered and not written; one at a time, since the worker has one LibreOffice."""
        with self._lock:
            if self.worker is None:
                return Pending(failure(entry.label, entry.client, entry.slug,
                                       RuntimeError("the batch's plugin did not set up on this Dask worker")))
            return self.worker.render(entry, build=build, force=force, folder=folder)


def process_on_worker(plugin: str, entry: SourceEntry, build: bool, force: bool, folder: FolderState) -> Pending:
    """The Dask task: build one client with this worker's plugin of the batch named `plugin`."""
    found = get_worker().plugins.get(plugin)
    if not isinstance(found, BatchPlugin):
        return Pending(ClientResult(entry.label, "failed", client=entry.client, slug=entry.slug,
                                    error="this Dask worker has not set up the batch (its plugin failed or is "
                                          "missing); see the worker's log"))
    return found.process(entry, build=build, force=force, folder=folder)
