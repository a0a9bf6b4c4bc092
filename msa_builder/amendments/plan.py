"""What an amendment changes: the signed terms against what a build says now, in the signed numbering.

Sections and schedules are matched by slot. A slot in both whose text differs (cross-references
compared as the amended agreement numbers them) is replaced in its entirety; a new slot is added
at the end of its article (or as a new article) so that no signed number moves; a slot gone from
the library is deleted, and the conformed copy keeps its number as "[Deleted]", for the same
reason. A parameter or client fact a clause prints changes that clause's text, so it is amended
where it is printed. Some changes an amendment should not make (the library's `amendments`
policy): they make the plan a restatement instead, with the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from ..agreement import Agreement, Article, Clause, Schedule, Section
from ..blocks import Block, Heading, Inline, ListBlock, Paragraph, Ref, Table, Text
from ..library.model import AmendmentPolicy

ChangeKind = Literal["replace", "add", "delete"]
Unit = Literal["section", "schedule", "preamble", "signature"]
DELETED_TITLE = "[Deleted]"


@dataclass(frozen=True)
class Change:
    """One numbered amendment: replace, add or delete a section or schedule of the signed instrument."""

    kind: ChangeKind
    unit: Unit
    slot: str
    label: str  # "Section 8.1", "Schedule C", "the preamble": the signed numbering (or the new number)
    title: str
    old: Clause | None
    new: Clause | None  # with cross-references numbered as in the amended agreement
    after: str | None = None  # an added section or schedule: the label it follows
    article: str | None = None  # an added section that opens a new article: "Article 12 (Title)"

    @property
    def old_version(self) -> str | None:
        return f"{self.old.variant}@{self.old.version}" if self.old else None

    @property
    def new_version(self) -> str | None:
        return f"{self.new.variant}@{self.new.version}" if self.new else None

    def describe(self) -> str:
        """A line for status and dry runs: what changes, and the versions."""
        versions = " \u2192 ".join(v for v in (self.old_version, self.new_version) if v)
        verb = {"replace": "replaced", "add": "added", "delete": "deleted"}[self.kind]
        return f"{self.label} ({self.title}) {verb}: {self.slot} {versions}"


@dataclass(frozen=True)
class AmendmentPlan:
    """The changes an amendment makes, the agreement as amended, and why a restatement is needed (if it is)."""

    changes: tuple[Change, ...]
    conformed: Agreement
    restate: tuple[str, ...] = ()

    @property
    def needed(self) -> bool:
        return bool(self.changes)


def _relabel_inlines(inlines: tuple[Inline, ...], labels: dict[str, str]) -> tuple[Inline, ...]:
    return tuple(replace(i, label=labels.get(i.target, i.label)) if isinstance(i, Ref) else i for i in inlines)


def relabel(blocks: tuple[Block, ...], labels: dict[str, str]) -> tuple[Block, ...]:
    """The blocks with every cross-reference printed as `labels` number its target."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            out.append(replace(block, inlines=_relabel_inlines(block.inlines, labels)))
        elif isinstance(block, ListBlock):
            out.append(replace(block, items=tuple(relabel(item, labels) for item in block.items)))
        elif isinstance(block, Table):
            out.append(replace(block, header=tuple(_relabel_inlines(c, labels) for c in block.header),
                               rows=tuple(tuple(_relabel_inlines(c, labels) for c in row) for row in block.rows)))
        else:
            out.append(block)
    return tuple(out)


def _refs(blocks: tuple[Block, ...]) -> set[str]:
    found: set[str] = set()
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            found |= {i.target for i in block.inlines if isinstance(i, Ref)}
        elif isinstance(block, ListBlock):
            for item in block.items:
                found |= _refs(item)
        elif isinstance(block, Table):
            for cells in (block.header, *block.rows):
                for cell in cells:
                    found |= {i.target for i in cell if isinstance(i, Ref)}
    return found


def deleted_clause(old: Clause, number: int) -> Clause:
    """What the conformed copy prints where a section or schedule was deleted (its number stays)."""
    return replace(old, title=DELETED_TITLE, variant="deleted", status="approved", reason=f"deleted by Amendment No. "
                   f"{number}", blocks=(Paragraph((Text(f"Deleted by Amendment No. {number}."),)),))


