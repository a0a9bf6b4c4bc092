"""A long-lived LibreOffice converter, driven over UNO; runs under a Python that has `uno`.

Not imported by msa-builder: PdfConverter starts it as `python3 _uno_worker.py SOFFICE PROFILE PARENT`
with the system Python (Debian's python3-uno), because LibreOffice's bindings are built for it.
It starts one headless soffice with a private profile directory, then reads one JSON job per
line on stdin ({"src", "dst"}) and answers one JSON line per job on stdout. One start-up (about
a second) is paid per worker instead of per document.

Before exporting, it updates the table of contents, so the PDF shows real page numbers; plain
`soffice --convert-to pdf` would print the cached entries. Other fields need no refresh: page
numbers are laid out anyway and cross-references carry the right cached text (refreshing them
changed no PDF in our measurements and cost time). Each answer says how long LibreOffice took
and how much memory it holds, so benchmarks can show that a long-lived LibreOffice stays flat.

Each conversion runs on LibreOffice's main thread, as `soffice --convert-to` does: the job is
posted there through the AsyncCallback service, and our calls made while handling it run on that
same thread (the UNO bridge keeps a call chain on one thread). Called directly from the bridge's
own threads instead, LibreOffice's main loop runs its idle work (background formatting and the
like) between and during our calls; measured on the same 30 agreements in one LibreOffice, the
main thread needed 27% less CPU per document for identical PDFs.

LibreOffice dies with this worker's parent. The worker and soffice share a process group of
their own (so a terminal's Ctrl-C does not reach them mid-document), and a `kill -9` of the batch
therefore reaches neither; a watchdog thread notices the parent is gone (we are re-parented),
kills every other process of the group, removes the profile and exits, even while a conversion
is running. Every way out of `main` also kills what is left of the group: soffice's wrapper
(oosplash) can exit and leave soffice.bin behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable

import uno  # type: ignore[import-not-found]
import unohelper  # type: ignore[import-not-found]
from com.sun.star.awt import XCallback  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

START_TIMEOUT = 90.0
WATCH_INTERVAL = 0.2


def _props(**values: object) -> tuple[PropertyValue, ...]:
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name = name
        prop.Value = value
        out.append(prop)
    return tuple(out)


def _connect(pipe: str, proc: subprocess.Popen[bytes]) -> object:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if proc.poll() is not None:
                raise RuntimeError(f"soffice exited with code {proc.returncode} before accepting connections")
            if time.monotonic() > deadline:
                raise RuntimeError("soffice did not start in time")
            time.sleep(0.05)


def _resident_mb(root: int) -> float | None:
    """Resident memory of soffice's process tree (wrapper scripts, oosplash, soffice.bin); Linux only."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{pid}/task"):  # a child may be started by any thread
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    pending += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            if pid == root:
                return None
    return round(total / 1024, 1)


def _convert(desktop: object, job: dict[str, str]) -> dict[str, object]:
    src = uno.systemPathToFileUrl(os.path.abspath(job["src"]))
    dst = uno.systemPathToFileUrl(os.path.abspath(job["dst"]))
    started = time.monotonic()
    # Naming the import filter makes a file that is not a Word document fail instead of being
    # "converted" as plain text into a page of gibberish.
    doc = desktop.loadComponentFromURL(src, "_blank", 0, _props(Hidden=True, FilterName="MS Word 2007 XML"))  # type: ignore[attr-defined]
    if doc is None:
        return {"ok": False, "error": "LibreOffice could not open the document"}
    try:
        loaded = time.monotonic()
        indexes = doc.getDocumentIndexes()
        for i in range(indexes.getCount()):
            indexes.getByIndex(i).update()
        updated = time.monotonic()
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", _props(ExportBookmarks=True))
        doc.storeToURL(dst, _props(FilterName="writer_pdf_Export", FilterData=filter_data))
        exported = time.monotonic()
    finally:
        doc.close(True)
    seconds = {"load": loaded - started, "contents": updated - loaded, "export": exported - updated,
               "total": time.monotonic() - started}
    return {"ok": True, "seconds": {k: round(v, 4) for k, v in seconds.items()}}


