"""`msa diff SLOT@V1 SLOT@V2`: the change between two versions of a clause, on rendered text.

Both versions are rendered the way an agreement renders them (Jinja2 variables filled in, Markdown
parsed into blocks, cross-references labelled), so the attorney reads the words a client would
get. Variables come from a real client with `--profile`, otherwise from the sample client of
`context.sample_context` (every control declined, the library's default parameters) with every
outline slot numbered as if it were included.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ..assemble import number_slots
from ..blocks import Ref, Text, map_refs, parse_markdown
from ..context import clause_context, long_date, sample_context
from ..library.model import ClauseVersion, Library, Manifest, semver_key
from ..library.refs import find_clause, parse_clause_ref  # noqa: F401  (re-exported: part of this module's API)
from ..paths import default_provider
from ..profile import agreement_id_for, load_profile, load_provider
from ..selection import select
from ..templating import render_clause
from .flat import FlatItem, FlatPara, ParaFormat, flatten
from .model import REDLINE, Tracked, View, track

SCHEDULE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # as assemble.py numbers them
TITLE_STYLE = "RedlineHeading"


@dataclass(frozen=True)
class RenderContext:
    """The values a clause body prints, the labels of cross-references, and where both came from."""

    values: dict[str, Any] = field(repr=False)
    labels: dict[str, str] = field(repr=False)
    source: str


def outline_labels(manifest: Manifest) -> dict[str, str]:
    """Section and schedule labels with every outline slot included (the sample client's numbering)."""
    labels: dict[str, str] = {}
    for a_index, article in enumerate(manifest.outline.articles, start=1):
        for s_index, entry in enumerate(article.slots, start=1):
            labels[entry.slot] = f"Section {a_index}.{s_index}"
    for letter, entry in zip(SCHEDULE_LETTERS, manifest.outline.schedules):
        labels[entry.slot] = f"Schedule {letter}"
    return labels


def sample_render_context(library: Library) -> RenderContext:
    return RenderContext(sample_context(library), outline_labels(library.manifest),
                         "the sample client (every control declined, the library's default parameters)")


def profile_render_context(library: Library, profile_path: Path | str, *, provider_path: Path | str | None = None,
                           as_of: date | None = None) -> RenderContext:
    """Values and numbering of one real client's agreement, as `msa build` would render it."""
    loaded = load_profile(Path(profile_path))
    selection = select(library, loaded, as_of=as_of)
    provider, _ = load_provider(Path(provider_path) if provider_path else default_provider())
    profile = selection.profile
    values = clause_context(selection, provider, {
        "id": agreement_id_for(profile),
        "title": library.manifest.agreement_title,
        "effective_date": long_date(profile.effective_date),
        "library_version": library.manifest.version,
    })
    return RenderContext(values, number_slots(selection), f"client profile {loaded.source}")


def render_items(clause: ClauseVersion, context: RenderContext, *, prefix: str) -> tuple[FlatItem, ...]:
    """A clause version's title and rendered body as flat paragraphs."""
    blocks = parse_markdown(render_clause(clause, context.values), where=clause.path)

    def label(ref: Ref) -> Ref:
        # A target this client's agreement leaves out has no number; say so rather than fail.
        return replace(ref, label=context.labels.get(ref.target, f"[{ref.target}: not in this agreement]"))

    title = FlatPara(ParaFormat(TITLE_STYLE, keep_next=True), (Text(clause.meta.title),))
    return (title,) + flatten(map_refs(blocks, label), prefix=prefix)


def changelog_between(library: Library, old: ClauseVersion | None,
                      new: ClauseVersion | None) -> tuple[tuple[str, str], ...]:
    """(key, changelog) of every version that leads from `old` to `new`, oldest first."""
    if new is None:
        return ()
    if old is None or (old.meta.id, old.meta.variant) != (new.meta.id, new.meta.variant):
        return ((new.key, new.meta.changelog),)
    variant = library.slots[new.meta.id].variants[new.meta.variant]
    low, high = sorted((semver_key(old.meta.version), semver_key(new.meta.version)))
    steps = [v for v in variant.versions if low < semver_key(v.meta.version) <= high]
    if semver_key(new.meta.version) < semver_key(old.meta.version):
        return tuple((f"{v.key} (undone)", v.meta.changelog) for v in reversed(steps))
    return tuple((v.key, v.meta.changelog) for v in steps)


@dataclass(frozen=True)
class ClauseRedline:
    """Two versions of a clause (either may be missing: added or removed) rendered for comparison."""

    old: ClauseVersion | None
    new: ClauseVersion | None
    old_items: tuple[FlatItem, ...] = field(repr=False)
    new_items: tuple[FlatItem, ...] = field(repr=False)
    changelog: tuple[tuple[str, str], ...]
    context: str
    when: date  # the revisions' date: the newer version's effective date
    library: str = ""  # "name version" of the library (or libraries) the versions come from

    def tracked(self, view: View = REDLINE) -> list[Tracked]:
        return track(self.old_items, self.new_items, view)

    @property
    def title(self) -> str:
        clause = self.new or self.old
        assert clause is not None
        return clause.meta.title

    @property
    def slot(self) -> str:
        clause = self.new or self.old
        assert clause is not None
        return clause.meta.id


def redline_versions(old: ClauseVersion | None, new: ClauseVersion | None, *, old_context: RenderContext,
                     new_context: RenderContext, changelog: tuple[tuple[str, str], ...],
                     library: str = "") -> ClauseRedline:
    """Render two versions (each with its own library's context) for comparison."""
    if old is None and new is None:
        raise ValueError("nothing to compare")
    old_items = render_items(old, old_context, prefix="old:") if old is not None else ()
    new_items = render_items(new, new_context, prefix="new:") if new is not None else ()
    newer = max((c for c in (old, new) if c is not None), key=lambda c: c.meta.effective)
    source = new_context.source if old_context.source == new_context.source else (
        f"{old_context.source} (old) and {new_context.source} (new)")
    return ClauseRedline(old, new, old_items, new_items, changelog, source, newer.meta.effective, library)


def clause_redline(library: Library, old_ref: str, new_ref: str, *, variant: str | None = None,
                   context: RenderContext | None = None) -> ClauseRedline:
    """The redline between two clause versions of one library (`msa diff SLOT@V1 SLOT@V2`)."""
    old = find_clause(library, old_ref, variant=variant)
    new = find_clause(library, new_ref, variant=variant)
    context = context or sample_render_context(library)
    return redline_versions(old, new, old_context=context, new_context=context,
                            changelog=changelog_between(library, old, new),
                            library=f"{library.manifest.name} {library.manifest.version}")
