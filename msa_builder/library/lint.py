"""`msa library lint`: everything that can be checked about a library without a client.

Schema and release hashes; template syntax and variables (each body is also rendered once
against a sample client); rule syntax; which variant every plausible profile selects, so that
overlaps, gaps and unreachable variants show up before a sales engineer meets them; defined
terms; and cross-references.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..blocks import block_lines, parse_markdown
from ..context import sample_context
from ..errors import MsaError
from ..params import library_value
from ..paths import default_library
from ..templating import render_clause, template_variables
from .load import DEFINITION, load_library
from .loader import FileSystemLoader, LibraryLoader
from .model import ClauseVersion, Library, Manifest, semver_key
from .findings import Finding
from .legal_checks import run_legal_checks
from .release import check_released

AGREEMENT_FIELDS = ("id", "title", "effective_date", "library_version")
CLIENT_FIELDS = ("legal_name", "jurisdiction", "address", "users", "entity",
                 "signatory.name", "signatory.title", "signatory.email", "signatory.authority",
                 "signatory.delegated_by")
PROVIDER_FIELDS = ("legal_name", "organization", "address", "notice_email", "website",
                   "signatory.name", "signatory.title", "signatory.email", "governing_law", "venue")
LAW_FIELDS = ("governing", "governing_name", "venue", "chosen", "client_state", "client_state_name", "pack")
SIMPLE_NAMES = ("tier", "tier_name", "industry", "industry_name", "controls", "declined", "in_force", "required",
                "regulators")
# One state per jurisdiction pack and one with none: rules and legal checks see each kind of client.
GENERIC_STATE = "Ohio"
REF = re.compile(r"\[([^\]]*)\]\(#([^)\s]+)\)")
_JINJA = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_CAPS = re.compile(r"[A-Z][a-z]+(?:(?:[ -]|-)[A-Z][a-z]+)+")
_SENTENCE_START = re.compile(r"(^\s*(?:\d+\.|[-*+])?\s*|[.:;!?]\s+|\(\s*|[\"“]\s*)$")


def _allowed_variables(manifest: Manifest) -> set[str]:
    allowed = set(SIMPLE_NAMES)
    allowed |= {f"agreement.{f}" for f in AGREEMENT_FIELDS}
    allowed |= {f"client.{f}" for f in CLIENT_FIELDS}
    allowed |= {f"provider.{f}" for f in PROVIDER_FIELDS}
    allowed |= {f"law.{f}" for f in LAW_FIELDS}
    allowed |= {f"params.{p}" for p in manifest.parameters}
    return allowed


def scenario_states(manifest: Manifest) -> list[str]:
    """A state with no pack, then the first state of every jurisdiction pack."""
    states = [GENERIC_STATE] + [p.states[0] for p in manifest.jurisdictions.packs.values() if p.states]
    return list(dict.fromkeys(states))


def _check_variables(clause: ClauseVersion, allowed: set[str]) -> Iterator[Finding]:
    try:
        used = template_variables(clause)
    except MsaError as exc:
        yield Finding("error", clause.path, exc.message)
        return
    declared = set(clause.meta.variables)
    for name in sorted(used):
        if name not in allowed and not any(a.startswith(name + ".") for a in allowed):
            yield Finding("error", clause.path, f"uses undefined variable {name!r}")
        elif name not in declared and not any(d.startswith(name + ".") for d in declared):
            yield Finding("error", clause.path, f"uses {name!r} but does not declare it in `variables`")
    for name in sorted(declared - used):
        if not any(u.startswith(name + ".") for u in used):
            yield Finding("warning", clause.path, f"declares {name!r} in `variables` but never uses it")


def _check_refs(clause: ClauseVersion, outline_slots: set[str]) -> Iterator[Finding]:
    for text, target in REF.findall(clause.body):
        if target not in outline_slots:
            yield Finding("error", clause.path, f"cross-reference to {target!r}, which is not a slot in the outline")
        if text.strip():
            yield Finding("error", clause.path, f"cross-reference [{text}](#{target}) must have empty link text")


def _known(phrase: str, terms: set[str]) -> bool:
    """A defined term, or its plural or singular, as drafting uses both."""
    return phrase in terms or phrase.removesuffix("s") in terms or phrase + "s" in terms


def _undefined_terms(clause: ClauseVersion, terms: set[str], proper: set[str]) -> Iterator[str]:
    """Capitalised multi-word phrases that are neither defined terms nor listed proper names."""
    single = {t for t in terms if " " not in t and "-" not in t}
    # Names may contain lower-case words ("Model Rules of Professional Conduct"): mask them first.
    names = re.compile("|".join(re.escape(n) for n in sorted(proper, key=len, reverse=True))) if proper else None
    for line in _JINJA.sub(" ", clause.body).splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or stripped.startswith("|"):
            continue  # headings and table rows are title-cased by convention
        plain = REF.sub("", stripped).replace("**", "").replace("*", "")
        if names is not None:
            plain = names.sub(" name ", plain)
        for match in _CAPS.finditer(plain):
            phrase = match.group(0)
            words = phrase.split(" ")
            if _known(phrase, terms):
                continue
            if _SENTENCE_START.search(plain[:match.start()]) and len(words) > 1:
                words = words[1:]
                phrase = " ".join(words)
            if len(words) < 2 or _known(phrase, terms):
                continue
            rest = phrase
            for known in sorted(terms, key=len, reverse=True):
                if " " in known or "-" in known:
                    rest = rest.replace(known, " ")
            if all(_known(w, single) for w in rest.split()):
                continue
            yield phrase


def current_versions(library: Library) -> list[ClauseVersion]:
    """The newest live version of every variant: what agreements get now (older ones are history)."""
    out = []
    for slot in library.slots.values():
        for var in slot.variants.values():
            live = [v for v in var.versions if v.meta.status != "retired"]
            if live:
                out.append(max(live, key=lambda v: semver_key(v.meta.version)))
    return out


def _check_terms(library: Library) -> Iterator[Finding]:
    definers: dict[str, set[str]] = {}
    # A term may move between slots across versions (Client Representative moved to the
    # definitions in 2026.12); only the versions agreements get now must define it once.
    for version in current_versions(library):
        for term in DEFINITION.findall(version.body):
            definers.setdefault(term, set()).add(version.meta.id)
    for term, slots in sorted(definers.items()):
        if len(slots) > 1:
            yield Finding("error", library.location, f"term {term!r} is defined in several slots: {sorted(slots)}")
    terms = {t for v in library.versions() for t in DEFINITION.findall(v.body)}
    proper = set(library.manifest.lint.proper_nouns)
    for version in library.versions():
        if version.meta.status == "retired":
            continue
        for phrase in dict.fromkeys(_undefined_terms(version, terms, proper)):
            yield Finding("error", version.path, f"{phrase!r} looks like a defined term but is never defined "
                          "(define it with **\"...\"**, or list it in lint.proper_nouns if it is a name)")


def _scenarios(library: Library) -> Iterator[dict[str, Any]]:
    """Plausible profiles: every tier and industry, each control at each status, a few sizes."""
    manifest = library.manifest
    reads_users = any("users" in r.names for r in library.rules.values())
    sizes = sorted({1} | {t.min for p in manifest.parameters.values() for t in p.by_users}) if reads_users else [1]
    reads_state = (any("jurisdiction" in r.names for r in library.rules.values())
                   or bool(manifest.jurisdictions.packs))
    states = scenario_states(manifest) if reads_state else [GENERIC_STATE]
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
            required = [c for c in manifest.controls
                        if manifest.refusal_policy.default == "require"
                        or any(rule.matches(c, tier, industry) for rule in manifest.refusal_policy.require)]
            params = {n: library_value(p, tier, industry, users, state)[0] for n, p in manifest.parameters.items()}
            for regulators in _regulator_sets(manifest, industry):
                yield {"tier": tier, "industry": industry, "users": users, "jurisdiction": state,
                       "controls": controls, "declined": declined, "required": required, "params": params,
                       "regulators": regulators}


def _regulator_sets(manifest: Manifest, industry: str) -> list[list[str]]:
    """No regulator, then each the library knows (finance only: the addenda read them)."""
    if industry != "finance" or not manifest.regulators:
        return [[]]
    return [[]] + [[r] for r in manifest.regulators]


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


def _evaluate(library: Library, version: ClauseVersion, ctx: dict[str, Any],
              verdicts: dict[tuple[Any, ...], bool]) -> bool:
    """A rule's verdict, memoised on the values it reads: thousands of scenarios share a few of them."""
    rule = library.rules[version.key]
    key = (version.key, _frozen(rule.values(ctx)))
    if key not in verdicts:
        verdicts[key] = rule.evaluate(ctx, where=version.path)
    return verdicts[key]


