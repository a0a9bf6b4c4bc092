"""The clause library's schema: the manifest, a clause version's front matter, and the loaded library."""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import brief
from ..fieldtypes import StrictDate
from .paramtypes import ParamType, check_value, display, parse_value

ClauseStatus = Literal["draft", "approved", "retired"]
Responsibility = Literal["provider", "client", "shared"]
SCHEDULE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O, which read as numbers
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
SLOT_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
NAME_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def check_semver(value: str) -> str:
    """A field validator's body: `value` must be a semantic version (clause and catalogue versions)."""
    if not SEMVER.match(value):
        raise ValueError("must be a semantic version such as 1.2.0")
    return value


def semver_key(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(p) for p in version.split("."))
    return major, minor, patch


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierDef(_Strict):
    name: str
    description: str = ""


class IndustryDef(_Strict):
    name: str


class ControlDef(_Strict):
    """A security control: its default status and who is responsible for it, by tier.

    What the agreement prints about it (name, description, risk, consequence, duties) is in the
    versioned control catalogue (library/catalogue.py). `name` here labels messages and the memo;
    the other text fields are accepted from older libraries but never printed (lint says so).
    """

    name: str
    description: str | None = None
    risk: str | None = None
    consequence: str | None = None
    provider_duties: str | None = None
    client_duties: str | None = None
    defaults: dict[str, Literal["accepted", "declined", "client_managed"]]
    responsibility: dict[str, Responsibility]


class RequireRule(_Strict):
    """A control that may not be declined for these tiers and industries (all, when omitted)."""

    control: str
    tiers: list[str] | None = None
    industries: list[str] | None = None
    reason: str

    def matches(self, control: str, tier: str, industry: str) -> bool:
        return (
            self.control == control
            and (self.tiers is None or tier in self.tiers)
            and (self.industries is None or industry in self.industries)
        )


class RefusalPolicy(_Strict):
    default: Literal["limit", "require"] = "limit"
    require: list[RequireRule] = Field(default_factory=list)

    def refusal(self, control: str, tier: str, industry: str) -> str | None:
        """Why declining `control` stops the agreement for this tier and industry; None when it only limits."""
        for rule in self.require:
            if rule.matches(control, tier, industry):
                return rule.reason
        if self.default == "require":
            return "the provider's policy requires every control; none may be declined"
        return None

    def tiers_allowing_decline(self, control: str, industry: str, tiers: list[str]) -> list[str]:
        """The tiers (of `tiers`, in order) on which a client in `industry` may decline `control`."""
        return [tier for tier in tiers if self.refusal(control, tier, industry) is None]


class UserThreshold(_Strict):
    min: int = Field(ge=1)
    value: Any


class Bound(_Strict):
    """A legal or policy limit on a parameter: a number, or another parameter's value, and why.

    An override beyond it is an error naming the rule, not a deviation: a BAA that allows 90 days
    to report a breach violates 45 CFR 164.410(b) whatever the parties agree.
    """

    value: float | int | None = None
    parameter: str | None = None
    reason: str

    @model_validator(mode="after")
    def _one_limit(self) -> Bound:
        if (self.value is None) == (self.parameter is None):
            raise ValueError("a bound names either a `value` or a `parameter`, not both")
        if not self.reason.strip():
            raise ValueError("a bound must say why (`reason`)")
        return self


