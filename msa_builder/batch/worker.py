"""One batch worker: checks a client against its lock and, when asked, builds it.

A worker process loads the library once (in the pool's initializer) and starts one LibreOffice
on its first PDF and reuses it for every later client, since starting LibreOffice costs more
than converting a document. Workers never write the ledger: they return what to record, and the
parent, the batch's only writer, records it (two writers would queue on SQLite's write lock, whose
busy waits cost more than the writes).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MsaError, clip
from ..library import load as library_load
from ..outputs import BuildOptions, output_names, render_build, write_files
from ..library.model import Library
from ..paths import default_provider, default_templates
from ..lock import bom_hash
from ..identity import client_folder, same_client
from .sources import SourceEntry, load_entry
from .staleness import BuildInputs, FolderState, folder_state, staleness_in

if TYPE_CHECKING:
    from ..pdf.convert import PdfConverter


@dataclass(frozen=True)
class BatchConfig:
    """Everything a batch needs besides its source; plain values, so it crosses process boundaries."""

    out_dir: Path
    library_dir: Path | None = None
    provider_path: Path | None = None
    templates_dir: Path | None = None
    ledger_path: Path | None = None
    as_of: date | None = None
    allow_drafts: bool = False
    final: bool = False
    formats: tuple[str, ...] = ("docx",)

    def __post_init__(self) -> None:
        # Scripts pass strings; everything below works with paths.
        for name in ("out_dir", "library_dir", "provider_path", "templates_dir", "ledger_path"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
        object.__setattr__(self, "formats", tuple(self.formats))

    @property
    def ledger(self) -> Path:
        from ..ledger import default_ledger

        return self.ledger_path or default_ledger(self.out_dir)

    def open_library(self) -> Library:
        return library_load.open_library(self.library_dir)

    def build_options(self, library: Library) -> BuildOptions:
        """The options every client of this batch is built with."""
        return BuildOptions(library=library, provider_path=self.provider_path or default_provider(),
                            templates_dir=self.templates_dir or default_templates(), as_of=self.as_of,
                            allow_drafts=self.allow_drafts, final=self.final, formats=self.formats)


@dataclass(frozen=True)
class ClientResult:
    """What happened to one client: built, unchanged, skipped or failed (or, in a dry run, stale/current)."""

    label: str
    status: str
    client: str | None = None
    slug: str | None = None
    agreement_id: str | None = None
    as_of: str | None = None  # the as-of date that decided the client's clause versions (as its lock records it)
    changes: tuple[str, ...] = ()
    change_kinds: tuple[str, ...] = ()
    clause_changes: tuple[str, ...] = ()  # the `clause` kind of `changes`: which new versions reach this client
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    error: str | None = None
    reason: str | None = None
    seconds: float = 0.0
    lock_sha256: str | None = None  # the client's lock on disk after this result, for the ledger
    memo: tuple[str, str] | None = None  # (inputs key, bill hash) for the ledger's memo
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if v not in (None, (), {}) and k != "memo"}
        data["status"] = self.status
        return data


@dataclass(frozen=True)
class Pending:
    """A client checked and, when it needed building, rendered, with nothing written yet.

    Whoever writes OUT finishes it (`complete`): the worker itself in the process pool, the
    coordinator for a Dask worker (batch/dask_runner.py). `files` are the rendered build's files
    (the folder is the result's slug), all a writer needs: the in-memory Agreement stays with the
    worker, since unpickling it costs the coordinator more than writing the files. `misplaced`
    is the validated client name when the folder the batch assigned is for another name, and only
    the writer of OUT can choose the folder again; the result is then a placeholder.
    """

    result: ClientResult
    files: dict[str, bytes] | None = None
    misplaced: str | None = None


class Worker:
    """The per-process state of a batch: build options, shared input hashes and the PDF converter."""

    def __init__(self, config: BatchConfig, inputs: BuildInputs, *, library: Library | None = None,
                 options: BuildOptions | None = None) -> None:
        self.config = config
        self.options = options or config.build_options(library or config.open_library())
        self.inputs = inputs
        self._converter: PdfConverter | None = None

    def converter(self) -> PdfConverter | None:
        if "pdf" not in self.options.formats:
            return None
        if self._converter is None:
            from ..pdf.convert import PdfConverter

            self._converter = PdfConverter()
        return self._converter

    def close(self) -> None:
        if self._converter is not None:
            converter, self._converter = self._converter, None
            converter.close()

    def process(self, entry: SourceEntry, *, build: bool, force: bool) -> ClientResult:
        """Check one client; build it when `build` and it is stale (or always, with `force`).

        Any error is this client's alone: it is returned as a failed result, never raised, so
        one bad profile cannot stop the others.
        """
        started = time.perf_counter()
        try:
            result = complete(self.config.out_dir, self._check(entry, build=build, force=force))
        except Exception as exc:  # noqa: BLE001 - see `failure`
            result = failure(entry.label, entry.client, entry.slug, exc)
        return dataclasses.replace(result, seconds=round(time.perf_counter() - started, 4))

    def render(self, entry: SourceEntry, *, build: bool, force: bool, folder: FolderState) -> Pending:
        """`process` without OUT: check against `folder` (read by OUT's writer) and render; write nothing."""
        started = time.perf_counter()
        try:
            pending = self._check(entry, build=build, force=force, folder=folder)
        except Exception as exc:  # noqa: BLE001 - see `failure`
            pending = Pending(failure(entry.label, entry.client, entry.slug, exc))
        seconds = round(time.perf_counter() - started, 4)
        return dataclasses.replace(pending, result=dataclasses.replace(pending.result, seconds=seconds))

    def _check(self, entry: SourceEntry, *, build: bool, force: bool, folder: FolderState | None = None) -> Pending:
        loaded = load_entry(entry)
        name = loaded.profile.client.legal_name
        out_dir = self.config.out_dir
        # The parent placed each client from a glance at its file; the validated name decides.
        if entry.folder and same_client(name, entry.client):
            slug = entry.folder
        elif folder is not None:
            return Pending(ClientResult(entry.label, "failed", client=name), misplaced=name)
        else:
            slug = client_folder(out_dir, name)
        folder = folder or folder_state(out_dir, slug, self.inputs)
        state = staleness_in(loaded, self.options.library, self.inputs, folder)
        changes = state.changes
        common: dict[str, Any] = {
            "client": name, "slug": slug, "agreement_id": state.bom["agreement_id"], "as_of": state.bom["as_of"],
            "changes": tuple(str(c) for c in changes), "change_kinds": tuple(dict.fromkeys(c.kind for c in changes)),
            "clause_changes": tuple(str(c) for c in changes if c.kind == "clause"),
            "memo": (self.inputs.key(entry.sha256), bom_hash(state.bom))}
        if not build:
            return Pending(ClientResult(entry.label, "stale" if changes else "current", **common))
        if not changes and not force:
            return Pending(ClientResult(entry.label, "skipped", reason="up to date",
                                        lock_sha256=state.previous.lock_sha256, **common))
        converter = self.converter()
        if converter is not None:
            converter.start()  # a first LibreOffice starts up while the DOCX renders (a no-op once it runs)
        rendered = render_build(loaded, self.options, converter=converter, slug=slug)
        return Pending(ClientResult(entry.label, "built", **common), rendered.files)


def failure(label: str, client: str | None, slug: str | None, exc: Exception) -> ClientResult:
    """A client's failed result: our errors as they format themselves, anything else as an internal error.

    A bug must not take down the other clients, so it is caught too, and its trace is kept.
    """
    if isinstance(exc, MsaError):
        return ClientResult(label, "failed", client=client, slug=slug, error=exc.format())
    return ClientResult(label, "failed", client=client, slug=slug,
                        error=f"internal error: {type(exc).__name__}: {clip(str(exc))}",
                        details={"traceback": "".join(traceback.format_exception(exc))})


def complete(out_dir: Path, pending: Pending) -> ClientResult:
    """Write a rendered client under OUT (the lock last) and say what changed on disk; else its result as is."""
    files, slug = pending.files, pending.result.slug
    if files is None:
        return pending.result
    assert slug is not None
    _remove_torn_temps(out_dir / slug, slug)
    paths, lock_sha256 = write_files(out_dir, slug, files)
    removed = _remove_uncovered(out_dir / slug, slug, set(files))
    written = tuple(p.name for p in paths)
    return dataclasses.replace(pending.result, status="built" if written or removed else "unchanged",
                               written=written, removed=removed, lock_sha256=lock_sha256)


def _remove_torn_temps(directory: Path, slug: str) -> None:
    """Delete temp files a killed build left behind (the batch holds the output folder's lock)."""
    if directory.is_symlink() or not directory.is_dir():
        return  # never delete through a link; writing there is refused anyway
    prefixes = tuple(f".{name}." for name in output_names(slug).values())
    for path in directory.iterdir():
        if path.name.startswith(prefixes) and path.name.endswith(".tmp"):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def _remove_uncovered(directory: Path, slug: str, kept: set[str]) -> tuple[str, ...]:
    """Delete outputs of an earlier build that the new lock does not cover (a PDF, after a DOCX-only run).

    Left in place, an old PDF would sit beside a newer agreement as if it were its copy. Runs
    after the new lock has landed, so an interruption leaves at worst a file nothing vouches for.
    """
    removed = []
    for name in output_names(slug).values():
        if name not in kept and (directory / name).is_file():
            (directory / name).unlink()
            removed.append(name)
    return tuple(removed)


# -- process pool plumbing: one Worker per process ---------------------------------------------

_WORKER: Worker | None = None
_STARTED: Any = None  # the round's shared flags: task i has started in some worker


def init_process(config: BatchConfig, inputs: BuildInputs, library: Library | None = None,
                 started: Any = None) -> None:
    """Pool initializer: load the library once for this process and leave Ctrl-C and kill to the parent.

    `library` is the parent's, passed only to forked workers (which share its memory unpickled).
    `started` is a shared byte array, one flag per task (1 started, 2 done), that tells the parent
    which clients were being built when a worker died (see runner._pool_round).
    """
    import signal
    from multiprocessing import util

    global _WORKER, _STARTED
    # The parent decides what an interrupt means (finish the clients in flight, start no more);
    # a terminal's Ctrl-C or a service manager's SIGTERM reaches the whole process group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _STARTED = started
    _WORKER = Worker(config, inputs, library=library)
    # Pool workers leave through os._exit, which skips atexit; multiprocessing's finalizers run.
    util.Finalize(None, _close_process, exitpriority=10)


def _close_process() -> None:
    global _WORKER
    if _WORKER is not None:
        _WORKER.close()
        _WORKER = None


def process_in_pool(entry: SourceEntry, build: bool, force: bool, index: int | None = None) -> ClientResult | None:
    """Process one client in a pool worker; None, doing nothing, once the parent has seen the pool break.

    The last flag of `started` is the parent's "stop": a worker that outlives a dead sibling would
    otherwise build the clients queued to it, whose results can no longer reach the parent.
    """
    assert _WORKER is not None, "init_process did not run"
    if _STARTED is not None and index is not None:
        if _STARTED[len(_STARTED) - 1]:
            return None
        _STARTED[index] = 1  # one writer per flag: no lock, so a dying worker can hold none
    result = _WORKER.process(entry, build=build, force=force)
    if _STARTED is not None and index is not None:
        _STARTED[index] = 2  # done: if the result is lost with the pool, this client did not kill it
    return result
