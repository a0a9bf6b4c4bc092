"""Resolving parameters for one client: default, tier, industry, user count, then overrides.

Protective parameters (`combine: max` or `min`) take the stricter of the tier and industry
values; every profile override is a deviation the review memo must show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .library.model import Manifest, ParameterDef
from .profile import Profile


@dataclass(frozen=True)
class ResolvedParam:
    """A parameter's value for one client and where that value came from."""

    name: str
    value: Any
    display: str
    source: str  # default | tier | industry | users | jurisdiction | override
    library_value: Any
    library_display: str
    library_source: str
    description: str

    @property
    def is_deviation(self) -> bool:
        return self.source == "override"


def library_value(param: ParameterDef, tier: str, industry: str, users: int,
                  jurisdiction: str | None = None) -> tuple[Any, str]:
    """The library's value for a client of this tier, industry, size and state, and its source."""
    if tier in param.by_tier:
        value, source = param.by_tier[tier], "tier"
    else:
        value, source = param.default, "default"
    candidates: list[tuple[Any, str]] = []
    if industry in param.by_industry:
        candidates.append((param.by_industry[industry], "industry"))
    thresholds = [t for t in param.by_users if users >= t.min]
    if thresholds:
        candidates.append((max(thresholds, key=lambda t: t.min).value, "users"))
    if jurisdiction is not None and jurisdiction in param.by_jurisdiction:
        candidates.append((param.by_jurisdiction[jurisdiction], "jurisdiction"))
    for candidate, candidate_source in candidates:
        if (param.combine == "last"
                or (param.combine == "max" and candidate > value)
                or (param.combine == "min" and candidate < value)):
            value, source = candidate, candidate_source
    return value, source


def resolve_params(manifest: Manifest, profile: Profile) -> dict[str, ResolvedParam]:
    """Every parameter the library defines, resolved for this profile, in manifest order."""
    out: dict[str, ResolvedParam] = {}
    for name, param in manifest.parameters.items():
        base, base_source = library_value(param, profile.tier, profile.industry, profile.client.users,
                                          profile.client.jurisdiction)
        value, source = base, base_source
        if name in profile.params:
            value, source = param.parse(profile.params[name]), "override"
        out[name] = ResolvedParam(name=name, value=value, display=param.display(value), source=source,
                                  library_value=base, library_display=param.display(base), library_source=base_source,
                                  description=param.description)
    return out


def check_bounds(manifest: Manifest, params: dict[str, ResolvedParam], *, source: str) -> None:
    """Refuse a parameter beyond its legal or policy bound, naming the rule (see `Bound`)."""
    from .errors import LibraryError, ProfileError

    values = {name: p.value for name, p in params.items()}
    for name, resolved in params.items():
        definition = manifest.parameters[name]
        broken = definition.outside(resolved.value, values)
        if broken is None:
            continue
        side, bound, limit = broken
        limit_text = definition.display(limit) if bound.parameter is None else (
            f"{bound.parameter} ({manifest.parameters[bound.parameter].display(limit)})")
        word = "less than the minimum" if side == "minimum" else "more than the maximum"
        message = f"{resolved.display} is {word} of {limit_text}: {bound.reason}"
        culprit = name if resolved.source == "override" else bound.parameter
        if culprit is not None and params[culprit].source == "override":
            raise ProfileError(message if culprit == name else f"{name}: {message}", file=source,
                               field=f"params.{culprit}",
                               hint="an override may not go beyond a legal or policy bound; it is not a deviation")
        raise LibraryError(f"parameter {name}: {message}", field=f"parameters.{name}")
