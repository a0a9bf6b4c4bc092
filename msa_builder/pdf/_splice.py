"""A one-revision rewrite of LibreOffice's PDF that copies every object it leaves alone byte for byte.

Finishing changes a few dozen objects of the ~900 LibreOffice writes (the catalog, the pages,
their shared resources) and adds some (outline, labels, watermark, fields). pypdf's own rewrite
(`PdfWriter(clone_from=...)`) parses, copies and serialises every object, most of them link
annotations and outline titles in hex, which pypdf reads a character at a time: about 70% of a
finishing's cost, measured. Here an untouched object is a slice of LibreOffice's file; only what
finishing edits is parsed (lazily, by the reader) and written again. The result is still one
revision with a fresh cross-reference table and our /ID, so two builds give the same bytes and
no earlier revision hides behind the finished one.

It needs a PDF as LibreOffice writes one: a single classic cross-reference table, no object
streams, no encryption, every object where the table says. Anything else is first normalised by
pypdf's full rewrite (slower, same result), so finishing never depends on that shape.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
)

_BINARY_COMMENT = b"%\xe2\xe3\xcf\xd3\n"  # tells transfer tools the file is binary (PDF 32000-1, 7.5.2)


def _spliceable(reader: PdfReader, raw: bytes) -> bool:
    """Whether `raw` has the one shape a splice can copy objects from (see the module doc)."""
    trailer = reader.trailer
    if reader.is_encrypted or reader.xref_objStm or "/Prev" in trailer or "/XRefStm" in trailer:
        return False
    start = reader._startxref
    if raw[start:start + 4] != b"xref" or any(numbers and generation != 0 and set(numbers) != {0}
                                              for generation, numbers in reader.xref.items()):
        return False  # objects of other generations than 0 (entry 0, always free, is 65535)
    return all(raw.startswith(b"%d 0 obj" % number, offset) for number, offset in reader.xref.get(0, {}).items())


def normalised(raw: bytes, reader: PdfReader | None = None) -> tuple[PdfReader, bytes]:
    """A reader over `raw` (`reader`, when given, is one), or over pypdf's full rewrite of it when a
    splice cannot copy from it."""
    reader = reader or PdfReader(BytesIO(raw))
    if _spliceable(reader, raw):
        return reader, raw
    buffer = BytesIO()
    PdfWriter(clone_from=reader).write(buffer)
    again = buffer.getvalue()
    return PdfReader(BytesIO(again)), again


class Splice:
    """Edits to one PDF, written as a new single-revision file (see the module doc).

    Objects reached through the reader may be edited in place once marked with `edit`; new ones
    are added with `add`. Everything else is copied from the original bytes unchanged.
    """

    def __init__(self, reader: PdfReader, raw: bytes) -> None:
        self.reader = reader
        self._raw = raw
        self._offsets = dict(reader.xref.get(0, {}))
        self._edited: dict[int, PdfObject] = {}
        self._added: dict[int, PdfObject] = {}
        self._dropped: set[int] = set()
        self._next = max(int(reader.trailer.get("/Size", 1)), max(self._offsets, default=0) + 1)
        self.root: DictionaryObject = self.edit(reader.trailer.raw_get("/Root"))

    def get_object(self, reference: IndirectObject) -> PdfObject | None:
        """What a reference made by `add` points to (IndirectObject.get_object asks its `pdf`)."""
        if reference.idnum in self._added:
            return self._added[reference.idnum]
        return self.reader.get_object(reference)

    def add(self, obj: PdfObject) -> IndirectObject:
        self._added[self._next] = obj
        self._next += 1
        return IndirectObject(self._next - 1, 0, self)

    def edit(self, value: Any) -> Any:
        """The object behind `value`, to be written anew: mark it before changing it.

        A direct object is written with whatever holds it, so only its holder needs marking.
        """
        if isinstance(value, IndirectObject):
            obj = value.get_object()
            if value.idnum not in self._added:
                self._edited[value.idnum] = obj  # type: ignore[assignment]
            return obj
        return value

    def edit_item(self, holder: DictionaryObject, key: str) -> Any:
        """`holder[key]`, marked for writing when it is an object of its own (holder must be marked)."""
        return self.edit(holder.raw_get(key))

    def page(self, index: int) -> Any:
        """Page `index`, marked for writing (the reader's own page object, whatever else refers to it)."""
        page = self.reader.pages[index]
        self._edited[page.indirect_reference.idnum] = page
        return page

    def drop(self, value: Any) -> None:
        """Leave an object of the original out (one nothing refers to any more)."""
        if isinstance(value, IndirectObject) and value.idnum in self._offsets:
            self._dropped.add(value.idnum)
            self._edited.pop(value.idnum, None)

    def drop_tree(self, value: Any, links: tuple[str, ...] = ("/First", "/Next")) -> None:
        """Drop an outline-like tree: the object and, through `links`, every object after or below it."""
        pending = [value]
        while pending:
            item = pending.pop()
            if not isinstance(item, IndirectObject) or item.idnum in self._dropped:
                continue
            obj = item.get_object()
            self.drop(item)
            if isinstance(obj, DictionaryObject):
                pending += [obj.raw_get(link) for link in links if link in obj]

    def write(self, *, header: bytes, info: DictionaryObject, ident: bytes) -> bytes:
        """The whole new file: header, objects in number order, cross-reference table, trailer."""
        out = BytesIO()
        out.write(header + b"\n" + _BINARY_COMMENT)
        extents = self._extents()
        positions: dict[int, int] = {}
        info_ref = self.add(info)
        for number in range(1, self._next):
            if number in self._dropped:
                continue
            obj = self._edited.get(number, self._added.get(number))
            if obj is not None:
                positions[number] = out.tell()
                out.write(b"%d 0 obj\n" % number)
                obj.write_to_stream(out)
                out.write(b"\nendobj\n")
            elif number in extents:
                positions[number] = out.tell()
                start, end = extents[number]
                out.write(self._raw[start:end])
        table = out.tell()
        out.write(b"xref\n0 %d\n" % self._next + b"".join(_table(positions, self._next)))
        trailer = DictionaryObject({
            NameObject("/Size"): NumberObject(self._next), NameObject("/Root"): self.reader.trailer.raw_get("/Root"),
            NameObject("/Info"): info_ref,
            NameObject("/ID"): ArrayObject([ByteStringObject(ident), ByteStringObject(ident)]),
        })
        out.write(b"trailer\n")
        trailer.write_to_stream(out)
        out.write(b"\nstartxref\n%d\n%%%%EOF\n" % table)
        return out.getvalue()

    def _extents(self) -> dict[int, tuple[int, int]]:
        """Where each original object's bytes are: from its offset to the next object (or the table)."""
        ordered = sorted((offset, number) for number, offset in self._offsets.items())
        ends = [offset for offset, _ in ordered[1:]] + [self.reader._startxref]
        return {number: (offset, end) for (offset, number), end in zip(ordered, ends)}


def _table(positions: dict[int, int], size: int) -> list[bytes]:
    """Cross-reference rows: in-use objects at their offsets, free ones chained from entry 0."""
    free = [n for n in range(1, size) if n not in positions]
    following = dict(zip([0, *free], [*free, 0]))
    rows = []
    for number in range(size):
        if number in positions:
            rows.append(b"%010d 00000 n \n" % positions[number])
        else:
            rows.append(b"%010d %05d f \n" % (following[number], 65535 if number == 0 else 1))
    return rows
