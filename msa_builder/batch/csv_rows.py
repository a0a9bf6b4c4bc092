"""Client profiles from a CSV file, one client per row, with dotted headers for nested fields.

A PSA or CRM export is mapped to these columns (rename the headers, keep one row per client);
the README lists them. Cells are typed here, not left to guesswork, so a bad cell is reported
with its row and column: `clients.csv:row 7: client.users: 'forty' is not a whole number`.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .._parse import parse_yaml
from ..errors import MsaError, Problem, ProfileError, brief
from ..fieldtypes import character_problem
from ..library.model import Manifest
from ..library.paramtypes import ParamType, parse_text
from ..lock import canonical_json

FIXED_COLUMNS = (
    "client.legal_name", "client.jurisdiction", "client.address", "client.entity", "client.users",
    "client.signatory.name", "client.signatory.title", "client.signatory.email",
    "client.signatory.authority", "client.signatory.delegated_by",
    "tier", "industry", "effective_date", "agreement_id", "regulators",
)
# The long form of a control entry, one column per field (see profile.ControlDecision).
RECORD_FIELDS = ("status", "offered", "reason", "date_declined", "scope", "quoted_price", "review_by",
                 "channel", "managed_by", "attestation")
_DATE_FIELDS = ("offered", "date_declined", "review_by", "attestation")
PATTERN_COLUMNS = ("controls.<control>", *(f"controls.<control>.{f}" for f in RECORD_FIELDS), "params.<parameter>")
_CONTROL = re.compile(r"^controls\.([A-Za-z0-9_]+)(?:\.(" + "|".join(RECORD_FIELDS) + r"))?$")
_PARAM = re.compile(r"^params\.([A-Za-z0-9_]+)$")


class _CellError(ValueError):
    """A cell that cannot be read as its column's type; the message completes `'<cell>' ...`."""


def _iso_date(text: str) -> date:
    # date.fromisoformat also takes 20261201 and week dates; the column's format is YYYY-MM-DD.
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise _CellError("is not a date; use YYYY-MM-DD")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise _CellError(f"is not a valid date ({exc}); use YYYY-MM-DD") from None


def _list(text: str) -> list[str]:
    """`ncua; nydfs` or `POS terminals; back-office PCs`: a list in one cell, split on semicolons."""
    return [part.strip() for part in text.split(";") if part.strip()]


def _scope(text: str) -> str | list[str]:
    return "all" if text.strip().casefold() == "all" else _list(text)


def _scalar(text: str) -> Any:
    """A parameter the library does not declare: read it as YAML would (the library check reports it)."""
    try:
        value = parse_yaml(text, source="<cell>", error=ProfileError)
    except MsaError:
        return text
    return value if isinstance(value, (str, int, float, bool)) else text


def _param_reader(kind: ParamType) -> Callable[[str], Any]:
    def read(text: str) -> Any:
        try:
            return parse_text(kind, text)
        except ValueError as exc:
            raise _CellError(str(exc)) from None

    return read


_whole = _param_reader("integer")
_money = _param_reader("money")


@dataclass(frozen=True)
class _Column:
    header: str
    path: tuple[str, ...]
    read: Callable[[str], Any]


def _column(header: str, manifest: Manifest | None, *, where: str) -> _Column:
    """How one header maps into a profile, or a ProfileError naming the header."""
    if header in FIXED_COLUMNS:
        read: Callable[[str], Any] = _whole if header == "client.users" else (
            _iso_date if header == "effective_date" else _list if header == "regulators" else str)
        return _Column(header, tuple(header.split(".")), read)
    control = _CONTROL.match(header)
    if control:
        name, part = control.groups()
        if manifest is not None and name not in manifest.controls:
            raise ProfileError(f"column {brief(header)} names a control this library does not know", file=where,
                               line=1, field=header, allowed=[f"controls.{c}" for c in manifest.controls])
        path = ("controls", name) if part is None else ("controls", name, part)
        reader: Callable[[str], Any] = (_iso_date if part in _DATE_FIELDS else _scope if part == "scope"
                                        else _money if part == "quoted_price" else str)
        return _Column(header, path, reader)
    param = _PARAM.match(header)
    if param:
        name = param.group(1)
        if manifest is not None:
            definition = manifest.parameters.get(name)
            if definition is None:
                raise ProfileError(f"column {brief(header)} names a parameter this library does not know",
                                   file=where, line=1, field=header,
                                   allowed=[f"params.{p}" for p in sorted(manifest.parameters)])
            return _Column(header, ("params", name), _param_reader(definition.type))
        return _Column(header, ("params", name), _scalar)
    raise ProfileError(f"unknown column {brief(header)}", file=where, line=1, field=header,
                       allowed=FIXED_COLUMNS + PATTERN_COLUMNS)


