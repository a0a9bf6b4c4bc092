"""Reading a .docx into memory and writing one reproducibly: same parts, same bytes.

Zip entries get a fixed timestamp and a fixed order with [Content_Types].xml first (python-docx
and zipfile would stamp the current time, so two identical builds would hash differently).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_FIRST = ("[Content_Types].xml", "_rels/.rels")
# Our largest output unpacks to about 2 MB; a template or a DOCX to compare that unpacks to more
# than this is a zip bomb, not a document. zipfile never inflates an entry past its declared size.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_PARTS = 10_000


def read_parts(data: bytes) -> dict[str, bytes]:
    """Every entry of a zip package, by name; ValueError for a package too large once unpacked."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_PARTS or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
            raise ValueError(f"the package unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB "
                             f"or {MAX_PARTS:,} parts; it is not a Word document")
        return {entry.filename: archive.read(entry) for entry in entries}


def write_package(parts: Mapping[str, bytes], *, level: int = 6) -> bytes:
    """Zip the parts deterministically (fixed times, permissions and order)."""
    names = [n for n in _FIRST if n in parts] + sorted(n for n in parts if n not in _FIRST)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o600 << 16
            archive.writestr(info, parts[name], compresslevel=level)
    return buffer.getvalue()