class ParameterDef(_Strict):
    """A parameter's type and its values by tier, industry, user count and client state."""

    type: ParamType
    description: str
    default: Any
    by_tier: dict[str, Any] = Field(default_factory=dict)
    by_industry: dict[str, Any] = Field(default_factory=dict)
    by_users: list[UserThreshold] = Field(default_factory=list)
    by_jurisdiction: dict[str, Any] = Field(default_factory=dict)
    combine: Literal["max", "min", "last"] = "last"
    minimum: Bound | None = None
    maximum: Bound | None = None

    def outside(self, value: Any, values: dict[str, Any]) -> tuple[str, Bound, Any] | None:
        """("minimum"|"maximum", bound, limit) when `value` breaks a bound; `values` resolves parameter bounds."""
        for side, bound in (("minimum", self.minimum), ("maximum", self.maximum)):
            if bound is None:
                continue
            limit = bound.value if bound.parameter is None else values.get(bound.parameter)
            if limit is None or isinstance(value, str):
                continue
            if (side == "minimum" and value < limit) or (side == "maximum" and value > limit):
                return side, bound, limit
        return None

    def check_value(self, value: Any) -> str | None:
        return check_value(self.type, value)

    def parse(self, value: Any) -> Any:
        """The profile's value as this type: `'$0'` and `'1.5%'` read as numbers (ValueError if unreadable)."""
        return parse_value(self.type, value)

    def display(self, value: Any) -> str:
        return display(self.type, value)

    @model_validator(mode="after")
    def _values_have_the_type(self) -> ParameterDef:
        values = [("default", self.default)]
        values += [(f"by_tier.{k}", v) for k, v in self.by_tier.items()]
        values += [(f"by_industry.{k}", v) for k, v in self.by_industry.items()]
        values += [(f"by_users[{i}].value", t.value) for i, t in enumerate(self.by_users)]
        values += [(f"by_jurisdiction.{k}", v) for k, v in self.by_jurisdiction.items()]
        for where, value in values:
            problem = self.check_value(value)
            if problem:
                raise ValueError(f"{where}: {brief(value)} {problem}")
            broken = self.outside(value, {})
            if broken:
                side, bound, limit = broken
                raise ValueError(f"{where}: {brief(value)} is beyond the {side} {brief(limit)} ({bound.reason})")
        if self.combine != "last" and self.type == "text":
            raise ValueError("text parameters can only combine with 'last'")
        return self


class OutlineEntry(_Strict):
    slot: str
    optional: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"slot": data} if isinstance(data, str) else data

    @field_validator("slot")
    @classmethod
    def _slot_id(cls, value: str) -> str:
        if not SLOT_ID.match(value):
            raise ValueError("a slot id is dotted lower-case words, e.g. scope.out_of_scope")
        return value


class ArticleOutline(_Strict):
    title: str
    slots: list[OutlineEntry]


class Outline(_Strict):
    """The agreement's order: preamble, numbered articles, signature page, lettered schedules."""

    preamble: str
    articles: list[ArticleOutline]
    signature: str
    schedules: list[OutlineEntry]

    def labels(self, included: Container[str] | None = None) -> dict[str, str]:
        """`Section 3.2` / `Schedule C` of every slot in `included` (default: every outline slot).

        Sections are numbered within their article and schedules lettered in outline order, each
        counting only the slots present, so a left-out section renumbers the ones after it.
        """
        labels: dict[str, str] = {}
        for a_index, article in enumerate(self.articles, start=1):
            present = [e.slot for e in article.slots if included is None or e.slot in included]
            labels.update({slot: f"Section {a_index}.{s_index}" for s_index, slot in enumerate(present, start=1)})
        present = [e.slot for e in self.schedules if included is None or e.slot in included]
        labels.update({slot: f"Schedule {letter}" for letter, slot in zip(SCHEDULE_LETTERS, present)})
        return labels

    def entries(self) -> list[tuple[str, OutlineEntry]]:
        """Every slot with its kind (preamble, section, signature, schedule), in document order."""
        out: list[tuple[str, OutlineEntry]] = [("preamble", OutlineEntry(slot=self.preamble))]
        for article in self.articles:
            out += [("section", entry) for entry in article.slots]
        out.append(("signature", OutlineEntry(slot=self.signature)))
        out += [("schedule", entry) for entry in self.schedules]
        return out


class LintConfig(_Strict):
    proper_nouns: list[str] = Field(default_factory=list)
    # The legal checks (linting/legal.py) run unless a library turns them off, as the
    # structural test fixtures do; a provider's copy of the shipped library keeps them.
    legal_checks: bool = True


class SignatoryPolicy(_Strict):
    """Who may sign a risk acceptance: titles that never carry the authority, whatever is claimed."""

    non_authority_titles: list[str] = Field(default_factory=list)


RestateReason = Literal["tier", "industry", "parties", "articles"]


class AmendmentText(_Strict):
    """The closing terms every amendment carries, worded by the provider's counsel."""

    effect: str = Field(min_length=1)
    counterparts: str = Field(min_length=1)


