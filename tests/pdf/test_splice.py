"""Finishing rewrites one revision, copying the objects it leaves alone byte for byte (pdf/_splice.py)."""

from __future__ import annotations

import io
import re

from pdf.small_agreement import raw_pdf  # tests/ is on sys.path (rootdir of the test packages)
from pypdf import PdfReader, PdfWriter

from msa_builder.pdf._splice import normalised
from msa_builder.pdf.finish import OutlineEntry, finish_pdf

BOOKMARKS = [("Signatures", 2), ("Schedule F: Declined Controls", 3)]
OUTLINE = [OutlineEntry("Signatures", 0, "Signatures"), OutlineEntry("Schedule F", 0, "Schedule F")]


def _finish(raw: bytes) -> bytes:
    return finish_pdf(raw, metadata={"/Title": "Test"}, outline=OUTLINE,
                      label_plan=lambda pages: [(0, None, "Cover", 0), (pages[0], "/D", None, 1)],
                      watermark=True, identity="splice test")


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(0) for m in re.finditer(rb"(\d+) 0 obj\n.*?endobj", data, re.S)}


def _second_revision(raw: bytes) -> bytes:
    """`raw` with an incremental update appended: two revisions, which a splice must not copy from."""
    writer = PdfWriter(PdfReader(io.BytesIO(raw)), incremental=True)
    writer.add_metadata({"/Subject": "a later revision"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_untouched_objects_are_copied_byte_for_byte():
    raw = raw_pdf(bookmarks=BOOKMARKS)
    reader = PdfReader(io.BytesIO(raw))
    content = reader.pages[2].raw_get("/Contents").idnum  # LibreOffice's page content: never rewritten
    assert _objects(raw)[content] in _finish(raw)


def test_the_finished_file_is_one_revision_without_the_old_outline_or_info():
    raw = raw_pdf(bookmarks=[*BOOKMARKS, ("An old bookmark of LibreOffice's", 4)])
    finished = _finish(raw)
    assert finished.count(b"startxref") == 1 and finished.count(b"%%EOF") == 1
    assert b"An old bookmark" not in finished
    reader = PdfReader(io.BytesIO(finished))
    assert [item.title for item in reader.outline] == ["Signatures", "Schedule F"]
    assert reader.metadata == {"/Title": "Test"}
    assert len(reader.pages) == len(PdfReader(io.BytesIO(raw)).pages)


def test_a_pdf_a_splice_cannot_copy_from_is_rewritten_by_pypdf_first():
    raw = raw_pdf(bookmarks=BOOKMARKS)
    updated = _second_revision(raw)
    reader, plain = normalised(updated)
    assert plain != updated and plain.count(b"startxref") == 1
    assert normalised(raw)[1] is raw, "LibreOffice's own shape is used as it is"
    finished = _finish(updated)
    assert finished.count(b"startxref") == 1
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(finished)).pages]
    assert texts == [page.extract_text() for page in PdfReader(io.BytesIO(_finish(raw))).pages]
    assert len(reader.pages) == len(texts)