def _check_selection(library: Library, drafts: list[tuple[dict[str, Any], dict[str, ClauseVersion]]] | None = None,
                     ) -> Iterator[Finding]:
    """Simulate selection over the scenarios: gaps, overlaps, unreachable variants, dangling refs.

    Each scenario's clauses are appended to `drafts`, for the legal checks to read.
    """
    manifest = library.manifest
    entries = [(kind, e) for kind, e in manifest.outline.entries() if e.slot in library.slots]
    newest: dict[tuple[str, str], ClauseVersion] = {}
    for slot in library.slots.values():
        for var in slot.variants.values():
            live = [v for v in var.versions if v.meta.status != "retired"]
            if live:
                newest[(slot.id, var.name)] = max(live, key=lambda v: semver_key(v.meta.version))
    reached: set[tuple[str, str]] = set()
    reported: set[tuple[str, ...]] = set()
    verdicts: dict[tuple[Any, ...], bool] = {}
    by_slot: dict[str, list[ClauseVersion]] = {}
    for (slot_id, _), version in newest.items():
        by_slot.setdefault(slot_id, []).append(version)
    for ctx in _scenarios(library):
        included: dict[str, ClauseVersion] = {}
        for _, entry in entries:
            matched = []
            for version in by_slot.get(entry.slot, ()):
                try:
                    ok = _evaluate(library, version, ctx, verdicts)
                except MsaError as exc:
                    key = ("rule", version.path)
                    if key not in reported:
                        reported.add(key)
                        yield Finding("error", version.path, exc.message)
                    continue
                if ok:
                    matched.append(version)
            if not matched:
                key = ("gap", entry.slot)
                if not entry.optional and key not in reported:
                    reported.add(key)
                    yield Finding("error", library.location,
                                  f"required slot {entry.slot!r} has no applicable variant for {_describe(ctx)}")
                continue
            top = max(v.meta.precedence for v in matched)
            winners = [v for v in matched if v.meta.precedence == top]
            if len(winners) > 1:
                key = ("overlap", entry.slot)
                if key not in reported:
                    reported.add(key)
                    names = ", ".join(v.meta.variant for v in winners)
                    yield Finding("error", library.location, f"slot {entry.slot!r}: variants {names} all apply "
                                  f"with precedence {top} for {_describe(ctx)}; set a precedence")
                continue
            reached.add((entry.slot, winners[0].meta.variant))
            included[entry.slot] = winners[0]
        if drafts is not None:
            drafts.append((ctx, included))
        for version in included.values():
            targets: list[str] = [t for _, t in REF.findall(version.body)]
            if "{%" in version.body and any(t not in included for t in targets):
                # The reference may sit behind a guard: judge the text this profile would get.
                try:
                    rendered = render_clause(version, sample_context(library, ctx))
                    targets = [t for _, t in REF.findall(rendered)]
                except MsaError:
                    pass  # reported by the render check
            for target in targets:
                if target in library.slots and target not in included:
                    ref_key = ("ref", f"{version.path}#{target}")
                    if ref_key not in reported:
                        reported.add(ref_key)
                        yield Finding("error", version.path, f"refers to {target!r}, which is left out for "
                                      f"{_describe(ctx)}")
    for (slot_id, variant), version in sorted(newest.items()):
        if (slot_id, variant) not in reached and any(e.slot == slot_id for _, e in entries):
            yield Finding("error", version.path, f"variant {slot_id}:{variant} is unreachable: no plausible "
                          "profile selects it (its rule is never true, or another variant always wins)")


