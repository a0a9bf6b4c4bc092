"""Selection over every plausible profile: gaps, overlaps, unreachable variants, dangling references.

The same matching as a real build (`selection.rule_matches`, `selection.top_precedence`), applied
to the newest live version of each variant, so lint and `msa build` cannot disagree on a rule.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from ..context import sample_context
from ..errors import MsaError
from ..library.model import ClauseVersion, Library, semver_key
from ..params import library_value
from ..rules import rule_for
from ..selection import rule_matches, top_precedence
from ..templating import render_clause
from .clauses import REF
from .finding import Finding


def _scenarios(library: Library) -> Iterator[dict[str, Any]]:
    """Plausible profiles: every tier and industry, each control at each status, a few sizes."""
    manifest = library.manifest
    reads_users = any("users" in rule_for(v.meta.applies_when, where=v.path).names for v in library.versions())
    sizes = sorted({1} | {t.min for p in manifest.parameters.values() for t in p.by_users}) if reads_users else [1]
    for tier, industry, users in itertools.product(manifest.tiers, manifest.industries, sizes):
        defaults = {cid: c.defaults[tier] for cid, c in manifest.controls.items()}
        variations = [dict(defaults)]
        for cid in manifest.controls:
            for status in ("accepted", "declined", "client_managed"):
                if defaults[cid] != status:
                    variations.append({**defaults, cid: status})
        for controls in variations:
            declined = [c for c, s in controls.items() if s == "declined"]
            if any(rule.matches(c, tier, industry) for c in declined for rule in manifest.refusal_policy.require):
                continue
            if declined and manifest.refusal_policy.default == "require":
                continue
            params = {n: library_value(p, tier, industry, users)[0] for n, p in manifest.parameters.items()}
            yield {"tier": tier, "industry": industry, "users": users, "jurisdiction": "Ohio",
                   "controls": controls, "declined": declined, "params": params}


def _describe(ctx: dict[str, Any]) -> str:
    declined = ",".join(ctx["declined"]) or "none"
    return f"tier={ctx['tier']} industry={ctx['industry']} users={ctx['users']} declined={declined}"


def _newest_live(library: Library) -> dict[tuple[str, str], ClauseVersion]:
    """The newest non-retired version of every variant: what some build, some day, can select."""
    newest: dict[tuple[str, str], ClauseVersion] = {}
    for slot in library.slots.values():
        for var in slot.variants.values():
            live = [v for v in var.versions if v.meta.status != "retired"]
            if live:
                newest[(slot.id, var.name)] = max(live, key=lambda v: semver_key(v.meta.version))
    return newest


class _Once:
    """Findings keyed so each fault is reported once, however many scenarios hit it."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, ...]] = set()

    def first(self, *key: str) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def _matching(versions: list[ClauseVersion], ctx: dict[str, Any], once: _Once,
              findings: list[Finding]) -> list[ClauseVersion]:
    matched = []
    for version in versions:
        try:
            if rule_matches(version, ctx):
                matched.append(version)
        except MsaError as exc:
            if once.first("rule", version.path):
                findings.append(Finding("error", version.path, exc.message))
    return matched


def _dangling_refs(library: Library, included: dict[str, ClauseVersion], ctx: dict[str, Any],
                   once: _Once) -> Iterator[Finding]:
    for version in included.values():
        targets: list[str] = [t for _, t in REF.findall(version.body)]
        if "{%" in version.body and any(t not in included for t in targets):
            # The reference may sit behind a guard: judge the text this profile would get.
            try:
                targets = [t for _, t in REF.findall(render_clause(version, sample_context(library, ctx)))]
            except MsaError:
                pass  # reported by the render check
        for target in targets:
            if target in library.slots and target not in included and once.first("ref", version.path, target):
                yield Finding("error", version.path, f"refers to {target!r}, which is left out for {_describe(ctx)}")


def check_selection(library: Library) -> Iterator[Finding]:
    """Simulate selection over the scenarios: gaps, overlaps, unreachable variants, dangling refs."""
    entries = [e for _, e in library.manifest.outline.entries() if e.slot in library.slots]
    newest = _newest_live(library)
    by_slot: dict[str, list[ClauseVersion]] = {}
    for (slot_id, _), version in newest.items():
        by_slot.setdefault(slot_id, []).append(version)
    reached: set[tuple[str, str]] = set()
    once = _Once()
    for ctx in _scenarios(library):
        included: dict[str, ClauseVersion] = {}
        for entry in entries:
            found: list[Finding] = []
            winners = top_precedence(_matching(by_slot.get(entry.slot, []), ctx, once, found))
            yield from found
            if not winners:
                if not entry.optional and once.first("gap", entry.slot):
                    yield Finding("error", library.location,
                                  f"required slot {entry.slot!r} has no applicable variant for {_describe(ctx)}")
            elif len(winners) > 1:
                if once.first("overlap", entry.slot):
                    names = ", ".join(v.meta.variant for v in winners)
                    yield Finding("error", library.location, f"slot {entry.slot!r}: variants {names} all apply with "
                                  f"precedence {winners[0].meta.precedence} for {_describe(ctx)}; set a precedence")
            else:
                reached.add((entry.slot, winners[0].meta.variant))
                included[entry.slot] = winners[0]
        yield from _dangling_refs(library, included, ctx, once)
    outline = {e.slot for e in entries}
    for (slot_id, variant), version in sorted(newest.items()):
        if (slot_id, variant) not in reached and slot_id in outline:
            yield Finding("error", version.path, f"variant {slot_id}:{variant} is unreachable: no plausible "
                          "profile selects it (its rule is never true, or another variant always wins)")
