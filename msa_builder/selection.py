"""Selection: which variant and version of every slot a client's agreement uses, and why.

Also applies the refusal policy: a declined control is either recorded with limited services
(`limit`), or it stops the agreement altogether (`require`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from . import as_of as as_of_rule
from . import clock
from .errors import LibraryError, MsaError, ProfileError, RequiredControlError, RuleError, brief
from .library.load import RELEASED
from .library.model import ClauseVersion, Library, Manifest, OutlineEntry, RequireRule, semver_key
from .library.release import release_problem
from .library.catalogue import catalogue_for
from .params import ResolvedParam, check_bounds, resolve_params
from .profile import ControlDecision, LoadedProfile, Profile, check_profile
from .records import check_records
from .rules import rule_for


@dataclass(frozen=True)
class ControlState:
    """A control's status for this client and where the status came from."""

    id: str
    name: str
    status: str  # accepted | declined | client_managed
    source: str  # profile | tier default
    offered: date | None = None
    reason: str | None = None
    policy: str | None = None  # for a declined control: limit (require never gets this far)
    record: ControlDecision | None = None  # the profile's long-form entry, if any
    required: bool = False  # the refusal policy makes it mandatory for this tier and industry
    consequence: str = ""  # what declining it means, in the words of the control catalogue in force


@dataclass(frozen=True)
class Candidate:
    """One variant considered for a slot: its rule and whether it matched this profile."""

    variant: str
    version: str | None
    rule: str
    precedence: int
    matched: bool
    values: dict[str, Any]
    note: str = ""


@dataclass(frozen=True)
class SlotChoice:
    """The decision for one slot of the outline."""

    slot: str
    kind: str  # preamble | section | signature | schedule
    optional: bool
    clause: ClauseVersion | None
    reason: str
    candidates: tuple[Candidate, ...] = ()

    @property
    def included(self) -> bool:
        return self.clause is not None


@dataclass(frozen=True)
class Selection:
    """Everything decided for one client before any text is rendered."""

    profile: Profile
    source: str
    as_of: date  # the date that decided the versions: recorded in the lock, printed in the memo
    allow_drafts: bool
    library: Library
    choices: tuple[SlotChoice, ...]
    params: dict[str, ResolvedParam]
    controls: tuple[ControlState, ...]
    rule_context: dict[str, Any] = field(repr=False, default_factory=dict)
    as_of_rule: str = as_of_rule.GIVEN  # what decided `as_of`: given (--as-of), effective date, or clause
    selected_on: date | None = None  # the day whose library was used: the given date, else today or later
    catalogue: Any = None  # the control catalogue version in force (library.catalogue.CatalogueVersion)

    @property
    def declined(self) -> list[ControlState]:
        return [c for c in self.controls if c.status == "declined"]

    @property
    def deviations(self) -> list[ResolvedParam]:
        return [p for p in self.params.values() if p.is_deviation]

    @property
    def included(self) -> list[SlotChoice]:
        return [c for c in self.choices if c.included]

    @property
    def drafts_used(self) -> list[ClauseVersion]:
        return [c.clause for c in self.choices if c.clause is not None and c.clause.meta.status == "draft"]


def control_states(library: Library, profile: Profile) -> tuple[ControlState, ...]:
    """Every control the library knows, with the profile's decision or the tier's default."""
    states = []
    for cid, control in library.manifest.controls.items():
        decision = profile.decision(cid)
        if decision is None:
            states.append(ControlState(cid, control.name, control.defaults[profile.tier], "tier default"))
        else:
            states.append(ControlState(cid, control.name, decision.status, "profile",
                                       decision.offered, decision.reason, record=decision))
    required = set(required_controls(library, profile))
    return tuple(replace(s, required=s.id in required) for s in states)


def required_controls(library: Library, profile: Profile) -> tuple[str, ...]:
    """The controls the refusal policy makes mandatory for this client's tier and industry."""
    policy = library.manifest.refusal_policy
    return tuple(cid for cid in library.manifest.controls
                 if policy.refusal(cid, profile.tier, profile.industry) is not None)


def _attested(state: ControlState) -> bool:
    """A client-managed control is real only with who manages it and a signed attestation."""
    return state.record is not None and bool(state.record.managed_by) and state.record.attestation is not None