class _OnMainThread(unohelper.Base, XCallback):  # type: ignore[misc]
    """Runs one job when LibreOffice's main thread calls back, and keeps its result."""

    def __init__(self, job: Callable[[], dict[str, object]]) -> None:
        self._job = job
        self.result: dict[str, object] | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()

    def notify(self, data: object) -> None:  # `data` is what addCallback passed: nothing
        try:
            self.result = self._job()
        except Exception as exc:  # handed to the waiting thread, which reports it
            self.error = exc
        finally:
            self.done.set()


def _run_on_main_thread(poster: object | None, job: Callable[[], dict[str, object]],
                        proc: subprocess.Popen[bytes]) -> dict[str, object]:
    """`job()` on LibreOffice's main thread (directly when the AsyncCallback service is missing)."""
    if poster is None:
        return job()
    call = _OnMainThread(job)
    poster.addCallback(call, None)  # type: ignore[attr-defined]
    while not call.done.wait(0.5):
        if proc.poll() is not None:
            raise RuntimeError(f"soffice exited with code {proc.returncode}")
    if call.error is not None:
        raise call.error
    assert call.result is not None
    return call.result


_SOFFICE: subprocess.Popen[bytes] | None = None


def _group_members() -> list[int]:
    """The other processes of our process group: soffice's wrapper, oosplash, soffice.bin, their children."""
    group, me, found = os.getpgrp(), os.getpid(), []
    if group != me:  # not started as PdfConverter starts us: the group is someone else's
        return [_SOFFICE.pid] if _SOFFICE is not None else []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[2]) == group:
                    found.append(int(name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _kill_group() -> None:
    for pid in _group_members():
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _abandon(profile: str) -> None:
    """The parent is gone: nobody will read our answers or remove the profile. Leave nothing behind."""
    _kill_group()
    shutil.rmtree(profile, ignore_errors=True)
    os._exit(1)


def _watch_parent(parent: int, profile: str) -> None:
    def watch() -> None:
        while True:
            if os.getppid() != parent:
                _abandon(profile)
            time.sleep(WATCH_INTERVAL)

    threading.Thread(target=watch, name="msa-parent-watch", daemon=True).start()


def main() -> int:
    soffice, profile = sys.argv[1], sys.argv[2]
    parent = int(sys.argv[3]) if len(sys.argv) > 3 else os.getppid()
    _watch_parent(parent, profile)
    pipe = "msa_" + uuid.uuid4().hex
    # LibreOffice's own temp files (lu*.tmp) go inside the profile, so they leave with it.
    scratch = os.path.join(profile, "tmp")
    os.makedirs(scratch, exist_ok=True)
    global _SOFFICE
    proc = _SOFFICE = subprocess.Popen(
        [soffice, f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}", "--headless", "--invisible",
         "--nologo", "--nodefault", "--norestore", "--nolockcheck",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": scratch},
    )
    try:
        context = _connect(pipe, proc)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)  # type: ignore[attr-defined]
        poster = context.ServiceManager.createInstanceWithContext("com.sun.star.awt.AsyncCallback", context)  # type: ignore[attr-defined]
    except Exception as exc:  # report any start-up failure to the parent as one line
        _kill_group()
        print(json.dumps({"ready": False, "error": str(exc)}), flush=True)
        return 1
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            job = json.loads(line)
            try:
                result = _run_on_main_thread(poster, lambda job=job: _convert(desktop, job), proc)
                result["rss_mb"] = _resident_mb(proc.pid)
            except Exception as exc:  # UNO raises its own exception types; the parent decides
                result = {"ok": False, "error": f"{type(exc).__name__}: {getattr(exc, 'Message', '') or exc}"}
            print(json.dumps(result), flush=True)
    except BrokenPipeError:  # the parent stopped reading: it is gone or going
        pass
    finally:
        try:
            desktop.terminate()  # type: ignore[attr-defined]
        except Exception:  # soffice may already be gone; it is killed below either way
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        _kill_group()
        if os.getppid() != parent:
            shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
