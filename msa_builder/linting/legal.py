"""Legal checks of `msa library lint`: rules a lawful draft must keep, run over every plausible profile.

Lint's selection simulation gives, for each plausible profile (tier, industry, size, a state of
each jurisdiction pack and one without, each control at each status, each financial regulator),
the clauses an agreement would get. Each check here reads those drafts, rendered as the client
would see them, and reports what the law or the review of library 2026.12 forbids: a California
draft with a pre-dispute jury waiver, a disclaimer in ordinary type, a decline without its
record, an addendum that silently revives a decline, and so on. Checks are registered by name in
`CHECKS`, in the order they run; a finding names its check (`legal/<name>`).

Rendering is memoised on the part of the profile a body actually reads, so a clause that prints
the same words for every client is rendered once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..blocks import Block, ListBlock, Paragraph, parse_markdown, shown_text
from ..blocks import inline_text as _inline_text
from ..errors import MsaError
from ..templating import render_clause, template_variables
from ..library.model import ClauseVersion, Library
from .finding import Finding
from .simulate import Draft

Check = Callable[["Drafts"], Iterator[Finding]]
CHECKS: dict[str, Check] = {}

DECLINED_RISK = "liability.declined_risk"

# Words that make a paragraph a disclaimer, a limitation, a waiver or a risk acceptance.
_DISCLAIMER = re.compile(
    r"\bdisclaim|\bwaives?\b(?! any objection)|\bnot liable\b|\bno liability\b|\bmakes no (?:warranty|promise)\b"
    r"|\bmerchantability\b|\baccepts?\b[^.]{0,40}\b(?:risk|allocation of risk)\b|\bClient shall defend\b"
    r"|\bwaive my rights\b", re.I)
_NOT_A_WAIVER = re.compile(r"\b(?:not|never) (?:a )?waive", re.I)
_JURY_WAIVER = re.compile(r"\bwaive[sd]?\b[^.]{0,80}\bjury\b|\bjury\b[^.]{0,40}\bwaive[sd]?\b", re.I)
_RESTRAINT = re.compile(r"\bshall not\b[^.]{0,160}\b(?:hire|hiring|solicit|employ|engage)\b[^.]{0,160}"
                        r"\b(?:employee|personnel|staff)", re.I)
_RELEASE = re.compile(r"\bno liability\b|\bnot liable\b|\bClient shall defend\b", re.I)
_CARVE_BACKS = ("gross negligence", "willful misconduct", "fraud", "violation of law")
_TYPED_CAPS = re.compile(r"\b(?:[A-Z]{2,}[,;:]?\s+){3,}[A-Z]{2,}\b")
_SILENCE = re.compile(r"silence counts as a decline|does not respond[^.]{0,80}becomes a Declined Control", re.I)
_STATE_OF = re.compile(r"\bstate of \{\{", re.I)


def check(name: str) -> Callable[[Check], Check]:
    """Register a legal check under `name` (its findings are reported as `legal/<name>`)."""

    def register(function: Check) -> Check:
        CHECKS[name] = function
        return function

    return register


@dataclass(frozen=True)
class Para:
    """One paragraph or list item as printed: its text in drafted case, as shown, and conspicuousness."""

    text: str
    shown: str
    conspicuous: bool


def _paragraphs(blocks: tuple[Block, ...]) -> Iterator[Para]:
    for block in blocks:
        if isinstance(block, Paragraph):
            yield Para(_inline_text(block.inlines), shown_text(block.inlines, block.conspicuous), block.conspicuous)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _paragraphs(item)


@dataclass
class Drafts:
    """The simulated drafts and a memo of rendered clause text, shared by every check."""

    library: Library
    drafts: list[Draft]
    _memo: dict[tuple[Any, ...], tuple[Para, ...] | None] = field(default_factory=dict)
    _roots: dict[str, frozenset[str]] = field(default_factory=dict)
    _contexts: dict[int, dict[str, Any]] = field(default_factory=dict)
    _parts: dict[int, dict[str, tuple[Any, ...]]] = field(default_factory=dict)
    _unique: dict[str | None, list[tuple[dict[str, Any], ClauseVersion, tuple[Para, ...]]]] = field(
        default_factory=dict)

    def paragraphs(self, ctx: dict[str, Any], clause: ClauseVersion) -> tuple[Para, ...]:
        """The clause as this profile would print it (empty when it does not render: lint reports that)."""
        return self._rendered(ctx, clause)[1]

    def unique(self, *, state: str | None = None) -> list[tuple[dict[str, Any], ClauseVersion, tuple[Para, ...]]]:
        """Each distinct printed text of each clause once, with a profile that prints it (computed once)."""
        if state not in self._unique:
            seen: set[tuple[Any, ...]] = set()
            found = []
            for ctx, included in self.each(state=state):
                for clause in included.values():
                    key, paras = self._rendered(ctx, clause)
                    if key not in seen:
                        seen.add(key)
                        found.append((ctx, clause, paras))
            self._unique[state] = found
        return self._unique[state]

    def _rendered(self, ctx: dict[str, Any], clause: ClauseVersion) -> tuple[tuple[Any, ...], tuple[Para, ...]]:
        roots = self._roots.get(clause.key)
        if roots is None:
            try:
                roots = frozenset(name.split(".")[0] for name in template_variables(clause))
            except MsaError:
                roots = frozenset()
            self._roots[clause.key] = roots
        parts = self._parts.get(id(ctx))
        if parts is None:
            parts = self._parts[id(ctx)] = {
                "tier": (ctx["tier"],), "industry": (ctx["industry"],),
                "client": (ctx["jurisdiction"], ctx["users"]),
                "controls": (tuple(sorted(ctx["controls"].items())), tuple(ctx.get("required", ()))),
                "regulators": (tuple(ctx.get("regulators", ())),)}
        key: tuple[Any, ...] = (clause.key,)
        if roots & {"tier", "tier_name", "params", "controls", "in_force"}:
            key += parts["tier"]
        if roots & {"industry", "industry_name", "params"}:
            key += parts["industry"]
        if roots & {"client", "law", "params"}:
            key += parts["client"]
        if roots & {"controls", "declined", "in_force", "required"}:
            key += parts["controls"]
        if "regulators" in roots:
            key += parts["regulators"]
        if key not in self._memo:
            from ..context import sample_context

            context = self._contexts.get(id(ctx))
            if context is None:
                context = self._contexts[id(ctx)] = sample_context(self.library, ctx)
            try:
                blocks = parse_markdown(render_clause(clause, context), where=clause.path)
                self._memo[key] = tuple(_paragraphs(blocks))
            except MsaError:
                self._memo[key] = None
        return key, self._memo[key] or ()

    def each(self, *, state: str | None = None) -> Iterator[tuple[dict[str, Any], dict[str, ClauseVersion]]]:
        for ctx, included in self.drafts:
            if state is None or ctx.get("jurisdiction") == state:
                yield ctx, included

    def pack_states(self, pack: str) -> list[str]:
        found = self.library.manifest.jurisdictions.packs.get(pack)
        return list(found.states) if found else []


def _describe(ctx: dict[str, Any]) -> str:
    declined = ",".join(ctx["declined"]) or "none"
    return f"tier={ctx['tier']} industry={ctx['industry']} jurisdiction={ctx['jurisdiction']} declined={declined}"


def _once(seen: set[tuple[str, ...]], *key: str) -> bool:
    if key in seen:
        return False
    seen.add(key)
    return True


@check("conspicuous")
def _conspicuous(drafts: Drafts) -> Iterator[Finding]:
    """Every disclaimer, limitation, waiver and risk acceptance is printed conspicuously (S2-1)."""
    seen: set[tuple[str, ...]] = set()
    checked: set[tuple[str, bool]] = set()
    for _, clause, paras in drafts.unique():
        for para in paras:
            if (para.text, para.conspicuous) in checked:
                continue
            checked.add((para.text, para.conspicuous))
            match = _DISCLAIMER.search(_NOT_A_WAIVER.sub(" ", para.text))
            if match and not para.conspicuous and _once(seen, clause.path, para.text[:80]):
                yield Finding("error", clause.path, f"legal/conspicuous: {match.group(0)!r} in a paragraph that "
                              "is not conspicuous; mark it {.conspicuous} (UCC 2-316(2), fair-notice rules): "
                              f"{para.text[:90]}…")


@check("no-typed-capitals")
def _typed_capitals(drafts: Drafts) -> Iterator[Finding]:
    """Conspicuous text is a property of the block, never typed in capitals."""
    for version in drafts.library.versions():
        if version.meta.status == "retired":
            continue
        for line in version.body.splitlines():
            match = _TYPED_CAPS.search(re.sub(r"{{.*?}}|{%.*?%}", " ", line))
            if match:
                yield Finding("error", version.path, f"legal/no-typed-capitals: {match.group(0)!r} is typed in "
                              "capitals; write it in ordinary case and mark the block {.conspicuous}")
                break


def _in_pack(drafts: Drafts, pack: str, bad: Callable[[tuple[Para, ...]], bool], name: str,
             why: str) -> Iterator[Finding]:
    """Every clause of a pack state's drafts whose printed paragraphs are `bad`, once per clause."""
    seen: set[tuple[str, ...]] = set()
    for state in drafts.pack_states(pack):
        for ctx, clause, paras in drafts.unique(state=state):
            if bad(paras) and _once(seen, clause.path):
                yield Finding("error", clause.path, f"legal/{name}: {why}, for {_describe(ctx)}")


