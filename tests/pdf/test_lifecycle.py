"""LibreOffice dies with its owner, and nothing a killed owner left stays in the temp folder.

A PDF batch's LibreOffice runs in a session of its own, so `kill -9` of the batch's process
group does not reach it: the uno worker must notice and take LibreOffice and its profile down,
and the next converter sweeps what is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from msa_builder.pdf import tempdirs
from msa_builder.pdf.tempdirs import PROFILE_PREFIX, WORK_PREFIX, make_owned, owner_tag, sweep

DATA = Path(__file__).resolve().parents[2] / "msa_builder" / "data"
linux = pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")


def processes_mentioning(text: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                if text.encode() in cmdline.read():
                    found.append(int(name))
        except OSError:
            continue
    return found


def wait_until(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@linux
def test_the_sweep_removes_only_folders_whose_owner_died(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    mine = make_owned(PROFILE_PREFIX)
    gone = tmp_path / f"{PROFILE_PREFIX}{dead_pid()}-1-abc"
    reused = tmp_path / f"{WORK_PREFIX}{os.getpid()}-1-abc"  # our pid, but another start time: a dead owner
    foreign = tmp_path / f"{PROFILE_PREFIX}someone-else"
    for folder in (gone, reused, foreign):
        folder.mkdir()
    (gone / "user").mkdir()
    # a LibreOffice still running on a dead owner's profile is killed before its profile goes
    straggler = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                                  f"-env:UserInstallation={gone.as_uri()}"])
    try:
        # just after exec, /proc may not show the new arguments yet
        assert wait_until(lambda: straggler.pid in processes_mentioning(gone.as_uri()))
        assert sorted(sweep()) == sorted([gone, reused])
        assert straggler.wait(timeout=30) == -signal.SIGKILL
    finally:
        if straggler.poll() is None:
            straggler.kill()
            straggler.wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, foreign.name])
    assert mine.name.startswith(f"{PROFILE_PREFIX}{owner_tag()}-")


@linux
def test_a_converter_starts_by_sweeping(tmp_path, monkeypatch):
    from msa_builder.pdf import convert

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    left = tmp_path / f"{WORK_PREFIX}{dead_pid()}-7-x"
    left.mkdir()
    converter = convert.PdfConverter(soffice=sys.executable, engine="cli")
    try:
        assert not left.exists()
        assert [p.name.startswith(f"{PROFILE_PREFIX}{owner_tag()}-") for p in tmp_path.iterdir()] == [True]
    finally:
        converter.close()
    assert list(tmp_path.iterdir()) == []


def _soffice_missing() -> bool:
    from msa_builder.errors import ConversionError
    from msa_builder.pdf.convert import find_soffice, find_uno_python

    try:
        find_soffice()
    except ConversionError:
        return True
    return find_uno_python() is None


@linux
@pytest.mark.soffice
@pytest.mark.skipif(_soffice_missing(), reason="needs LibreOffice and python3-uno")
def test_kill_9_of_a_pdf_batch_leaves_no_libreoffice_and_no_profile(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from generate_profiles import generate

    generate(tmp_path / "clients", count=12)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    batch = subprocess.Popen(
        [sys.executable, "-c", "from msa_builder.cli import main; main()", "batch", str(tmp_path / "clients"),
         "--out", str(tmp_path / "out"), "--format", "docx,pdf", "--jobs", "2",
         "--provider", str(DATA / "provider.yaml"), "--templates", str(DATA / "templates")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "TMPDIR": str(scratch)})
    try:
        assert batch.stderr is not None
        first = batch.stderr.readline()
        assert "built" in first, first
        assert wait_until(lambda: len(processes_mentioning(f"{scratch}/{PROFILE_PREFIX}")) >= 2), \
            "each worker should be running its LibreOffice"
        os.killpg(batch.pid, signal.SIGKILL)
        batch.wait(timeout=30)
        assert wait_until(lambda: processes_mentioning(str(scratch)) == []), \
            f"still running: {processes_mentioning(str(scratch))}"
        assert wait_until(lambda: not [p for p in scratch.iterdir() if p.name.startswith(PROFILE_PREFIX)])
        # The killed workers' own work folders are left to the next converter's sweep.
        sweep(scratch)
        assert list(scratch.iterdir()) == []
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
            batch.wait()
        if batch.stderr is not None:
            batch.stderr.close()
        for pid in processes_mentioning(str(scratch)):
            os.kill(pid, signal.SIGKILL)


@linux
def test_owner_tags_name_a_live_process_and_no_dead_one():
    assert owner_tag() == f"{os.getpid()}-{tempdirs._start_time(os.getpid())}"
    assert tempdirs._start_time(dead_pid()) is None


@linux
def test_a_killed_owner_not_yet_reaped_counts_as_dead():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        def state() -> str:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0]

        assert wait_until(lambda: state() == "Z", seconds=30)
        assert tempdirs._start_time(pid) is None
    finally:
        os.waitpid(pid, 0)
