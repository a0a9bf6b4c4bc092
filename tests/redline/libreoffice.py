"""LibreOffice itself accepting and rejecting our redlines: the reader that glued paragraphs.

`wordxml.resolve` applies Word's rules to our XML, which is what the writer was built to; but an
attorney may press Accept All or Reject All in LibreOffice, which reads the same markup into its
own model first (and, for one, merges two insertions that touch across a paragraph mark). So
these helpers hand the DOCX to a real LibreOffice (`_lo_review.py`, over UNO) and compare what it
then shows paragraph by paragraph: style, list label and text.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from msa_builder.errors import ConversionError
from msa_builder.pdf.convert import find_soffice, find_uno_python

WORKER = Path(__file__).with_name("_lo_review.py")
# Cover and shell paragraphs (LibreOffice's display names of our styles): commentary, never tracked.
COVER = {"Redline Note", "Redline Summary", "Memo Heading", "Contents Heading", "Cover Party", "Title", "Subtitle",
         "Cover Detail", "Cover Mark", "Cover Note", "Contents 1", "Contents 2"}

Paragraph = tuple[str, str, str]  # style, list label, text


@dataclass(frozen=True)
class Review:
    """One document as LibreOffice shows it: as loaded, after Accept All, after Reject All."""

    shown: tuple[Paragraph, ...]
    accepted: tuple[Paragraph, ...]
    rejected: tuple[Paragraph, ...]
    left: tuple[int, int]  # tracked changes left after Accept All and after Reject All

    def body(self, which: str) -> list[Paragraph]:
        """The paragraphs of `shown`, `accepted` or `rejected` without the cover and the end note."""
        return [p for p in getattr(self, which) if p[0] not in COVER]


def available() -> str | None:
    """Why LibreOffice cannot review here (None when it can)."""
    try:
        find_soffice()
    except ConversionError as exc:
        return exc.message
    return None if find_uno_python() else "no Python with LibreOffice's uno module"


class LibreOffice:
    """One headless LibreOffice for a test session, reviewing one DOCX per call."""

    def __init__(self) -> None:
        python = find_uno_python()
        assert python is not None
        self._profile = Path(tempfile.mkdtemp(prefix="msa-lo-review-"))
        self._folder = Path(tempfile.mkdtemp(prefix="msa-lo-docs-"))
        self._count = 0
        self._proc = subprocess.Popen([python, str(WORKER), find_soffice(), str(self._profile)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def review(self, docx: bytes) -> Review:
        self._count += 1
        path = self._folder / f"review-{self._count}.docx"
        path.write_bytes(docx)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps({"src": str(path)}) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        assert line, "LibreOffice's review worker died"
        answer = json.loads(line)
        assert answer["ok"], answer.get("error")

        def paragraphs(key: str) -> tuple[Paragraph, ...]:
            return tuple((s, label, text) for s, label, text in answer[key])

        return Review(paragraphs("shown"), paragraphs("accept"), paragraphs("reject"),
                      (answer["accept_left"], answer["reject_left"]))

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        shutil.rmtree(self._profile, ignore_errors=True)
        shutil.rmtree(self._folder, ignore_errors=True)
