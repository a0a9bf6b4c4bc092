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
from ..library.model import ClauseVersion, Library, Manifest
from ..params import library_value
from ..rules import rule_for
from ..selection import rule_matches, top_precedence
from ..templating import render_clause
from .clauses import REF, current_versions
from .finding import Finding


# One state per jurisdiction pack and one with none: rules and legal checks see each kind of client.
GENERIC_STATE = "Ohio"

Draft = tuple[dict[str, Any], dict[str, ClauseVersion]]


def scenario_states(manifest: Manifest) -> list[str]:
    """A state with no pack, then the first state of every jurisdiction pack."""
    states = [GENERIC_STATE] + [p.states[0] for p in manifest.jurisdictions.packs.values() if p.states]
    return list(dict.fromkeys(states))


def _regulator_sets(manifest: Manifest, industry: str) -> list[list[str]]:
    """No regulator, then each the library knows (finance only: the addenda read them)."""
    if industry != "finance" or not manifest.regulators:
        return [[]]
    return [[]] + [[r] for r in manifest.regulators]


def _scenarios(library: Library) -> Iterator[dict[str, Any]]:
    """Plausible profiles: every tier, industry and kind of state, each control at each status, a few sizes."""
    manifest = library.manifest
    names = [set(rule_for(v.meta.applies_when, where=v.path).names) for v in library.versions()]
    reads_users = any("users" in n for n in names)
    sizes = sorted({1} | {t.min for p in manifest.parameters.values() for t in p.by_users}) if reads_users else [1]
    reads_state = any("jurisdiction" in n for n in names) or bool(manifest.jurisdictions.packs)
    states = scenario_states(manifest) if reads_state else [GENERIC_STATE]
    policy = manifest.refusal_policy
    for tier, industry, users, state in itertools.product(manifest.tiers, manifest.industries, sizes, states):
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
            required = [c for c in manifest.controls if policy.refusal(c, tier, industry) is not None]
            params = {n: library_value(p, tier, industry, users, state)[0] for n, p in manifest.parameters.items()}
            for regulators in _regulator_sets(manifest, industry):
                yield {"tier": tier, "industry": industry, "users": users, "jurisdiction": state,
                       "controls": controls, "declined": declined, "required": required, "params": params,
                       "regulators": regulators}


def _describe(ctx: dict[str, Any]) -> str:
    declined = ",".join(ctx["declined"]) or "none"
    text = f"tier={ctx['tier']} industry={ctx['industry']} users={ctx['users']} declined={declined}"
    if ctx.get("jurisdiction", GENERIC_STATE) != GENERIC_STATE:
        text += f" jurisdiction={ctx['jurisdiction']}"
    if ctx.get("regulators"):
        text += f" regulators={','.join(ctx['regulators'])}"
    return text


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _newest_live(library: Library) -> dict[tuple[str, str], ClauseVersion]:
    """The newest non-retired version of every variant, by (slot, variant): what some build, some day, can select."""
    return {(v.meta.id, v.meta.variant): v for v in current_versions(library)}


class _Once:
    """Findings keyed so each fault is reported once, however many scenarios hit it."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, ...]] = set()

    def first(self, *key: str) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def _matching(versions: list[ClauseVersion], ctx: dict[str, Any], once: _Once, findings: list[Finding],
              verdicts: dict[tuple[Any, ...], bool]) -> list[ClauseVersion]:
    matched = []
    for version in versions:
        # Memoised on the values the rule reads: thousands of scenarios share a few of them.
        key = (version.key, _frozen(rule_for(version.meta.applies_when, where=version.path).values(ctx)))
        try:
            if key not in verdicts:
                verdicts[key] = rule_matches(version, ctx)
            if verdicts[key]:
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


def check_selection(library: Library, drafts: list[Draft] | None = None) -> Iterator[Finding]:
    """Simulate selection over the scenarios: gaps, overlaps, unreachable variants, dangling refs.

    Each scenario's clauses are appended to `drafts`, for the legal checks to read.
    """
    entries = [e for _, e in library.manifest.outline.entries() if e.slot in library.slots]
    newest = _newest_live(library)
    by_slot: dict[str, list[ClauseVersion]] = {}
    for (slot_id, _), version in newest.items():
        by_slot.setdefault(slot_id, []).append(version)
    reached: set[tuple[str, str]] = set()
    once = _Once()
    verdicts: dict[tuple[Any, ...], bool] = {}
    for ctx in _scenarios(library):
        included: dict[str, ClauseVersion] = {}
        for entry in entries:
            found: list[Finding] = []
            winners = top_precedence(_matching(by_slot.get(entry.slot, []), ctx, once, found, verdicts))
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
        if drafts is not None:
            drafts.append((ctx, included))
        yield from _dangling_refs(library, included, ctx, once)
    outline = {e.slot for e in entries}
    for (slot_id, variant), version in sorted(newest.items()):
        if (slot_id, variant) not in reached and slot_id in outline:
            yield Finding("error", version.path, f"variant {slot_id}:{variant} is unreachable: no plausible "
                          "profile selects it (its rule is never true, or another variant always wins)")
