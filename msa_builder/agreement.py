"""The in-memory agreement: ordered, numbered, rendered clauses with their provenance.

An `Agreement` is self-contained, frozen data: everything a renderer (DOCX, PDF, memo, redline)
prints is in it, and it holds no reference to the library or the selection it came from. So it
pickles (a process pool or a Dask worker can return it), it can be written to disk as the
instrument's content model (content.py) and read back years later, when the library that made it
has moved on. It knows nothing about Word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .blocks import Block, block_lines
from .params import ResolvedParam
from .profile import ClientDetails, Provider
from .selection import ControlState


@dataclass(frozen=True)
class Clause:
    """One rendered clause and where it came from."""

    slot: str
    key: str  # slot:variant@version
    variant: str
    version: str
    status: str
    title: str
    sha256: str
    path: str
    reason: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Section:
    number: str  # "3.2"
    clause: Clause

    @property
    def label(self) -> str:
        return f"Section {self.number}"


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Schedule:
    letter: str
    clause: Clause

    @property
    def label(self) -> str:
        return f"Schedule {self.letter}"


@dataclass(frozen=True)
class Provenance:
    """Which library and tool made the agreement, and the manifest facts the renderers print."""

    library_name: str
    library_version: str
    tool_version: str
    tier_name: str
    industry_name: str


@dataclass(frozen=True)
class LeftOut:
    """An optional slot the rules left out, for the review memo."""

    slot: str
    rules: str  # "variant: rule; …" as considered, or "-"
    reason: str


@dataclass(frozen=True)
class Agreement:
    """A complete agreement for one client: its facts, its numbered clauses and why each is there."""

    id: str
    title: str
    effective_date: date
    as_of: date
    allow_drafts: bool
    client: ClientDetails
    tier: str
    industry: str
    provider: Provider
    provenance: Provenance
    params: tuple[ResolvedParam, ...]
    controls: tuple[ControlState, ...]
    left_out: tuple[LeftOut, ...]
    preamble: Clause
    articles: tuple[Article, ...]
    signature: Clause
    schedules: tuple[Schedule, ...]
    source: str  # the profile it was built from
    review_notes: tuple[str, ...] = ()  # points of law the review memo asks counsel to decide
    terms_sha256: str = ""  # what it says (terms.py): the same for its draft and its execution version

    @property
    def client_name(self) -> str:
        return self.client.legal_name

    @property
    def library_name(self) -> str:
        return self.provenance.library_name

    @property
    def library_version(self) -> str:
        return self.provenance.library_version

    @property
    def tool_version(self) -> str:
        return self.provenance.tool_version

    @property
    def declined(self) -> list[ControlState]:
        return [c for c in self.controls if c.status == "declined"]

    @property
    def deviations(self) -> list[ResolvedParam]:
        return [p for p in self.params if p.is_deviation]

    @property
    def is_final_eligible(self) -> bool:
        """A final (unmarked) copy may be made only from approved clause versions."""
        return all(c.status == "approved" for c in self.clauses())

    def clauses(self) -> list[Clause]:
        out = [self.preamble]
        out += [s.clause for a in self.articles for s in a.sections]
        out.append(self.signature)
        out += [s.clause for s in self.schedules]
        return out

    def labels(self) -> dict[str, str]:
        """slot -> "Section 3.2" / "Schedule C" for every numbered clause."""
        labels = {s.clause.slot: s.label for a in self.articles for s in a.sections}
        labels.update({s.clause.slot: s.label for s in self.schedules})
        return labels

    def text_lines(self) -> list[str]:
        """The agreement as plain text, in reading order: the basis of golden tests and diffs."""
        lines = [self.title.upper(), ""]
        lines += block_lines(self.preamble.blocks) + [""]
        for article in self.articles:
            lines += [f"ARTICLE {article.number}. {article.title.upper()}", ""]
            for section in article.sections:
                body = block_lines(section.clause.blocks)
                lines.append(f"{section.number} {section.clause.title}.")
                lines += body + [""]
        lines += block_lines(self.signature.blocks) + [""]
        for schedule in self.schedules:
            lines += [f"SCHEDULE {schedule.letter}: {schedule.clause.title.upper()}", ""]
            lines += block_lines(schedule.clause.blocks) + [""]
        return lines
