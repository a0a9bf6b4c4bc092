"""What an attorney reviews for one draft: the memo's points, deviations and declines first, redlines.

The memo is read from the build's content model (the `-agreement.json` the ledger vouches for),
never from the Word file, so the page says exactly what the draft says. What is non-standard is
measured against the standard agreement for the same client, tier and industry: the same profile
with every control at the tier's default and no parameter overrides. Each clause whose variant or
wording differs from that one gets a redline against it, so counsel sees what the client's
declines and deviations changed; a clause whose only change is the number of a cross-reference (a
schedule the declines add moves the letters after it) is standard wording and not listed, as its
redline, which compares references by their target, would show nothing. Without the profile
(moved since the build), a clause is compared with its slot's `standard` variant, filled in with
sample values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .agreement import Agreement
from .content import agreement_from_data
from .downloads import recorded_file
from .errors import MsaError
from .ledger import AgreementRecord, StatusEvent
from .library.load import open_library
from .context import clause_context
from .library.model import Library
from .paths import default_provider
from .profile import LoadedProfile, load_profile, load_provider
from .redline.clause_diff import RenderContext, clause_redline, redline_versions, render_items
from .redline.html import clause_fragment
from .render.memo_docx import decisions
from .selection import Selection, select

STANDARD = "standard"


@dataclass(frozen=True)
class ClauseDifference:
    """A non-standard clause of the draft and its redline against the standard variant (HTML, escaped)."""

    slot: str
    key: str
    title: str
    reason: str
    html: str | None
    error: str | None = None


@dataclass(frozen=True)
class Review:
    """One draft as the review page shows it."""

    record: AgreementRecord
    events: tuple[StatusEvent, ...]
    agreement: Agreement
    decisions: tuple[str, ...]
    differences: tuple[ClauseDifference, ...]


def read_agreement(record: AgreementRecord) -> Agreement:
    """The content model of a recorded build, checked against the ledger's hash."""
    found = recorded_file(record, "agreement")
    return agreement_from_data(json.loads(found.data.decode("utf-8")), where=found.name)


def _context(library: Library, loaded: LoadedProfile, provider: Path | None, agreement: Agreement,
             source: str) -> tuple[Selection, RenderContext]:
    selection = select(library, loaded, as_of=agreement.as_of)
    details, _ = load_provider(provider or default_provider())
    labels = library.manifest.outline.labels({c.slot for c in selection.included})
    return selection, RenderContext(clause_context(selection, details), labels, source)


def _against_baseline(library: Library, profile: Path, provider: Path | None,
                      agreement: Agreement) -> list[ClauseDifference]:
    loaded = load_profile(profile)
    baseline = loaded.model_copy(update={"profile": loaded.profile.model_copy(update={"controls": {}, "params": {}})})
    mine, mine_context = _context(library, loaded, provider, agreement, f"client profile {profile.name}")
    standard, standard_context = _context(library, baseline, provider, agreement,
                                          "the standard agreement for this tier and industry (every control at "
                                          "the tier's default, the library's parameters)")
    theirs = {c.slot: c.clause for c in standard.choices}
    out = []
    for choice in mine.choices:
        new, old = choice.clause, theirs.get(choice.slot)
        if new is None and old is None:
            continue
        if new is not None and old is not None and new.key == old.key and (
                render_items(new, mine_context, prefix="") == render_items(old, standard_context, prefix="")):
            continue
        redline = redline_versions(old, new, old_context=standard_context, new_context=mine_context, changelog=())
        if not any(step.changed for step in redline.tracked()):
            continue  # only a cross-reference's number moved (a schedule added before it): the wording is standard
        clause = new or old
        assert clause is not None
        out.append(ClauseDifference(choice.slot, clause.key, clause.meta.title, choice.reason,
                                    clause_fragment(redline)))
    return out


def _against_standard_variant(agreement: Agreement, library: Library) -> list[ClauseDifference]:
    out = []
    for clause in agreement.clauses():
        slot = library.slots.get(clause.slot)
        if clause.variant == STANDARD or slot is None or STANDARD not in slot.variants:
            continue
        try:
            redline = clause_redline(library, f"{clause.slot}:{STANDARD}",
                                     f"{clause.slot}:{clause.variant}@{clause.version}")
            out.append(ClauseDifference(clause.slot, clause.key, clause.title, clause.reason, clause_fragment(redline)))
        except MsaError as exc:
            out.append(ClauseDifference(clause.slot, clause.key, clause.title, clause.reason, None, exc.message))
    return out


def _differences(agreement: Agreement, library: Library, profile: Path, provider: Path | None) -> list[ClauseDifference]:
    if profile.is_file():
        try:
            return _against_baseline(library, profile, provider, agreement)
        except MsaError:
            pass  # the profile no longer selects (edited since the build): compare variants instead
    return _against_standard_variant(agreement, library)


def review_of(record: AgreementRecord, events: list[StatusEvent], *, library_dir: Path | None = None,
              provider: Path | None = None) -> Review:
    """The review page's content for one recorded build."""
    agreement = read_agreement(record)
    library = open_library(library_dir)
    return Review(record, tuple(events), agreement, tuple(decisions(agreement)),
                  tuple(_differences(agreement, library, Path(record.source), provider)))