def lint_library(loader: LibraryLoader | str | None = None) -> list[Finding]:
    """Every problem in a library, errors first. An empty list means the library is clean."""
    findings: list[Finding] = []

    unloadable: set[str] = set()

    def collect(problem: MsaError) -> None:
        unloadable.add(problem.file or "?")
        findings.append(Finding("error", problem.file or "?", problem.message +
                                (f" ({problem.field})" if problem.field else "")
                                + (f" [line {problem.line}]" if problem.line else "")))

    try:
        if loader is None or isinstance(loader, (str, Path)):
            loader = FileSystemLoader(loader or default_library())
        library = load_library(loader, report=collect)
    except MsaError as exc:
        return [Finding("error", exc.file or "?", exc.message + (f" ({exc.field})" if exc.field else ""))]
    # A released file that failed to load is reported above; it was not deleted.
    failed = {path for path in loader.list_files() if loader.describe(path) in unloadable}
    findings += [Finding("error", p.path, p.message) for p in check_released(library) if p.path not in failed]
    allowed = _allowed_variables(library.manifest)
    outline_slots = {e.slot for _, e in library.manifest.outline.entries()}
    sample = sample_context(library)
    for version in library.versions():
        findings += _check_variables(version, allowed)
        findings += _check_refs(version, outline_slots)
        try:
            blocks = parse_markdown(render_clause(version, sample), where=version.path)
            if "{.conspicuous}" in "\n".join(block_lines(blocks)):
                # Jinja's trim_blocks eats the line break after a `{% ... %}` tag, so an attribute
                # right after one joins the paragraph above instead of marking the next block.
                findings.append(Finding("error", version.path, "a {.conspicuous} attribute is printed as text: "
                                        "it must stand on its own line after a blank line (leave two line "
                                        "breaks after a {% ... %} tag)"))
        except MsaError as exc:
            findings.append(Finding("error", version.path, exc.message))
        previous = [v for v in library.slots[version.meta.id].variants[version.meta.variant].versions
                    if semver_key(v.meta.version) < semver_key(version.meta.version)]
        if previous and previous[-1].meta.effective > version.meta.effective:
            findings.append(Finding("warning", version.path, "is effective before the version it replaces"))
    for slot_id in sorted(set(library.slots) - outline_slots):
        findings.append(Finding("warning", library.location, f"slot {slot_id!r} is not in the outline and is never used"))
    findings += _check_terms(library)
    drafts: list[tuple[dict[str, Any], dict[str, ClauseVersion]]] = []
    findings += _check_selection(library, drafts)
    if library.manifest.lint.legal_checks:
        findings += run_legal_checks(library, drafts)
    # Several checks can trip over the same fault (a syntax error breaks parsing and rendering).
    return sorted(set(findings), key=lambda f: (f.level != "error", f.file, f.message))