def _any_match(pattern: re.Pattern[str]) -> Callable[[tuple[Para, ...]], bool]:
    return lambda paras: any(pattern.search(p.text) for p in paras)


@check("california-no-jury-waiver")
def _california_jury(drafts: Drafts) -> Iterator[Finding]:
    """A California draft has no pre-dispute jury waiver (Grafton Partners v. Superior Court)."""
    yield from _in_pack(drafts, "california", _any_match(_JURY_WAIVER), "california-no-jury-waiver",
                                  "a California draft waives a jury trial before any dispute, which Grafton "
                                  "Partners forbids; give California a judicial reference instead")


@check("california-no-restraint-on-hiring")
def _california_hiring(drafts: Drafts) -> Iterator[Finding]:
    """A California draft restrains no one from hiring or being hired (Bus. & Prof. Code 16600)."""
    yield from _in_pack(drafts, "california", _any_match(_RESTRAINT), "california-no-restraint-on-hiring",
                                  "a California draft restrains hiring or solicitation of personnel, void under "
                                  "Bus. & Prof. Code 16600 (VL Systems v. Unisen)")


@check("declined-risk-clause")
def _declined_risk(drafts: Drafts) -> Iterator[Finding]:
    """One clause allocates declined-control risk, with express negligence, the carve-backs and the burden."""
    seen: set[tuple[str, ...]] = set()
    if DECLINED_RISK not in drafts.library.slots:
        yield Finding("error", drafts.library.location, f"legal/declined-risk-clause: the library has no "
                      f"{DECLINED_RISK} slot allocating the risk of Declined Controls (S1-1)")
        return
    for ctx, included in drafts.each():
        clause = included.get(DECLINED_RISK)
        if clause is None:
            if ctx["declined"] and _once(seen, "missing", ctx["tier"]):
                yield Finding("error", drafts.library.location, f"legal/declined-risk-clause: {DECLINED_RISK} is "
                              f"left out of a draft with declined controls, for {_describe(ctx)}")
            continue
        text = " ".join(p.text for p in drafts.paragraphs(ctx, clause)).lower()
        missing = [w for w in (*_CARVE_BACKS, "negligence of the provider", "burden") if w not in text]
        if missing and _once(seen, clause.path, "words"):
            yield Finding("error", clause.path, f"legal/declined-risk-clause: the allocation of risk does not state "
                          f"{', '.join(missing)} (express negligence, Cal. Civ. Code 1668 carve-backs, burden)")
        if not all(p.conspicuous for p in drafts.paragraphs(ctx, clause)) and _once(seen, clause.path, "plain"):
            yield Finding("error", clause.path, "legal/declined-risk-clause: the allocation of risk must be "
                          "conspicuous throughout")
        for other in included.values():
            if other.meta.id == DECLINED_RISK:
                continue
            for para in drafts.paragraphs(ctx, other):
                if ("Declined Control" in para.text and _RELEASE.search(para.text)
                        and f"](#{DECLINED_RISK})" not in other.body and _once(seen, other.path, "own")):
                    yield Finding("error", other.path, "legal/declined-risk-clause: excludes liability for a "
                                  f"Declined Control on its own terms instead of referring to {DECLINED_RISK} "
                                  "(one causation test, one set of exceptions)")


