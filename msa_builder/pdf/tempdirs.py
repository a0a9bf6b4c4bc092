"""Temp folders named after the process that owns them, and a sweep for those whose owner died.

A LibreOffice profile (~10 MB after the first document) and a conversion's work folder are
removed by their owner when it closes. An owner killed with SIGKILL (an OOM kill, `kill -9` of a
batch) cleans nothing, so each folder's name carries its owner's pid and start time, and every
new converter sweeps the folders of owners that no longer run, killing any LibreOffice still
using such a profile first. The start time tells a dead owner from a new process that reuses
its pid.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

PROFILE_PREFIX = "msa-lo-profile-"
WORK_PREFIX = "msa-pdf-"
_OWNED = re.compile(rf"^({re.escape(PROFILE_PREFIX)}|{re.escape(WORK_PREFIX)})(\d+)-(\d+)-")


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), "0" elsewhere; None if it is gone.

    A zombie is gone: killed, it will never clean up, and in a container nobody may ever reap it.
    """
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            # The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
            fields = stat.read().rsplit(")", 1)[1].split()
        return None if fields[0] in ("Z", "X") else fields[19]
    except FileNotFoundError:
        if os.path.isdir("/proc"):
            return None
    except (OSError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return "0"


def owner_tag(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{pid}-{_start_time(pid) or '0'}"


def make_owned(prefix: str) -> Path:
    """A new temp folder whose name says this process owns it (see the module doc)."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{owner_tag()}-"))


def _users_of(folder: Path) -> list[int]:
    """Processes started with this folder as an argument or as LibreOffice's profile (Linux)."""
    wanted = {os.fsencode(str(folder)), b"-env:UserInstallation=" + folder.as_uri().encode()}
    found = []
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                args = cmdline.read().split(b"\0")
        except OSError:
            continue
        if pid != os.getpid() and wanted.intersection(args):
            found.append(pid)
    return found


def sweep(root: Path | None = None) -> list[Path]:
    """Remove the owned temp folders under `root` (the temp folder) whose owner no longer runs."""
    removed = []
    base = Path(root or tempfile.gettempdir())
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    for name in names:
        match = _OWNED.match(name)
        if match is None:
            continue
        pid, start = int(match.group(2)), match.group(3)
        if _start_time(pid) == start:
            continue  # its owner runs and removes it itself
        folder = base / name
        for user in _users_of(folder):
            try:
                os.kill(user, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed
