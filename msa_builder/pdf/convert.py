"""DOCX to PDF through LibreOffice: the PDF is the DOCX, rendered by a second, independent reader.

Traps this module exists for (measured with LibreOffice 7.4):
- `soffice` exits 0 even when a document fails to load, so every expected PDF is checked: it must
  exist, parse, have a plausible page count and contain text we know the document holds.
- Two soffice processes sharing a profile directory lose documents silently, so every converter
  gets its own throw-away profile.
- Start-up costs about a second of the ~1.3 s a single conversion takes, so a converter keeps one
  LibreOffice alive for all the documents it is given (the "uno" engine); batch workers each own one.
- LibreOffice runs in a session of its own (a terminal's Ctrl-C must not kill it mid-document), so
  `kill -9` of a batch never reaches it: the uno worker watches its parent and takes LibreOffice
  and the profile down with it, and a new converter sweeps what killed owners left (tempdirs.py).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from types import TracebackType

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import ConversionError, brief, clip
from .tempdirs import PROFILE_PREFIX, make_owned, sweep

INSTALL_HINT = ("install LibreOffice (Debian/Ubuntu: `sudo apt-get install libreoffice-writer-nogui python3-uno`) "
                "or set MSA_SOFFICE to the soffice program; DOCX output works without it")
WORKER = Path(__file__).with_name("_uno_worker.py")
START_TIMEOUT = 90.0


def find_soffice() -> str:
    """The soffice program: MSA_SOFFICE, else `soffice` or `libreoffice` on PATH."""
    configured = os.environ.get("MSA_SOFFICE")
    if configured:
        if shutil.which(configured) or (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            return configured
        raise ConversionError(f"MSA_SOFFICE points to {clip(configured)!r}, which is not an executable program",
                              field="MSA_SOFFICE", hint=INSTALL_HINT)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConversionError("PDF output needs LibreOffice, and `soffice` is not on PATH", field="--format pdf",
                          hint=INSTALL_HINT)


def timeout_from_env(default: float = 120.0) -> float:
    """MSA_PDF_TIMEOUT: seconds per conversion, a positive number (`soon` or `-1` is an error, not a crash)."""
    configured = os.environ.get("MSA_PDF_TIMEOUT", "").strip()
    if not configured:
        return default
    try:
        seconds = float(configured)
    except ValueError:
        seconds = float("nan")
    if not (0 < seconds <= 86_400):  # also false for NaN
        raise ConversionError(f"{brief(configured)} is not a number of seconds between 0 and 86400",
                              field="MSA_PDF_TIMEOUT", hint="unset it for the default of 120 seconds")
    return seconds


@lru_cache(maxsize=1)
def find_uno_python() -> str | None:
    """A Python that can import LibreOffice's `uno` bindings (MSA_UNO_PYTHON, else the system one)."""
    candidates = [os.environ.get("MSA_UNO_PYTHON"), "/usr/bin/python3", "/usr/lib/libreoffice/program/python"]
    for candidate in candidates:
        if not candidate or not os.path.exists(candidate):
            continue
        try:
            subprocess.run([candidate, "-c", "import uno"], check=True, capture_output=True, timeout=30)
        except (subprocess.SubprocessError, OSError):
            continue
        return candidate
    return None


@dataclass(frozen=True)
class CheckedPdf:
    """A PDF that passed `check_pdf`: its bytes, and the reader that checked it (finishing reuses it)."""

    data: bytes
    reader: PdfReader

    @property
    def pages(self) -> int:
        return len(self.reader.pages)


def check_pdf(pdf: Path, source: Path, *, expect_text: str | None = None, min_pages: int = 1) -> int:
    """Raise unless `pdf` is a real PDF of `source`; returns its page count."""
    return read_checked(pdf, source, expect_text=expect_text, min_pages=min_pages).pages


def read_checked(pdf: Path, source: Path, *, expect_text: str | None = None, min_pages: int = 1) -> CheckedPdf:
    """`check_pdf`, keeping the bytes and the parsed reader: parsing the PDF once saves finishing a second parse."""
    try:
        data = pdf.read_bytes()
    except FileNotFoundError:
        raise ConversionError("LibreOffice produced no PDF for this document", file=str(source)) from None
    if not data.startswith(b"%PDF") or len(data) < 200:
        raise ConversionError("LibreOffice produced an empty or invalid PDF", file=str(source))
    try:
        reader = PdfReader(BytesIO(data))
        pages = len(reader.pages)
        first = reader.pages[0].extract_text() if pages else ""
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ConversionError(f"the PDF LibreOffice produced cannot be read: {exc}", file=str(source)) from None
    if pages < min_pages:
        raise ConversionError(f"the PDF has {pages} page(s), expected at least {min_pages}", file=str(source))
    if expect_text and not shows_text(first, expect_text):
        shown = expect_text if len(expect_text) <= 80 else expect_text[:80] + "…"
        raise ConversionError(f"the PDF does not show {shown!r} on its first page; LibreOffice did not "
                              "read the document correctly", file=str(source))
    return CheckedPdf(data, reader)


# How much of a long name must be on page 1: a 10,000-character name runs on to later pages.
SHOWN_PREFIX = 60


def _letters(text: str) -> str:
    """Letters and digits only, compatibility-decomposed, without marks, case-folded.

    Text extracted from a PDF loses what the page does not print as such: spaces and line
    breaks move, zero-width characters vanish, Arabic comes back as presentation forms or with
    its punctuation elsewhere, accents may come apart. The letters survive.
    """
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def _spellings(letters: str) -> set[str]:
    """The orders a PDF may give right-to-left letters in: logical, or visual (runs reversed)."""
    runs: list[tuple[bool, str]] = []
    for ch in letters:
        rtl = unicodedata.bidirectional(ch) in ("R", "AL")
        if runs and runs[-1][0] == rtl:
            runs[-1] = (rtl, runs[-1][1] + ch)
        else:
            runs.append((rtl, ch))
    flip = [(rtl, text[::-1] if rtl else text) for rtl, text in runs]
    return {letters, letters[::-1], "".join(t for _, t in flip), "".join(t for _, t in reversed(flip))}


def shows_text(page: str, expected: str) -> bool:
    """Whether text extracted from a page shows `expected` (the start of it, for long text)."""
    wanted = _letters(expected)
    if not wanted:  # nothing but symbols (emoji): compare what is not space
        return "".join(expected.split())[:SHOWN_PREFIX] in "".join(page.split())
    have = _letters(page)
    return any(spelling in have for spelling in _spellings(wanted[:SHOWN_PREFIX]))


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    # The worker's pipes are ours to close; left to the garbage collector they leak file descriptors
    # (and raise ResourceWarning) in a long batch.
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass


class PdfConverter:
    """One LibreOffice for many documents, with its own profile directory and a timeout per document.

    Use as a context manager; `convert` may be called any number of times. If LibreOffice hangs or
    dies, the document at hand fails with ConversionError and the next call starts a fresh one.
    """

    def __init__(self, *, timeout: float | None = None, soffice: str | None = None, engine: str | None = None) -> None:
        self.timeout = timeout if timeout is not None else timeout_from_env()
        self.soffice = soffice or find_soffice()
        self.engine = engine or os.environ.get("MSA_PDF_ENGINE") or ("uno" if find_uno_python() else "cli")
        if self.engine not in ("uno", "cli"):
            raise ConversionError(f"unknown PDF engine {self.engine!r}", field="MSA_PDF_ENGINE", allowed=("uno", "cli"))
        sweep()
        self._profile = str(make_owned(PROFILE_PREFIX))
        self._proc: subprocess.Popen[bytes] | None = None
        self._starting = False  # started, its "ready" not read yet
        # LibreOffice's own seconds per document (load, contents, export, total) and its resident
        # memory after each, as the uno worker reports them: what benchmarks measure it by.
        self.timings: list[dict[str, float]] = []
        self.memory_mb: list[float] = []

    def __enter__(self) -> PdfConverter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._proc is not None:
            proc, self._proc = self._proc, None
            try:
                assert proc.stdin is not None
                proc.stdin.close()
                proc.wait(timeout=15)
            except (subprocess.TimeoutExpired, OSError, ValueError):
                _kill(proc)
            else:
                _kill(proc)  # soffice runs in the same process group; make sure it is gone
        shutil.rmtree(self._profile, ignore_errors=True)

    def convert(self, docx: Path, pdf: Path, *, expect_text: str | None = None, min_pages: int = 1) -> int:
        """Convert one document; returns the page count of the checked PDF."""
        return self.convert_checked(docx, pdf, expect_text=expect_text, min_pages=min_pages).pages

    def convert_checked(self, docx: Path, pdf: Path, *, expect_text: str | None = None,
                        min_pages: int = 1) -> CheckedPdf:
        """Convert one document; returns the checked PDF with the reader that checked it."""
        pdf.parent.mkdir(parents=True, exist_ok=True)
        try:
            pdf.unlink()
        except FileNotFoundError:
            pass
        if self.engine == "uno":
            self._convert_uno(docx, pdf)
        else:
            self._convert_cli([docx], pdf.parent)
            produced = pdf.parent / (docx.stem + ".pdf")
            if produced != pdf and produced.exists():
                produced.replace(pdf)
        return read_checked(pdf, docx, expect_text=expect_text, min_pages=min_pages)

    # -- the uno engine: one long-lived worker ---------------------------------------------------
    def start(self) -> None:
        """Start LibreOffice now without waiting for it, so its start-up overlaps other work.

        The next conversion waits for it to be ready (the cli engine has nothing to start).
        """
        if self.engine == "uno" and (self._proc is None or self._proc.poll() is not None):
            self._proc, self._starting = self._spawn(), True

    def _spawn(self) -> subprocess.Popen[bytes]:
        python = find_uno_python()
        if python is None:
            raise ConversionError("no Python with LibreOffice's uno module was found", field="MSA_UNO_PYTHON",
                                  hint=INSTALL_HINT)
        return subprocess.Popen([python, str(WORKER), self.soffice, self._profile, str(os.getpid())],
                                stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)

    def _await_ready(self, proc: subprocess.Popen[bytes], source: Path) -> None:
        self._starting = False
        reply = self._read(proc, min(START_TIMEOUT, self.timeout), what="start", source=source)
        if not reply.get("ready"):
            _kill(proc)
            self._proc = None
            raise ConversionError(f"LibreOffice did not start: {reply.get('error', 'unknown error')}",
                                  file=str(source), field="soffice", hint=INSTALL_HINT)

    def _read(self, proc: subprocess.Popen[bytes], timeout: float, *, what: str, source: Path | None = None) -> dict:
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        fd = proc.stdout.fileno()
        buffer = b""
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(left, 0))
            if not ready:
                _kill(proc)
                self._proc = None
                raise ConversionError(f"LibreOffice did not {what} within {timeout:g} s and was stopped",
                                      file=str(source) if source else None)
            chunk = os.read(fd, 65536)
            if not chunk:
                _kill(proc)
                self._proc = None
                raise ConversionError(f"LibreOffice exited while trying to {what}",
                                      file=str(source) if source else None)
            buffer += chunk
        return json.loads(buffer.split(b"\n", 1)[0])

    def _convert_uno(self, docx: Path, pdf: Path) -> None:
        self.start()
        proc = self._proc
        assert proc is not None
        if self._starting:
            self._await_ready(proc, docx)
        assert proc.stdin is not None
        try:
            proc.stdin.write(json.dumps({"src": str(docx), "dst": str(pdf)}).encode() + b"\n")
            proc.stdin.flush()
        except BrokenPipeError:
            self._proc = None
            raise ConversionError("LibreOffice stopped before the document could be sent", file=str(docx)) from None
        reply = self._read(proc, self.timeout, what="convert the document", source=docx)
        if not reply.get("ok"):
            raise ConversionError(f"LibreOffice could not convert the document: {reply.get('error')}", file=str(docx))
        if isinstance(reply.get("seconds"), dict):
            self.timings.append(reply["seconds"])
        if isinstance(reply.get("rss_mb"), (int, float)):
            self.memory_mb.append(float(reply["rss_mb"]))

    # -- the cli engine: `soffice --convert-to pdf`, several files per invocation ----------------
    def _convert_cli(self, docs: list[Path], out_dir: Path) -> None:
        profile_url = Path(self._profile).as_uri()
        # Naming the import filter (as the uno worker does) makes a file that is not a Word document
        # fail to load instead of being "converted" as plain text into a page of gibberish.
        command = [self.soffice, f"-env:UserInstallation={profile_url}", "--headless", "--norestore",
                   "--nolockcheck", "--infilter=MS Word 2007 XML", "--convert-to", "pdf:writer_pdf_Export",
                   "--outdir", str(out_dir), *map(str, docs)]
        scratch = Path(self._profile) / "tmp"  # LibreOffice's own temp files leave with the profile
        scratch.mkdir(exist_ok=True)
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True,
                                env={**os.environ, "TMPDIR": str(scratch)})
        try:
            proc.wait(timeout=self.timeout * len(docs))
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise ConversionError(f"LibreOffice did not finish within {self.timeout * len(docs):g} s and was stopped",
                                  file=str(docs[0])) from None
