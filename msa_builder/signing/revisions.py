"""The revisions of a PDF as byte ranges: an incremental update keeps every earlier revision as a prefix.

So the execution PDF we sent is found inside a signed copy byte for byte, and hashing the
signed copy's first revision names the instrument even when nobody says which one it is.
"""

from __future__ import annotations

import hashlib

from pyhanko.pdf_utils.reader import PdfFileReader

_EOF = b"%%EOF"


def revision_ends(data: bytes, reader: PdfFileReader) -> list[int]:
    """Where each revision ends (after its %%EOF marker and end-of-line), oldest first."""
    ends = []
    for revision in range(reader.xrefs.total_revisions):
        info = reader.xrefs.get_xref_container_info(revision)
        marker = data.find(_EOF, info.end_location)
        if marker < 0:  # a last revision without its marker: the file's end is its end
            ends.append(len(data))
            continue
        end = marker + len(_EOF)
        if data[end:end + 2] == b"\r\n":
            end += 2
        elif data[end:end + 1] in (b"\n", b"\r"):
            end += 1
        ends.append(end)
    return ends


def matching_revision(data: bytes, ends: list[int], original: bytes) -> int | None:
    """The revision that is byte for byte `original`, or None.

    Only whitespace may separate the original's last byte from its revision's end: a signer that
    appends an update to a file lacking a final newline adds one.
    """
    if not data.startswith(original):
        return None
    for index, end in enumerate(ends):
        if end >= len(original) and not data[len(original):end].strip():
            return index
    return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
