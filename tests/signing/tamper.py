"""What a forger does to a signed PDF: incremental updates that change what the pages show."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


def _write(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_page_content(data: bytes, page: int = 2) -> bytes:
    """An incremental update drawing a box over a page: the signed bytes stay, the page changes."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = writer.add_object(generic.StreamObject(stream_data=b"q 1 1 1 rg 70 500 200 100 re f Q"))
    writer.add_stream_to_page(page, stream)
    return _write(writer)


def add_page(data: bytes) -> bytes:
    """An incremental update appending a page (a new term after the signatures, say)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    contents = writer.add_object(generic.StreamObject(stream_data=b"BT ET"))
    page = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 612, 792)]),
        generic.NameObject("/Resources"): generic.DictionaryObject(),
        generic.NameObject("/Contents"): contents,
    })
    writer.insert_page(page)
    return _write(writer)


def flip(data: bytes, needle: bytes) -> bytes:
    """`data` with one byte changed in the first occurrence of `needle` (same length, still parses)."""
    at = data.index(needle)
    changed = bytes([data[at] ^ 0x01])
    return data[:at] + changed + data[at + 1:]