def apply_refusal_policy(library: Library, profile: Profile, controls: tuple[ControlState, ...],
                         *, source: str) -> tuple[ControlState, ...]:
    """Stop on a declined control the policy requires; mark the others as limited."""
    manifest = library.manifest
    policy = manifest.refusal_policy
    refused = []
    out = []
    for state in controls:
        relabelled = state.status == "client_managed" and state.required and not _attested(state)
        if state.status != "declined" and not relabelled:
            out.append(state)
            continue
        why = policy.refusal(state.id, profile.tier, profile.industry)
        if relabelled:
            refused.append((state, f"{why} It is marked client_managed without `managed_by` and `attestation` "
                                   "(who operates it and the date the Client attested that it is in place), so it "
                                   "counts as a decline"))
        elif why is not None:
            refused.append((state, why))
        else:
            out.append(replace(state, policy="limit"))
    if refused:
        tier = manifest.tiers[profile.tier].name
        industry = manifest.industries[profile.industry].name
        lines = [f"{s.id} ({s.name}) is mandatory for {tier} clients in {industry}: {why}\n    "
                 + allowing_decline(manifest, s.id, profile.industry) for s, why in refused]
        raise RequiredControlError(
            "the client declined a control the provider requires, so no agreement can be drafted:\n  "
            + "\n  ".join(lines),
            file=source, field=f"controls.{refused[0][0].id}",
            hint="set the control to 'accepted' (or 'client_managed' with managed_by and attestation), choose "
                 "another tier, or change the refusal policy in library.yaml",
        )
    return tuple(out)


def allowing_decline(manifest: Manifest, control: str, industry: str) -> str:
    """A sentence naming the tiers on which a client in `industry` could decline `control`."""
    tiers = manifest.refusal_policy.tiers_allowing_decline(control, industry, list(manifest.tiers))
    where = manifest.industries[industry].name
    if not tiers:
        return f"No tier lets a {where} client decline it."
    names = ", ".join(f"{manifest.tiers[t].name} ({t})" for t in tiers)
    return f"Tiers on which a {where} client may decline it: {names}."


def rule_context(profile: Profile, controls: tuple[ControlState, ...],
                 params: dict[str, ResolvedParam]) -> dict[str, Any]:
    """The names a rule may read, with plain values."""
    return {
        "tier": profile.tier,
        "industry": profile.industry,
        "users": profile.client.users,
        "jurisdiction": profile.client.jurisdiction,
        "controls": {c.id: c.status for c in controls},
        "declined": [c.id for c in controls if c.status == "declined"],
        "required": [c.id for c in controls if c.required],
        "params": {name: p.value for name, p in params.items()},
        "regulators": list(profile.regulators),
    }


def eligible_version(library: Library, slot: str, variant: str, as_of: date,
                     allow_drafts: bool) -> ClauseVersion | None:
    """The newest approved (or, if allowed, draft) version effective on `as_of`."""
    statuses = {"approved", "draft"} if allow_drafts else {"approved"}
    versions = [v for v in library.slots[slot].variants[variant].versions
                if v.meta.status in statuses and v.meta.effective <= as_of]
    return max(versions, key=lambda v: semver_key(v.meta.version)) if versions else None


def rule_matches(version: ClauseVersion, context: dict[str, Any]) -> bool:
    """Whether a clause version's `applies_when` rule is true for these profile values."""
    return rule_for(version.meta.applies_when, where=version.path).evaluate(context, where=version.path)


def top_precedence(matched: list[ClauseVersion]) -> list[ClauseVersion]:
    """Of the variants whose rules matched, those with the highest precedence (one, unless rules overlap)."""
    if not matched:
        return []
    top = max(v.meta.precedence for v in matched)
    return [v for v in matched if v.meta.precedence == top]


def check_release(library: Library, version: ClauseVersion) -> None:
    """Refuse an approved text that is not the one released (released.json holds its hash).

    Built into an agreement, an approved clause edited in place would be presented (and signed)
    as reviewed text it is not; only `msa library lint` used to notice.
    """
    problem = release_problem(library, version)
    if problem is not None and problem.kind == "changed":
        raise LibraryError(problem.message, file=f"{library.location}/{version.path}", field=version.key,
                           hint=f"compare it with its release (git diff), or undo the edit; {RELEASED} records "
                                "the sha256 every approved file had when it was released")


def _describe_values(candidates: list[Candidate]) -> str:
    values: dict[str, Any] = {}
    for c in candidates:
        values.update(c.values)
    return ", ".join(f"{k}={brief(v)}" for k, v in values.items()) or "(the rules read no profile values)"


