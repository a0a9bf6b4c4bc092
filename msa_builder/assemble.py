"""Assembly: a selection becomes a numbered, rendered Agreement with resolved cross-references."""

from __future__ import annotations

import re
from pathlib import Path
from dataclasses import replace
from functools import lru_cache

from ._version import __version__
from .agreement import Agreement, Article, Clause, LeftOut, Provenance, Schedule, Section
from .blocks import Ref, block_lines, map_refs, parse_markdown
from .context import agreement_values, printed_values
from .errors import RenderError
from .library.load import DEFINITION
from .library.model import ClauseVersion, Library
from .profile import Provider
from .review_notes import legal_notes
from .terms import agreement_terms
from .selection import Selection, SlotChoice
from .templating import render_clause

@lru_cache(maxsize=16)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    ordered = sorted(terms, key=len, reverse=True)
    # A plural ("Declined Controls") is a use of the singular term.
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in ordered) + r")s?(?![\w-])")


def check_defined_terms(library: Library, clauses: list[tuple[ClauseVersion, str]]) -> None:
    """Every library-defined term a clause uses must be defined by a clause in this agreement."""
    pattern = _term_pattern(tuple(sorted(library.terms)))
    if pattern is None:
        return
    defined = {t for clause, text in clauses for t in DEFINITION.findall(text)}
    for clause, text in clauses:
        for term in dict.fromkeys(pattern.findall(text)):
            if term not in defined:
                raise RenderError(
                    f"{clause.key} uses the defined term {term!r}, but no clause in this agreement "
                    f"defines it (the library defines it in {library.terms[term]})",
                    file=clause.path)


def _render(choice: SlotChoice, context: dict, labels: dict[str, str]) -> tuple[Clause, str]:
    clause = choice.clause
    assert clause is not None
    markdown = render_clause(clause, context)
    blocks = parse_markdown(markdown, where=clause.path)

    def resolve(ref: Ref) -> Ref:
        label = labels.get(ref.target)
        if label is None:
            raise RenderError(f"{clause.key} refers to {ref.target!r}, which is not part of this agreement",
                              file=clause.path, field="cross-reference",
                              hint="refer only to slots that are always included, or guard the sentence")
        return replace(ref, label=label)

    blocks = map_refs(blocks, resolve)
    text = "\n".join(block_lines(blocks))
    if "{{" in text or "{%" in text or "{#" in text:
        raise RenderError(f"{clause.key} still contains a template marker after rendering", file=clause.path)
    return (Clause(slot=choice.slot, key=clause.key, variant=clause.meta.variant, version=clause.meta.version,
                   status=clause.meta.status, title=clause.meta.title, sha256=clause.sha256, path=clause.path,
                   reason=choice.reason, blocks=blocks), markdown)


def _left_out(choice: SlotChoice) -> LeftOut:
    rules = "; ".join(f"{k.variant}: {k.rule}" for k in choice.candidates) or "-"
    return LeftOut(choice.slot, rules, choice.reason)


def assemble(selection: Selection, provider: Provider) -> Agreement:
    """Render every selected clause and put the agreement together in outline order."""
    library = selection.library
    manifest = library.manifest
    profile = selection.profile
    labels = manifest.outline.labels({c.slot for c in selection.included})
    printed = printed_values(selection, provider)
    terms = agreement_terms(selection, printed)
    context = {**printed, "agreement": agreement_values(selection, terms)}
    rendered: dict[str, Clause] = {}
    texts: list[tuple[ClauseVersion, str]] = []
    for choice in selection.included:
        clause, markdown = _render(choice, context, labels)
        rendered[choice.slot] = clause
        assert choice.clause is not None
        texts.append((choice.clause, markdown))
    check_defined_terms(library, texts)

    articles = []
    for a_index, article in enumerate(manifest.outline.articles, start=1):
        sections = tuple(Section(labels[e.slot].split(" ", 1)[1], rendered[e.slot])
                         for e in article.slots if e.slot in rendered)
        articles.append(Article(a_index, article.title, sections))
    schedules = tuple(Schedule(labels[e.slot].split(" ", 1)[1], rendered[e.slot])
                      for e in manifest.outline.schedules if e.slot in rendered)
    provenance = Provenance(library_name=manifest.name, library_version=manifest.version, tool_version=__version__,
                            tier_name=manifest.tiers[profile.tier].name,
                            industry_name=manifest.industries[profile.industry].name)
    return Agreement(
        id=context["agreement"]["id"], title=manifest.agreement_title, effective_date=profile.effective_date,
        as_of=selection.as_of, allow_drafts=selection.allow_drafts, client=profile.client, tier=profile.tier,
        industry=profile.industry, provider=provider, provenance=provenance,
        params=tuple(selection.params.values()), controls=selection.controls,
        left_out=tuple(_left_out(c) for c in selection.choices if not c.included),
        preamble=rendered[manifest.outline.preamble], articles=tuple(articles),
        signature=rendered[manifest.outline.signature], schedules=schedules,
        source=str(Path(selection.source).resolve()),  # as the lock records it: the same from any folder
        review_notes=tuple(legal_notes(selection, provider)), terms_sha256=terms.sha256,
    )