@check("declined-control-record")
def _declined_record(drafts: Drafts) -> Iterator[Finding]:
    """No declined control without its record: offer date, decline, scope, risk, consequence, signatures."""
    seen: set[tuple[str, ...]] = set()
    needed = ("d.offered", "d.date_declined", "d.scope", "d.risk", "d.consequence", "d.reason")
    for ctx, included in drafts.each():
        if not ctx["declined"]:
            continue
        records = [c for c in included.values() if re.search(r"{%-?\s*for d in declined", c.body)
                   and "signature" in c.body.lower()]
        if not records:
            if _once(seen, "none", ctx["tier"], ctx["industry"]):
                yield Finding("error", drafts.library.location, "legal/declined-control-record: a draft with "
                              f"declined controls has no signed record of them, for {_describe(ctx)}")
            continue
        for clause in records:
            missing = [n for n in needed if n not in clause.body]
            if missing and _once(seen, clause.path):
                yield Finding("error", clause.path, "legal/declined-control-record: the record of each Declined "
                              f"Control does not print {', '.join(missing)}")


@check("addenda-keep-declines")
def _addenda(drafts: Drafts) -> Iterator[Finding]:
    """No addendum overrides a decline without saying so (S2-3)."""
    seen: set[tuple[str, ...]] = set()
    for _, clause, paras in drafts.unique():
        if not clause.meta.id.startswith("addendum.") or clause.path in {k[0] for k in seen}:
            continue
        text = " ".join(p.text for p in paras)
        if "prevail" in text and (f"](#{DECLINED_RISK})" not in clause.body or "Declined Control" not in text):
            seen.add((clause.path,))
            yield Finding("error", clause.path, "legal/addenda-keep-declines: the addendum prevails over other "
                          "terms but does not say how it treats Declined Controls and the allocation of risk "
                          f"({DECLINED_RISK}), so it can revive what a decline removed")