def _same(old: Clause, new: Clause) -> bool:
    """Whether two clauses print the same: title and blocks (text, emphasis, numbered references)."""
    return old.title == new.title and old.blocks == new.blocks


def _next_letter(letters: list[str]) -> str:
    last = max((ord(x) for x in letters if len(x) == 1 and x.isalpha()), default=ord("A") - 1)
    return chr(last + 1)


def _restate_reasons(signed: Agreement, now: Agreement, changes: list[Change], policy: AmendmentPolicy) -> list[str]:
    reasons = []
    wanted = set(policy.restate_when)
    if "tier" in wanted and signed.tier != now.tier:
        reasons.append(f"the tier changes ({signed.provenance.tier_name} \u2192 {now.provenance.tier_name}): the "
                       "Services themselves change")
    if "industry" in wanted and signed.industry != now.industry:
        reasons.append(f"the industry changes ({signed.provenance.industry_name} \u2192 "
                       f"{now.provenance.industry_name})")
    if "parties" in wanted:
        if signed.client.legal_name != now.client.legal_name or signed.provider.legal_name != now.provider.legal_name:
            reasons.append("a party's legal name changes")
        elif any(c.unit in ("preamble", "signature") for c in changes):
            reasons.append("the preamble or the signature page changes")
    if "articles" in wanted:
        before, after = [a.title for a in signed.articles], [a.title for a in now.articles]
        added = [t for t in after if t not in before]
        removed = [t for t in before if t not in after]
        if added or removed:
            parts = [f"added: {', '.join(added)}" if added else "", f"removed: {', '.join(removed)}" if removed else ""]
            reasons.append(f"the agreement's articles change ({'; '.join(p for p in parts if p)})")
    return reasons


def relabel_clause(clause: Clause, labels: dict[str, str]) -> Clause:
    return replace(clause, blocks=relabel(clause.blocks, labels))


