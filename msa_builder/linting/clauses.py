"""Checks of each clause version on its own: variables, cross-references and defined terms."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import MsaError
from ..library.load import DEFINITION
from ..library.model import ClauseVersion, Library, semver_key
from ..templating import template_variables
from .finding import Finding

REF = re.compile(r"\[([^\]]*)\]\(#([^)\s]+)\)")
_JINJA = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_CAPS = re.compile(r"[A-Z][a-z]+(?:(?:[ -]|-)[A-Z][a-z]+)+")
_SENTENCE_START = re.compile(r"(^\s*(?:\d+\.|[-*+])?\s*|[.:;!?]\s+|\(\s*|[\"“]\s*)$")


def check_variables(clause: ClauseVersion, allowed: set[str]) -> Iterator[Finding]:
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


def check_refs(clause: ClauseVersion, outline_slots: set[str]) -> Iterator[Finding]:
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


def check_terms(library: Library) -> Iterator[Finding]:
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
