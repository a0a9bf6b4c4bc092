"""An agreement as `msa compare` sees it: bill-of-materials properties and clause-sized units.

Both sources give this same shape: the instrument's content model (units.py, the normal case)
and, for a bare DOCX without one, the Word XML read back (read_docx.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .flat import FlatItem

CLAUSE_PREFIX = "msa.clause."


@dataclass(frozen=True)
class Unit:
    """One aligned piece of an agreement: the preamble, an article heading, a section, the
    signature page or a schedule, keyed by its slot (articles by their title)."""

    key: str
    kind: str  # preamble | article | section | signature | schedule
    title: str
    label: str  # "Section 3.4", "Schedule C", "Article 3", "Preamble", "Signatures"
    items: tuple[FlatItem, ...] = field(repr=False)

    @property
    def name(self) -> str:
        """How a summary names it: "Section 3.4 Exclusions", "Article 3 (Security)", "Preamble"."""
        if self.kind in ("section", "schedule"):
            return f"{self.label} {self.title}"
        if self.kind == "article":
            return f"{self.label} heading ({self.title})"
        return self.label


@dataclass(frozen=True)
class AgreementDocument:
    """A built agreement as read from its DOCX: bill-of-materials properties and units in order."""

    path: str
    properties: dict[str, str] = field(repr=False)
    units: tuple[Unit, ...] = field(repr=False)
    library_source: str | None = None  # where the build's library was, as its lock records it

    @property
    def clauses(self) -> dict[str, str]:
        """slot -> "variant@version status sha256:..." for every clause in the agreement."""
        return {k[len(CLAUSE_PREFIX):]: v for k, v in self.properties.items() if k.startswith(CLAUSE_PREFIX)}

    def version_of(self, slot: str) -> str:
        return self.clauses.get(slot, "").split(" ")[0]

    @property
    def as_of(self) -> date | None:
        try:
            return date.fromisoformat(self.properties.get("msa.as_of", ""))
        except ValueError:
            return None

    def describe(self) -> str:
        p = self.properties
        return (f"{p.get('msa.agreement_id', '?')} for {p.get('msa.client', '?')}: library "
                f"{p.get('msa.library', '?')} {p.get('msa.library_version', '?')}, clauses as of "
                f"{p.get('msa.as_of', '?')}, {p.get('msa.status', '?')}")
