"""Reading our DOCX outputs back for tests: python-docx for text and styles, lxml for fields.

Kept apart from the tests so the DOCX and PDF tests read documents (and find the samples) the same way.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from msa_builder.ooxml.package import read_parts

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
NS = {"w": W_NS}
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CLIENT_SAMPLES = sorted(p.name for p in SAMPLES.iterdir()
                        if p.suffix in (".yaml", ".json") and p.name != "provider.yaml")


def open_docx(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def part_xml(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(read_parts(data)[name])


def body_items(document: Document) -> list[Paragraph | Table]:
    """Body-level paragraphs and tables, in document order."""
    out: list[Paragraph | Table] = []
    for element in document.element.body.iterchildren():
        if element.tag == f"{W}p":
            out.append(Paragraph(element, document))
        elif element.tag == f"{W}tbl":
            out.append(Table(element, document))
    return out


def body_texts(document: Document) -> list[str]:
    """Paragraph texts in order; a table contributes one " | "-joined line per row, as text_lines does."""
    out = []
    for item in body_items(document):
        if isinstance(item, Paragraph):
            out.append(item.text)
        else:
            out += [" | ".join(cell.text for cell in row.cells) for row in item.rows]
    return out


def tables_with_header(document: Document, header: list[str]) -> list[Table]:
    return [t for t in document.tables if [c.text for c in t.rows[0].cells] == header]


@dataclass(frozen=True)
class Field:
    """A complex field: its instruction and the text shown until it is updated."""

    instruction: str
    result: str


def fields(root: etree._Element) -> list[Field]:
    """Every complex field (fldChar begin/separate/end) in document order; fields may span paragraphs."""
    out: list[Field] = []
    state = None
    instruction: list[str] = []
    result: list[str] = []
    for r in root.iter(f"{W}r"):
        char = r.find(f"{W}fldChar")
        if char is not None:
            kind = char.get(f"{W}fldCharType")
            if kind == "begin":
                state, instruction, result = "instr", [], []
            elif kind == "separate":
                state = "result"
            elif kind == "end":
                out.append(Field("".join(instruction).strip(), "".join(result)))
                state = None
            continue
        if state == "instr":
            instruction += [t.text or "" for t in r.iter(f"{W}instrText")]
        elif state == "result":
            result += [t.text or "" for t in r.iter(f"{W}t")]
    return out


def bookmarks(root: etree._Element) -> dict[str, etree._Element]:
    """Bookmark name -> the paragraph that holds its start."""
    return {start.get(f"{W}name"): next(a for a in start.iterancestors() if a.tag == f"{W}p")
            for start in root.iter(f"{W}bookmarkStart")}


def paragraph_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W}t"))


_LABEL = re.compile(r"^(\([a-zA-Z]+\)|•) ")
_ARTICLE = re.compile(r"^ARTICLE \d+\. (.+)$")
_SECTION = re.compile(r"^\d+\.\d+ (.+)\.$")
_SCHEDULE = re.compile(r"^SCHEDULE ([A-Z]): (.+)$")


def expected_docx_texts(line: str) -> list[str]:
    """What a text_lines() line looks like as a Word paragraph: numbering labels are Word's to draw.

    Returns candidates compared case-insensitively for headings (Word applies all-caps by style).
    """
    if m := _ARTICLE.match(line):
        return [m.group(1)]
    if m := _SCHEDULE.match(line):
        return [f"Schedule {m.group(1)}\n{m.group(2)}"]
    candidates = [line]
    if m := _SECTION.match(line):
        candidates.insert(0, m.group(1))
    if m := _LABEL.match(line):
        candidates.insert(0, line[m.end():])
    return candidates