class AmendmentPolicy(_Strict):
    """When a signed client gets an amendment, and when only a restated agreement will do.

    `restate_when` names changes an amendment may not make: a new `tier` or `industry` (the
    Services themselves change), a change to the `parties` (a legal name, the preamble or the
    signature page), or an `articles` change (an article added or removed). More than
    `max_changes` changed sections and schedules is a restatement too: an amendment that rewrites
    most of the agreement is harder to read than the agreement.
    """

    restate_when: list[RestateReason] = Field(default_factory=lambda: ["tier", "industry", "parties", "articles"])
    max_changes: int = Field(default=15, ge=1)
    text: AmendmentText | None = None


class RenewalNotice(_Strict):
    """How a state makes the provider remind the client before an automatic renewal."""

    statute: str
    method: str
    min_days_param: str | None = None
    max_days_param: str


class JurisdictionPack(_Strict):
    """Client-state rules the law imposes whatever law the parties choose, and what counsel must check."""

    name: str
    states: list[str]
    notes: list[str] = Field(default_factory=list)
    renewal_notice: RenewalNotice | None = None


class Jurisdictions(_Strict):
    """Packs by state, the generic pack's renewal notice, and how state names read in a contract."""

    packs: dict[str, JurisdictionPack] = Field(default_factory=dict)
    generic_renewal_notice: RenewalNotice | None = None
    no_pack_note: str = ("{state} has no jurisdiction pack in this library, so the generic terms were used; "
                         "counsel must confirm they are enforceable there.")
    names: dict[str, str] = Field(default_factory=dict)  # exceptions to "the State of X"

    def pack_for(self, state: str) -> tuple[str, JurisdictionPack] | None:
        return next(((k, p) for k, p in self.packs.items() if state in p.states), None)

    def formal_name(self, state: str) -> str:
        """"the State of Ohio", "the Commonwealth of Massachusetts", "the District of Columbia"."""
        return self.names.get(state, f"the State of {state}")


class Manifest(_Strict):
    """library.yaml: what the library knows and how an agreement is laid out."""

    name: str
    version: str
    agreement_title: str
    tiers: dict[str, TierDef]
    industries: dict[str, IndustryDef]
    controls: dict[str, ControlDef]
    refusal_policy: RefusalPolicy = Field(default_factory=RefusalPolicy)
    parameters: dict[str, ParameterDef]
    outline: Outline
    lint: LintConfig = Field(default_factory=LintConfig)
    signatory_policy: SignatoryPolicy = Field(default_factory=SignatoryPolicy)
    jurisdictions: Jurisdictions = Field(default_factory=Jurisdictions)
    regulators: list[str] = Field(default_factory=list)
    amendments: AmendmentPolicy = Field(default_factory=AmendmentPolicy)

    @model_validator(mode="after")
    def _cross_checks(self) -> Manifest:
        tiers, industries = set(self.tiers), set(self.industries)
        for name in [*tiers, *industries, *self.controls, *self.parameters]:
            if not NAME_ID.match(name):
                raise ValueError(f"{name!r}: names are lower-case words joined by '_'")
        for cid, control in self.controls.items():
            for label, mapping in (("defaults", control.defaults), ("responsibility", control.responsibility)):
                missing = tiers - set(mapping)
                unknown = set(mapping) - tiers
                if missing or unknown:
                    raise ValueError(f"controls.{cid}.{label} must name every tier exactly: "
                                     f"missing {sorted(missing)}, unknown {sorted(unknown)}")
        for i, rule in enumerate(self.refusal_policy.require):
            if rule.control not in self.controls:
                raise ValueError(f"refusal_policy.require[{i}].control: unknown control {rule.control!r}")
            for t in rule.tiers or []:
                if t not in tiers:
                    raise ValueError(f"refusal_policy.require[{i}].tiers: unknown tier {t!r}")
            for ind in rule.industries or []:
                if ind not in industries:
                    raise ValueError(f"refusal_policy.require[{i}].industries: unknown industry {ind!r}")
        for pname, param in self.parameters.items():
            for t in param.by_tier:
                if t not in tiers:
                    raise ValueError(f"parameters.{pname}.by_tier: unknown tier {t!r}")
            for ind in param.by_industry:
                if ind not in industries:
                    raise ValueError(f"parameters.{pname}.by_industry: unknown industry {ind!r}")
            for side in ("minimum", "maximum"):
                bound = getattr(param, side)
                if bound is not None and bound.parameter is not None and bound.parameter not in self.parameters:
                    raise ValueError(f"parameters.{pname}.{side}.parameter: unknown parameter {bound.parameter!r}")
        for key, pack in self.jurisdictions.packs.items():
            notices = [pack.renewal_notice] if pack.renewal_notice else []
            for notice in notices + ([self.jurisdictions.generic_renewal_notice]
                                     if self.jurisdictions.generic_renewal_notice else []):
                for pname in (notice.min_days_param, notice.max_days_param):
                    if pname is not None and pname not in self.parameters:
                        raise ValueError(f"jurisdictions.packs.{key}.renewal_notice: unknown parameter {pname!r}")
        seen: set[str] = set()
        for _, entry in self.outline.entries():
            if entry.slot in seen:
                raise ValueError(f"outline: slot {entry.slot!r} appears twice")
            seen.add(entry.slot)
        return self