def choose_slot(library: Library, kind: str, entry: OutlineEntry, context: dict[str, Any],
                as_of: date, allow_drafts: bool) -> SlotChoice:
    """Pick the one applicable variant of a slot, or leave an optional slot out."""
    slot = library.slots.get(entry.slot)
    if slot is None:
        raise RuleError(f"the outline names slot {entry.slot!r} but the library has no clause for it",
                        file=library.location)
    candidates: list[Candidate] = []
    matched: list[tuple[Candidate, ClauseVersion]] = []
    for name in sorted(slot.variants):
        version = eligible_version(library, entry.slot, name, as_of, allow_drafts)
        if version is None:
            latest = slot.variants[name].versions[-1]
            candidates.append(Candidate(name, None, latest.meta.applies_when, latest.meta.precedence, False, {},
                                        note=f"no {'approved or draft' if allow_drafts else 'approved'} "
                                             f"version effective on {as_of.isoformat()}"))
            continue
        rule = rule_for(version.meta.applies_when, where=version.path)
        ok = rule_matches(version, context)
        candidate = Candidate(name, version.meta.version, rule.source, version.meta.precedence, ok,
                              rule.values(context))
        candidates.append(candidate)
        if ok:
            matched.append((candidate, version))
    if not matched:
        if entry.optional:
            return SlotChoice(entry.slot, kind, True, None, "left out: no variant applies to this profile",
                              tuple(candidates))
        tried = "; ".join(f"{c.variant} ({c.note or c.rule + ' is false'})" for c in candidates)
        raise RuleError(f"slot {entry.slot!r} is required but no variant applies. Candidates: {tried}. "
                        f"Profile values: {_describe_values(candidates)}",
                        file=library.location, field=f"outline.{entry.slot}")
    best = top_precedence([v for _, v in matched])
    top = best[0].meta.precedence
    winners = [(c, v) for c, v in matched if v in best]
    if len(winners) > 1:
        names = ", ".join(f"{c.variant} ({c.rule})" for c, _ in winners)
        raise RuleError(f"slot {entry.slot!r}: several variants apply with the same precedence {top}: {names}. "
                        f"Profile values: {_describe_values([c for c, _ in winners])}",
                        file=library.location, field=f"outline.{entry.slot}",
                        hint="give one variant a higher `precedence`, or narrow the rules")
    winner, version = winners[0]
    check_release(library, version)
    reason = "applies to every client" if winner.rule.strip() == "true" else f"rule {winner.rule!r} is true"
    if len(matched) > 1:
        others = ", ".join(c.variant for c, _ in matched if c is not winner)
        reason += f"; takes precedence {top} over {others}"
    return SlotChoice(entry.slot, kind, entry.optional, version, reason, tuple(candidates))


def select(library: Library, loaded: LoadedProfile, *, as_of: date | None = None,
           allow_drafts: bool = False) -> Selection:
    """Decide every slot for one client profile. Raises when the policy or rules forbid a draft.

    Versions are chosen as of `as_of`, else today or the effective date when later (see `as_of`).
    """
    profile = loaded.profile
    check_profile(profile, library.manifest, source=loaded.source)
    day = as_of_rule.selection_day(profile.effective_date, as_of, clock.today())
    entries = library.manifest.outline.entries()
    _check_first_day(library, entries, day, as_of, loaded, allow_drafts)
    params = resolve_params(library.manifest, profile)
    check_bounds(library.manifest, params, source=loaded.source)
    # The policy first: a decline the provider never accepts is the news, not a missing date.
    controls = apply_refusal_policy(library, profile, control_states(library, profile), source=loaded.source)
    check_records(library.manifest, profile, controls, source=loaded.source)
    context = rule_context(profile, controls, params)
    choices = tuple(choose_slot(library, kind, entry, context, day, allow_drafts) for kind, entry in entries)
    if as_of is not None:
        recorded, rule = as_of, as_of_rule.GIVEN
    else:
        def decide(kind: str, entry: OutlineEntry, on: date) -> str | None:
            try:
                again = choose_slot(library, kind, entry, context, on, allow_drafts)
            except MsaError:
                return "(fails)"
            return again.clause.key if again.clause is not None else None

        recorded = as_of_rule.deciding_day(
            library, entries, [c.clause.key if c.clause is not None else None for c in choices], decide,
            floor=profile.effective_date, chosen=[c.clause.meta.effective for c in choices if c.clause is not None],
            day=day, allow_drafts=allow_drafts)
        rule = as_of_rule.EFFECTIVE if recorded == profile.effective_date else as_of_rule.CLAUSE
    catalogue = catalogue_for(library.catalogue, day, allow_drafts, location=library.location)
    controls = tuple(replace(c, consequence=catalogue.control(c.id).consequence) for c in controls)
    return Selection(profile=profile, source=loaded.source, as_of=recorded, allow_drafts=allow_drafts,
                     library=library, choices=choices, params=params, controls=controls,
                     rule_context=context, as_of_rule=rule, selected_on=day, catalogue=catalogue)


def _check_first_day(library: Library, entries: list[tuple[str, OutlineEntry]], day: date, given: date | None,
                     loaded: LoadedProfile, allow_drafts: bool) -> None:
    """A date before the library's first clause versions is that date's fault: name where it came from."""
    first, slot = as_of_rule.first_day(library, entries, allow_drafts)
    if day >= first:
        return
    problem = (f"{day.isoformat()} is before the clause library's first versions: {slot!r} has none effective "
               f"before {first.isoformat()}")
    if given is None and day != loaded.profile.effective_date:
        raise RuleError(f"no clause version is in force yet today: {problem}", file=library.location,
                        hint="set `effective` dates on or before today in the clause versions, or pass --as-of")
    raise ProfileError(problem, file=loaded.source, field="--as-of" if given is not None else "effective_date",
                       hint=f"use a date on or after {first.isoformat()}")