@check("non-negotiable-controls")
def _non_negotiable(drafts: Drafts) -> Iterator[Finding]:
    """Required controls are printed as non-negotiable, with a termination right for a later decline (S1-2)."""
    seen: set[tuple[str, ...]] = set()
    for ctx, included in drafts.each():
        required = ctx.get("required") or []
        if not required:
            continue
        paragraphs = [p for c in included.values() for p in drafts.paragraphs(ctx, c)]
        listed = " ".join(p.text for p in paragraphs if "non-negotiable" in p.text)
        names = [drafts.library.manifest.controls[c].name for c in required]
        missing = [n for n in names if n not in listed]
        terminate = any("non-negotiable" in p.text and "terminat" in p.text for p in paragraphs)
        if (missing or not terminate) and _once(seen, ctx["tier"], ctx["industry"]):
            what = f"does not list {', '.join(missing)}" if missing else "gives no termination right"
            yield Finding("error", drafts.library.location, f"legal/non-negotiable-controls: a draft {what} as "
                          f"non-negotiable, for {_describe(ctx)}")


def _renewal_without_notice(paras: tuple[Para, ...]) -> bool:
    text = " ".join(p.text for p in paras)
    return "renews automatically" in text and not all(w in text for w in ("certified mail", "personally", "5-903"))


def _release_without_fair_notice(paras: tuple[Para, ...]) -> bool:
    return any(("Declined" in p.text or "defend" in p.text) and _RELEASE.search(p.text)
               and (not p.conspicuous or "negligence" not in p.text.lower()) for p in paras)


@check("new-york-renewal-notice")
def _new_york(drafts: Drafts) -> Iterator[Finding]:
    """A New York automatic renewal carries the GOL 5-903 notice, served personally or by certified mail."""
    yield from _in_pack(drafts, "new_york", _renewal_without_notice, "new-york-renewal-notice",
                        "a New York automatic renewal needs the GOL 5-903 notice, served personally or by "
                        "certified mail 15 to 30 days before the notice deadline")


@check("texas-express-negligence")
def _texas(drafts: Drafts) -> Iterator[Finding]:
    """In Texas a release or indemnity of the Provider's negligence says so and is conspicuous (Dresser)."""
    yield from _in_pack(drafts, "texas", _release_without_fair_notice, "texas-express-negligence",
                        "a release or indemnity that can cover the Provider's own negligence must say so "
                        "expressly and be conspicuous in Texas (Dresser v. Page Petroleum)")


def _in_bodies(drafts: Drafts, pattern: re.Pattern[str], name: str, why: str) -> Iterator[Finding]:
    """Every clause some profile gets whose source matches `pattern`."""
    for version in _current(drafts):
        if pattern.search(version.body):
            yield Finding("error", version.path, f"legal/{name}: {why}")


@check("state-names")
def _state_names(drafts: Drafts) -> Iterator[Finding]:
    """State names come from the library's list ("the Commonwealth of Massachusetts"), never "the state of X"."""
    yield from _in_bodies(drafts, _STATE_OF, "state-names", "prints 'the state of' before a state variable; use "
                          "law.governing_name or law.client_state_name")


@check("silence-is-not-a-decline")
def _silence(drafts: Drafts) -> Iterator[Finding]:
    """The Client's silence never becomes a Declined Control (S2-5)."""
    yield from _in_bodies(drafts, _SILENCE, "silence-is-not-a-decline", "treats the Client's silence as a decline, "
                          "which lets the Provider widen its own exclusion by sending a ticket")


def _current(drafts: Drafts) -> list[ClauseVersion]:
    """Every clause version some plausible profile gets, once, in a stable order."""
    found = {c.path: c for _, included in drafts.drafts for c in included.values()}
    return [found[p] for p in sorted(found)]


def run_legal_checks(library: Library, drafts: list[Draft], names: list[str] | None = None) -> list[Finding]:
    """Run the registered legal checks (or the named ones) over the simulated drafts."""
    # The user count changes parameters, never which words a check looks for: one size is enough.
    smallest = min((ctx["users"] for ctx, _ in drafts), default=1)
    shared = Drafts(library, [(ctx, included) for ctx, included in drafts if ctx["users"] == smallest])
    findings: list[Finding] = []
    for name, function in CHECKS.items():
        if names is None or name in names:
            findings += function(shared)
    return findings
