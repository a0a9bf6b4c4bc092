"""When LibreOffice is missing or hangs, PDF output fails clearly, in time, and leaves nothing behind.

The hung-converter tests use a stand-in `soffice` that only sleeps; the missing-soffice tests need
no LibreOffice at all, so only the "uno" engine test (which needs python3-uno) is marked soffice.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from render.docx_reading import SAMPLES  # tests/ is on sys.path (rootdir of the test packages)

from msa_builder.outputs import build
from msa_builder.errors import ConversionError
from msa_builder.pdf.convert import PdfConverter, find_uno_python

HARBOR = SAMPLES / "harbor-finch.yaml"
TIMEOUT = 3.0


@pytest.fixture
def hanging_soffice(tmp_path: Path) -> tuple[Path, Path]:
    """A program that never answers; it records its own pid and its child's, to check they are stopped."""
    pids = tmp_path / "pids"
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\necho $$ >> {pids}\nsleep 120 &\necho $! >> {pids}\nwait\n", encoding="utf-8")
    script.chmod(0o755)
    return script, pids


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _assert_stopped(pids: Path) -> None:
    recorded = [int(line) for line in pids.read_text().split()] if pids.exists() else []
    assert len(recorded) == 2, "the stand-in soffice was never started"
    deadline = time.monotonic() + 5
    while any(_running(pid) for pid in recorded) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in recorded if _running(pid)], "the hung converter was left running"


def _docx(tmp_path: Path, rendered_sample) -> Path:
    built = rendered_sample("copper-kettle.yaml")
    source = tmp_path / "agreement.docx"
    source.write_bytes(built.files[f"{built.slug}-msa.docx"])
    return source


def test_hung_converter_cli_engine_fails_within_the_timeout(tmp_path, hanging_soffice, rendered_sample):
    script, pids = hanging_soffice
    source = _docx(tmp_path, rendered_sample)
    started = time.monotonic()
    with PdfConverter(engine="cli", soffice=str(script), timeout=TIMEOUT) as converter:
        with pytest.raises(ConversionError) as caught:
            converter.convert(source, tmp_path / "out.pdf")
    assert time.monotonic() - started < TIMEOUT + 5
    assert f"within {TIMEOUT:g} s" in caught.value.message
    assert caught.value.file == str(source)
    assert not (tmp_path / "out.pdf").exists()
    _assert_stopped(pids)


@pytest.mark.soffice
@pytest.mark.skipif(find_uno_python() is None, reason="needs python3-uno")
def test_hung_converter_uno_engine_fails_within_the_timeout(tmp_path, hanging_soffice, rendered_sample, monkeypatch):
    script, pids = hanging_soffice
    monkeypatch.setenv("MSA_SOFFICE", str(script))
    source = _docx(tmp_path, rendered_sample)
    started = time.monotonic()
    with PdfConverter(engine="uno", timeout=TIMEOUT) as converter:
        assert converter.soffice == str(script)
        with pytest.raises(ConversionError) as caught:
            converter.convert(source, tmp_path / "out.pdf")
    assert time.monotonic() - started < TIMEOUT + 5
    assert f"within {TIMEOUT:g} s" in caught.value.message
    assert caught.value.file == str(source)
    _assert_stopped(pids)


def test_missing_soffice_says_how_to_install_libreoffice(monkeypatch, tmp_path):
    monkeypatch.setenv("MSA_SOFFICE", str(tmp_path / "no-such-soffice"))
    with pytest.raises(ConversionError) as caught:
        PdfConverter()
    message = caught.value.format()
    assert "no-such-soffice" in message
    assert "install LibreOffice" in message and "apt-get install" in message


def test_soffice_not_on_path_says_how_to_install_libreoffice(monkeypatch, tmp_path):
    monkeypatch.delenv("MSA_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConversionError) as caught:
        PdfConverter()
    assert "not on PATH" in caught.value.message
    assert "install LibreOffice" in caught.value.format()


@pytest.mark.parametrize("how", ["MSA_SOFFICE", "PATH"])
def test_without_libreoffice_pdf_builds_fail_cleanly_and_docx_builds_work(how, monkeypatch, tmp_path, build_options):
    if how == "MSA_SOFFICE":
        monkeypatch.setenv("MSA_SOFFICE", "/nonexistent/soffice")
    else:
        monkeypatch.delenv("MSA_SOFFICE", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConversionError) as caught:
        build(HARBOR, tmp_path / "pdf", replace(build_options, formats=("docx", "pdf")))
    assert "install LibreOffice" in caught.value.format()
    assert not (tmp_path / "pdf").exists()

    result = build(HARBOR, tmp_path / "docx", build_options)
    assert sorted(p.name for p in result.directory.iterdir()) == sorted(
        f"{result.slug}{s}" for s in ("-agreement.json", "-lock.json", "-msa.docx", "-review.docx"))
    assert os.path.getsize(result.files[f"{result.slug}-msa.docx"]) > 10_000