class ClauseMeta(_Strict):
    """The YAML front matter of one clause version file."""

    id: str
    variant: str
    version: str
    title: str
    status: ClauseStatus
    effective: StrictDate
    applies_when: str
    precedence: int = 0
    variables: list[str] = Field(default_factory=list)
    changelog: str
    # The approval record `msa library approve` writes: who, on which day, and the library release it
    # followed (so `msa library release` knows which versions its release note covers).
    approved_by: str | None = None
    approved_on: StrictDate | None = None
    approved_after: str | None = None

    @field_validator("id")
    @classmethod
    def _slot_id(cls, value: str) -> str:
        if not SLOT_ID.match(value):
            raise ValueError("a slot id is dotted lower-case words, e.g. scope.out_of_scope")
        return value

    @field_validator("variant")
    @classmethod
    def _variant(cls, value: str) -> str:
        if not NAME_ID.match(value):
            raise ValueError("a variant name is lower-case words joined by '_'")
        return value

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        return check_semver(value)

    @field_validator("title", "applies_when", "changelog")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


@dataclass(frozen=True)
class ClauseVersion:
    """One released (or draft) text of one variant of one slot."""

    meta: ClauseMeta
    body: str
    path: str
    sha256: str
    body_line: int  # line of the file where the body starts, for error messages

    @cached_property
    def key(self) -> str:
        """`slot:variant@version`, the name used in locks, diffs and messages."""
        return f"{self.meta.id}:{self.meta.variant}@{self.meta.version}"


@dataclass(frozen=True)
class Variant:
    slot: str
    name: str
    versions: tuple[ClauseVersion, ...]  # oldest first

    def version(self, version: str) -> ClauseVersion | None:
        return next((v for v in self.versions if v.meta.version == version), None)


@dataclass(frozen=True)
class Slot:
    id: str
    variants: dict[str, Variant] = field(default_factory=dict)


@dataclass(frozen=True)
class Library:
    """A loaded clause library: the manifest plus every clause version, by slot and variant."""

    manifest: Manifest
    slots: dict[str, Slot]
    released: dict[str, str]  # relative path -> sha256 recorded at release
    location: str
    terms: dict[str, str] = field(default_factory=dict)  # defined term -> key of the first definer
    catalogue: tuple[Any, ...] = ()  # library.catalogue.CatalogueVersion, oldest first
    manifest_sha256: str = ""  # the bytes of library.yaml, recorded in every lock

    def versions(self) -> list[ClauseVersion]:
        return [v for slot in self.slots.values() for var in slot.variants.values() for v in var.versions]

    def find(self, slot: str, variant: str | None = None, version: str | None = None) -> ClauseVersion | None:
        """The named version; with no variant, the slot's only variant or `standard`."""
        found = self.slots.get(slot)
        if found is None:
            return None
        if variant is None:
            if len(found.variants) == 1:
                variant = next(iter(found.variants))
            else:
                variant = "standard"
        var = found.variants.get(variant)
        if var is None:
            return None
        if version is None:
            return var.versions[-1]
        return var.version(version)
