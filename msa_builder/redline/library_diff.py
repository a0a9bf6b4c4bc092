"""`msa diff --library OLD NEW`: a release note for attorneys between two versions of a library.

Which slots were added, removed or changed, and for each changed variant the redline from the
newest version the old library has to the newest the new library has, with the changelog of
every version in between. A released file edited in place (same version, different bytes) is
reported as such: it should never happen, and lint refuses it. Each side is rendered with its
own library's sample client (or the same client profile), so a changed default parameter shows in
the text where a clause prints it, and is also listed on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..library.model import ClauseVersion, Library
from ..library.refs import changelog_between
from .clause_diff import ClauseRedline, RenderContext, profile_render_context, redline_versions, sample_render_context

ADDED, REMOVED, CHANGED, EDITED = "added", "removed", "changed", "edited in place"


@dataclass(frozen=True)
class ClauseChange:
    slot: str
    variant: str
    kind: str  # added | removed | changed | edited in place
    redline: ClauseRedline

    @property
    def old(self) -> ClauseVersion | None:
        return self.redline.old

    @property
    def new(self) -> ClauseVersion | None:
        return self.redline.new

    def describe(self) -> str:
        old = self.old.meta.version if self.old else ""
        new = self.new.meta.version if self.new else ""
        status = f", {self.new.meta.status}" if self.new and self.new.meta.status != "approved" else ""
        versions = {ADDED: new, REMOVED: old, CHANGED: f"{old} \u2192 {new}", EDITED: old}[self.kind]
        return f"{self.slot}:{self.variant} {versions} ({self.kind}{status})"


@dataclass(frozen=True)
class ParameterChange:
    name: str
    old: str  # the library default, formatted; "" when the parameter is new
    new: str  # "" when it was removed

    def describe(self) -> str:
        if not self.old:
            return f"{self.name}: added, default {self.new}"
        if not self.new:
            return f"{self.name}: removed (default was {self.old})"
        if self.old == self.new:
            return f"{self.name}: default {self.new} unchanged; values by tier, industry or size changed"
        return f"{self.name}: default {self.old} \u2192 {self.new}"


@dataclass(frozen=True)
class LibraryRedline:
    old: Library
    new: Library
    added_slots: tuple[str, ...]
    removed_slots: tuple[str, ...]
    changed_slots: tuple[str, ...]
    changes: tuple[ClauseChange, ...]
    parameters: tuple[ParameterChange, ...]
    context: str

    @property
    def when(self) -> date:
        """The revisions' date: the latest effective date among the changed versions."""
        dates = [c.redline.when for c in self.changes]
        if dates:
            return max(dates)
        versions = self.new.versions() or self.old.versions()
        return max((v.meta.effective for v in versions), default=date(1980, 1, 1))

    def title(self) -> str:
        o, n = self.old.manifest, self.new.manifest
        if o.name == n.name:
            return f"{n.name} {o.version} \u2192 {n.version}"
        return f"{o.name} {o.version} \u2192 {n.name} {n.version}"


def _order(library: Library) -> list[str]:
    """Slots in outline order, then any others alphabetically."""
    outline = [e.slot for _, e in library.manifest.outline.entries()]
    return outline + sorted(s for s in library.slots if s not in outline)


def _newest(library: Library, slot: str, variant: str) -> ClauseVersion | None:
    found = library.slots.get(slot)
    var = found.variants.get(variant) if found else None
    return var.versions[-1] if var and var.versions else None


def _contexts(old: Library, new: Library, profile: Path | str | None) -> tuple[RenderContext, RenderContext]:
    if profile is None:
        return sample_render_context(old), sample_render_context(new)
    return profile_render_context(old, profile), profile_render_context(new, profile)


def library_redline(old: Library, new: Library, *, profile: Path | str | None = None) -> LibraryRedline:
    """Everything that changed between two libraries, clause by clause."""
    old_context, new_context = _contexts(old, new, profile)
    order = _order(new) + [s for s in _order(old) if s not in new.slots]
    changes: list[ClauseChange] = []
    for slot in order:
        variants = list(new.slots[slot].variants) if slot in new.slots else []
        variants += [v for v in (old.slots[slot].variants if slot in old.slots else {}) if v not in variants]
        for variant in variants:
            before, after = _newest(old, slot, variant), _newest(new, slot, variant)
            if before is not None and after is not None and before.sha256 == after.sha256:
                continue
            if before is None:
                kind = ADDED
            elif after is None:
                kind = REMOVED
            elif before.meta.version == after.meta.version:
                kind = EDITED
            else:
                kind = CHANGED
            changelog = changelog_between(new, before, after)
            redline = redline_versions(before, after, old_context=old_context, new_context=new_context,
                                       changelog=changelog, library=f"{new.manifest.name} {new.manifest.version}")
            changes.append(ClauseChange(slot, variant, kind, redline))
    parameters = []
    for name in dict.fromkeys([*new.manifest.parameters, *old.manifest.parameters]):
        a, b = old.manifest.parameters.get(name), new.manifest.parameters.get(name)
        if a != b:
            was = a.display(a.default) if a else ""
            parameters.append(ParameterChange(name, was, b.display(b.default) if b else ""))
    changed_slots = tuple(dict.fromkeys(c.slot for c in changes if c.slot in old.slots and c.slot in new.slots))
    return LibraryRedline(
        old=old, new=new,
        added_slots=tuple(s for s in order if s in new.slots and s not in old.slots),
        removed_slots=tuple(s for s in order if s in old.slots and s not in new.slots),
        changed_slots=changed_slots,
        changes=tuple(changes), parameters=tuple(parameters),
        context=new_context.source,
    )
