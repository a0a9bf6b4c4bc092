"""The in-memory agreement: ordered, numbered, rendered clauses with their provenance.

Renderers (DOCX, PDF, redline, review memo) consume this; it knows nothing about Word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .blocks import Block, block_lines
from .profile import Provider
from .selection import Selection


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
class Agreement:
    """A complete draft agreement for one client."""

    id: str
    title: str
    effective_date: date
    as_of: date
    library_name: str
    library_version: str
    tool_version: str
    provider: Provider
    selection: Selection
    preamble: Clause
    articles: tuple[Article, ...]
    signature: Clause
    schedules: tuple[Schedule, ...]

    @property
    def client_name(self) -> str:
        return self.selection.profile.client.legal_name

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