def read_header(headers: list[str], manifest: Manifest | None, *, where: str) -> list[_Column]:
    """Check the header row as a whole: every column known, none twice, no control given two ways."""
    columns = []
    seen: set[str] = set()
    for header in headers:
        if not header:
            raise ProfileError("a column has no header", file=where, line=1)
        if header in seen:
            raise ProfileError(f"column {brief(header)} appears twice", file=where, line=1, field=header)
        seen.add(header)
        columns.append(_column(header, manifest, where=where))
    for column in columns:
        if len(column.path) == 2 and column.path[0] == "controls":
            detailed = [c.header for c in columns if len(c.path) == 3 and c.path[:2] == column.path]
            if detailed:
                raise ProfileError(f"control {column.path[1]!r} is given both as {column.header!r} and as "
                                   f"{detailed[0]!r}; use one form", file=where, line=1, field=column.header)
    return columns


@dataclass(frozen=True)
class CsvRow:
    """One data row: its label, the hash of its cells, and its profile mapping or the error."""

    label: str
    sha256: str
    data: dict[str, Any] | None
    error: ProfileError | None
    empty: bool = False


def _map_row(cells: dict[str, str], columns: list[_Column], *, label: str) -> dict[str, Any]:
    """A row's cells as a profile mapping; every bad cell of the row is reported at once."""
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in columns:
        raw = cells.get(column.header, "")
        text = raw.strip()
        if not text:
            continue
        # The cell as written: strip() would silently drop a trailing U+0085 or U+001F.
        problem = character_problem(raw)
        if problem:
            problems.append(Problem(f"the cell {problem}", column.header))
            continue
        try:
            value = column.read(text)
        except _CellError as exc:
            problems.append(Problem(f"{brief(text)} {exc}", column.header))
            continue
        node = data
        for part in column.path[:-1]:
            node = node.setdefault(part, {})
        node[column.path[-1]] = value
    if problems:
        raise ProfileError.several(problems, file=label)
    return data


def _rows(reader: Iterator[list[str]], headers: list[str], columns: list[_Column], *, where: str) -> Iterator[CsvRow]:
    """The data rows; a row the CSV reader itself refuses (a cell over its size limit) fails alone."""
    number = 1
    while True:
        number += 1
        label = f"{where}:row {number}"
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader resumes at the next line
            message = f"cannot read the row: {exc}"
            yield CsvRow(label, hashlib.sha256(message.encode()).hexdigest(), None, ProfileError(message, file=label))
            continue
        values = {h: c.strip() for h, c in zip(headers, cells) if c.strip()}
        sha = hashlib.sha256(canonical_json(values)).hexdigest()
        if len(cells) > len(headers) and any(c.strip() for c in cells[len(headers):]):
            yield CsvRow(label, sha, None, ProfileError(
                f"the row has {len(cells)} cells but the header names {len(headers)} columns", file=label))
            continue
        if not values:
            yield CsvRow(label, sha, None, None, empty=True)
            continue
        try:
            yield CsvRow(label, sha, _map_row(dict(zip(headers, cells)), columns, label=label), None)
        except ProfileError as exc:
            yield CsvRow(label, sha, None, exc)


def read_csv(path: Path, manifest: Manifest | None = None) -> Iterator[CsvRow]:
    """Read a client CSV. The header is checked first (raising); each row then maps or carries its error."""
    where = str(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")  # Excel writes a byte-order mark
    except OSError as exc:
        raise ProfileError(f"cannot read the CSV file: {exc.strerror}", file=where) from None
    with handle:
        reader = csv.reader(handle)
        try:
            headers = [h.strip() for h in next(reader, [])]
            if not headers:
                raise ProfileError("the CSV file is empty; the first row must name the columns", file=where)
            columns = read_header(headers, manifest, where=where)
            yield from _rows(reader, headers, columns, where=where)
        except UnicodeDecodeError:
            raise ProfileError("the CSV file is not UTF-8 text", file=where, line=reader.line_num + 1) from None
        except csv.Error as exc:
            raise ProfileError(f"invalid CSV: {exc}", file=where, line=reader.line_num) from None