def plan_amendment(signed: Agreement, now: Agreement, *, number: int, policy: AmendmentPolicy) -> AmendmentPlan:
    """Amendment No. `number`: `signed` (the signed terms, as amended so far) brought to `now`."""
    now_sections = {s.clause.slot: (a, s) for a in now.articles for s in a.sections}
    signed_slots = {s.clause.slot for a in signed.articles for s in a.sections}
    labels = dict(signed.labels())

    # New sections go at the end of their article, new articles at the end: no signed number moves.
    additions: dict[int, list[tuple[str, Section]]] = {}
    new_articles: list[Article] = []
    by_title = {a.title: a for a in signed.articles}
    next_article = max((a.number for a in signed.articles), default=0) + 1
    for article in now.articles:
        fresh = [s for s in article.sections if s.clause.slot not in signed_slots]
        if not fresh:
            continue
        home = by_title.get(article.title)
        if home is not None:
            used = [s.number for s in home.sections] + [n for n, _ in additions.get(home.number, [])]
            last = max(int(n.split(".")[1]) for n in used) if used else 0
            for offset, section in enumerate(fresh, start=1):
                numbered = f"{home.number}.{last + offset}"
                additions.setdefault(home.number, []).append((numbered, section))
                labels[section.clause.slot] = f"Section {numbered}"
        else:
            sections = tuple(Section(f"{next_article}.{i}", s.clause) for i, s in enumerate(fresh, start=1))
            for s in sections:
                labels[s.clause.slot] = s.label
            new_articles.append(Article(next_article, article.title, sections))
            next_article += 1

    now_schedules = {s.clause.slot: s for s in now.schedules}
    signed_schedules = {s.clause.slot for s in signed.schedules}
    letters = [s.letter for s in signed.schedules]
    added_schedules: list[Schedule] = []
    for schedule in now.schedules:
        if schedule.clause.slot not in signed_schedules:
            letter = _next_letter(letters + [s.letter for s in added_schedules])
            added_schedules.append(Schedule(letter, schedule.clause))
            labels[schedule.clause.slot] = f"Schedule {letter}"

    changes: list[Change] = []
    for unit, label, old, new in (("preamble", "the preamble", signed.preamble, now.preamble),
                                  ("signature", "the signature page", signed.signature, now.signature)):
        relabelled = relabel_clause(new, labels)
        if not _same(old, relabelled):
            changes.append(Change("replace", unit, old.slot, label, old.title, old, relabelled))  # type: ignore[arg-type]

    articles = []
    for article in signed.articles:
        sections = []
        for section in article.sections:
            slot = section.clause.slot
            found = now_sections.get(slot)
            if section.clause.variant == "deleted" and found is None:
                sections.append(section)  # deleted by an earlier amendment, and still gone
            elif found is None:
                changes.append(Change("delete", "section", slot, section.label, section.clause.title, section.clause,
                                      None))
                sections.append(Section(section.number, deleted_clause(section.clause, number)))
            else:
                new = relabel_clause(found[1].clause, labels)
                if not _same(section.clause, new):
                    changes.append(Change("replace", "section", slot, section.label, new.title, section.clause, new))
                sections.append(Section(section.number, new))
        previous = sections[-1].label if sections else None
        for numbered, added in additions.get(article.number, []):
            new = relabel_clause(added.clause, labels)
            changes.append(Change("add", "section", new.slot, f"Section {numbered}", new.title, None, new,
                                  after=previous))
            sections.append(Section(numbered, new))
            previous = f"Section {numbered}"
        articles.append(Article(article.number, article.title, tuple(sections)))
    previous_article = articles[-1] if articles else None
    for article in new_articles:
        sections = tuple(Section(s.number, relabel_clause(s.clause, labels)) for s in article.sections)
        for i, section in enumerate(sections):
            changes.append(Change("add", "section", section.clause.slot, section.label, section.clause.title, None,
                                  section.clause, after=(f"Article {previous_article.number}" if i == 0 and
                                                         previous_article else sections[i - 1].label if i else None),
                                  article=f"Article {article.number} ({article.title})" if i == 0 else None))
        articles.append(Article(article.number, article.title, sections))
        previous_article = articles[-1]

    schedules = []
    for schedule in signed.schedules:
        slot = schedule.clause.slot
        found_schedule = now_schedules.get(slot)
        if schedule.clause.variant == "deleted" and found_schedule is None:
            schedules.append(schedule)
        elif found_schedule is None:
            changes.append(Change("delete", "schedule", slot, schedule.label, schedule.clause.title, schedule.clause,
                                  None))
            schedules.append(Schedule(schedule.letter, deleted_clause(schedule.clause, number)))
        else:
            new = relabel_clause(found_schedule.clause, labels)
            if not _same(schedule.clause, new):
                changes.append(Change("replace", "schedule", slot, schedule.label, new.title, schedule.clause, new))
            schedules.append(Schedule(schedule.letter, new))
    for schedule in added_schedules:
        new = relabel_clause(schedule.clause, labels)
        changes.append(Change("add", "schedule", new.slot, schedule.label, new.title, None, new,
                              after=schedules[-1].label if schedules else None))
        schedules.append(Schedule(schedule.letter, new))

    conformed = replace(now, id=signed.id, effective_date=signed.effective_date, articles=tuple(articles),
                        schedules=tuple(schedules), preamble=relabel_clause(now.preamble, labels),
                        signature=relabel_clause(now.signature, labels))
    restate = _restate_reasons(signed, now, changes, policy)
    counted = [c for c in changes if c.unit in ("section", "schedule")]
    if len(counted) > policy.max_changes:
        restate.append(f"{len(counted)} sections and schedules change, more than the {policy.max_changes} an "
                       "amendment may change (library.yaml amendments.max_changes)")
    dangling = sorted({target for c in changes if c.new is not None for target in _refs(c.new.blocks)}
                      - set(labels) - {conformed.preamble.slot, conformed.signature.slot})
    if dangling:
        restate.append(f"new text refers to {', '.join(dangling)}, which the amended agreement does not have")
    return AmendmentPlan(tuple(changes), conformed, tuple(restate))
