"""A client profile as a form: what a library asks for, and the answers checked whole, every problem at once.

A person filling in a form wants every mistake shown beside its field in one pass, not one per
submit. The schema reports all of its problems together; the library's checks (tier, industry,
controls, parameters, the refusal policy) run on the raw answers too, so a refused decline is shown
even while the name is still empty; only when all of that is clean does selection run, and its
own problem (a missing decline record, a rule that cannot decide) is reported last.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import MsaError, Problem, ProfileError, brief
from .library.catalogue import newest
from .library.model import Library, Manifest
from .new_profile import FIELDS, decline_problem
from .profile import AUTHORITIES, US_JURISDICTIONS, LoadedProfile, profile_from_mapping
from .selection import Selection, select

SOURCE = "profile"


def _raw_problems(data: Mapping[str, Any], manifest: Manifest) -> list[Problem]:
    """What the library refuses in the raw answers, without needing a valid profile."""
    problems: list[Problem] = []
    tier, industry = data.get("tier"), data.get("industry")
    if isinstance(tier, str) and tier and tier not in manifest.tiers:
        problems.append(Problem(f"{brief(tier)} is not a tier this library knows", "tier",
                                allowed=tuple(manifest.tiers)))
    if isinstance(industry, str) and industry and industry not in manifest.industries:
        problems.append(Problem(f"{brief(industry)} is not an industry this library knows", "industry",
                                allowed=tuple(manifest.industries)))
    controls = data.get("controls")
    if not isinstance(controls, Mapping):
        return problems
    for cid, entry in controls.items():
        if cid not in manifest.controls:
            problems.append(Problem(f"{brief(cid)} is not a control this library knows", f"controls.{cid}",
                                    allowed=tuple(manifest.controls)))
            continue
        status = entry.get("status") if isinstance(entry, Mapping) else entry
        if status == "declined" and tier in manifest.tiers and industry in manifest.industries:
            refused = decline_problem(manifest, cid, str(tier), str(industry))
            if refused:
                problems.append(Problem(refused, f"controls.{cid}"))
    return problems


def _merge(*groups: list[Problem]) -> list[Problem]:
    """Problems in order, one per (field, message); a field's schema problem hides a duplicate library one."""
    seen: set[tuple[str | None, str]] = set()
    out = []
    for group in groups:
        for problem in group:
            key = (problem.field, problem.message)
            if key not in seen:
                seen.add(key)
                out.append(problem)
    return out


def profile_problems(data: Mapping[str, Any], library: Library) -> list[Problem]:
    """Every problem of the profile `data` against `library`; an empty list means it selects cleanly."""
    if not isinstance(data, Mapping):
        return [Problem("a profile is an object (a mapping of fields)", None)]
    manifest = library.manifest
    raw = _raw_problems(data, manifest)
    try:
        profile = profile_from_mapping(dict(data), source=SOURCE)
    except ProfileError as exc:
        return _merge(list(exc.problems), raw)
    if raw:
        return raw
    try:
        select(library, LoadedProfile(profile=profile, source=SOURCE, sha256=""))
    except MsaError as exc:
        return list(exc.problems)
    return []


def check_profile_data(data: Mapping[str, Any], library: Library) -> Selection:
    """The selection for the profile `data`; a ProfileError carrying every problem when there are any."""
    problems = profile_problems(data, library)
    if problems:
        raise ProfileError.several(problems, file=SOURCE)
    profile = profile_from_mapping(dict(data), source=SOURCE)
    return select(library, LoadedProfile(profile=profile, source=SOURCE, sha256=""))


PROFILE_SUFFIXES = (".yaml", ".yml", ".json")


def profile_files(folder: Path) -> list[Path]:
    """The profiles of a clients folder (not its sub-folders), by file name."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.suffix.lower() in PROFILE_SUFFIXES and p.is_file()
                   and not p.name.startswith(".")), key=lambda p: p.name.casefold())


def _bound(bound: Any) -> dict[str, Any] | None:
    if bound is None:
        return None
    return {"value": bound.value, "parameter": bound.parameter, "reason": bound.reason}


def form_fields(library: Library) -> dict[str, Any]:
    """Everything a new-client form shows, from the library, as JSON-ready data.

    Controls carry the catalogue's words (what the control is, the risk of declining it) and, per
    tier and industry, whether declining it is refused and why, so a form can say so before a build.
    """
    manifest = library.manifest
    catalogue = newest(library.catalogue)
    controls = []
    for cid, control in manifest.controls.items():
        text = catalogue.control(cid) if catalogue is not None else None
        refused = {f"{tier}/{industry}": why for tier in manifest.tiers for industry in manifest.industries
                   if (why := manifest.refusal_policy.refusal(cid, tier, industry)) is not None}
        controls.append({"id": cid, "name": control.name,
                         "description": text.description if text else control.description or "",
                         "risk": text.risk if text else control.risk or "",
                         "defaults": dict(control.defaults), "refused": refused})
    parameters = [{"name": name, "type": p.type, "description": p.description, "default": p.default,
                   "default_display": p.display(p.default), "by_tier": dict(p.by_tier),
                   "by_industry": dict(p.by_industry), "minimum": _bound(p.minimum), "maximum": _bound(p.maximum)}
                  for name, p in manifest.parameters.items()]
    return {
        "library": {"name": manifest.name, "version": manifest.version},
        "fields": [{"path": f.path, "label": f.prompt, "required": f.required} for f in FIELDS],
        "tiers": [{"id": k, "name": t.name, "description": t.description} for k, t in manifest.tiers.items()],
        "industries": [{"id": k, "name": i.name} for k, i in manifest.industries.items()],
        "jurisdictions": list(US_JURISDICTIONS),
        "authorities": list(AUTHORITIES),
        "controls": controls,
        "parameters": parameters,
    }
