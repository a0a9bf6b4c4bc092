"""Client profiles and the provider file: the inputs a sales engineer writes.

The profile shape is a published contract (see the README): fields may be added, never renamed.
Structural validation is pydantic's; checks that need the library (tier, industry, controls,
parameters) happen in `check_profile` so one profile can be validated against any library.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    ValidationError,
    field_validator,
)

from ._files import branch_tag, raise_validation, read_mapping
from .errors import Problem, ProfileError, brief
from .fieldtypes import StrictDate, character_problem, text_problem
from .library.model import Manifest

ControlStatus = Literal["accepted", "declined", "client_managed"]
# Who may accept a risk for a client: an owner or officer, or a person one of them authorized in
# writing (`delegate`, with `delegated_by`). Recorded, because a title alone proves nothing.
Authority = Literal["owner", "officer", "partner", "member", "director", "delegate"]
AUTHORITIES: tuple[str, ...] = ("owner", "officer", "partner", "member", "director", "delegate")

US_JURISDICTIONS = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "District of Columbia", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois",
    "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts",
    "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota",
    "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina",
    "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
    "West Virginia", "Wisconsin", "Wyoming",
)

_TEMPLATE_MARKERS = ("{{", "{%", "{#", "}}", "%}")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _clean_text(value: str, *, one_line: bool = True) -> str:
    """Client text is reproduced exactly, but it may never look like a template placeholder.

    It is stored in Unicode's composed form (NFC), so that "Café" typed on a Mac (e + combining
    accent) and on Windows (é) is one client, one folder and one ledger key.
    """
    # Before stripping: str.strip() would silently drop a trailing U+0085 or U+001F, which are
    # control characters, not spaces.
    problem = character_problem(value)
    if problem:
        raise ValueError(problem)
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    if any(marker in text for marker in _TEMPLATE_MARKERS):
        raise ValueError("must not contain template markers such as '{{' or '{%'")
    problem = text_problem(text, one_line=one_line)
    if problem:
        raise ValueError(problem)
    return unicodedata.normalize("NFC", text)


def _email_address(value: str, *, example: str) -> str:
    """A clean one-line address with an @ and a domain; `example` is what the error suggests."""
    value = _clean_text(value)
    if not _EMAIL.match(value):
        raise ValueError(f"must be an email address such as {example}")
    return value


def _clean_paragraph(value: str) -> str:
    return _clean_text(value, one_line=False)


# Strict: YAML's `!!binary` gives bytes, which pydantic would otherwise decode into a name.
CleanText = Annotated[str, Strict(), AfterValidator(_clean_text)]
# Text a contract shows inside a sentence, where a line break reads as a space (an address, a reason).
CleanParagraph = Annotated[str, Strict(), AfterValidator(_clean_paragraph)]
Name = Annotated[str, Strict()]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Signatory(_Strict):
    """The person who signs for a party."""

    name: CleanText
    title: CleanText
    email: Name
    authority: Authority | None = None
    delegated_by: CleanText | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return _email_address(value, example="name@example.com")


class ClientDetails(_Strict):
    """Who the client is; `jurisdiction` is the state whose law governs the agreement."""

    legal_name: CleanText
    jurisdiction: Name
    address: CleanParagraph
    signatory: Signatory
    users: int = Field(ge=1, le=1_000_000)
    entity: CleanText | None = None

    @field_validator("users", mode="before")
    @classmethod
    def _users_not_bool(cls, value: Any) -> Any:
        # pydantic reads a bool as 0 or 1; `users: yes` in YAML is a mistake, not one user.
        if isinstance(value, bool):
            raise ValueError("must be a whole number of users, not true/false")
        return value

    @field_validator("jurisdiction")
    @classmethod
    def _jurisdiction(cls, value: str) -> str:
        if value not in US_JURISDICTIONS:
            raise ValueError(f"{brief(value)} is not a US state; spell out a state (or District of Columbia), "
                             "e.g. California")
        return value


class ControlDecision(_Strict):
    """The long form of a control entry: the decision plus the record a decline needs.

    A decline must say when the control was offered (`offered`); it may add when it was declined,
    which Covered Assets it covers (`scope`: `all`, or the named ones), the price quoted, how the
    recommendation was made and when the decision is next reviewed. A client-managed control the
    provider requires needs `managed_by` and an `attestation` date, or it counts as a decline.
    """

    status: ControlStatus
    offered: StrictDate | None = None
    reason: CleanParagraph | None = None
    date_declined: StrictDate | None = None
    scope: Union[Literal["all"], list[CleanText]] = "all"
    quoted_price: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    review_by: StrictDate | None = None
    channel: CleanText | None = None
    managed_by: CleanText | None = None
    attestation: StrictDate | None = None

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise ValueError("name at least one Covered Asset, or use 'all'")
        return value


def _entry_form(value: Any) -> str:
    return branch_tag("long") if isinstance(value, (dict, ControlDecision)) else branch_tag("short")


# A control entry is a bare status or the long form. Choosing the branch by the input's shape means
# a mistake inside a long-form entry (a bad `reason`) is reported as itself, at its own field path,
# rather than as "not one of accepted, declined, client_managed".
ControlEntry = Annotated[
    Union[Annotated[ControlStatus, Tag(branch_tag("short"))], Annotated[ControlDecision, Tag(branch_tag("long"))]],
    Discriminator(_entry_form),
]


class Profile(_Strict):
    """One client's profile: the short input from which an agreement is built."""

    client: ClientDetails
    tier: Name
    industry: Name
    effective_date: StrictDate
    controls: dict[str, ControlEntry] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    agreement_id: Name | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    # The client's financial regulators (e.g. [ncua], [fdic, nydfs]); the library lists those it knows.
    regulators: list[Name] = Field(default_factory=list)

    def decision(self, control: str) -> ControlDecision | None:
        entry = self.controls.get(control)
        if entry is None or isinstance(entry, ControlDecision):
            return entry
        return ControlDecision(status=entry)


class Provider(_Strict):
    """The provider's own details, kept in a file so no name or address lives in code."""

    legal_name: CleanText
    organization: CleanText
    address: CleanParagraph
    notice_email: Name
    signatory: Signatory
    website: CleanText
    # The provider's choice of law and forum (its counsel's, not the client's state); without
    # them the client's state is used and the review memo asks for a decision.
    governing_law: str | None = None
    venue: CleanText | None = None

    @field_validator("notice_email")
    @classmethod
    def _email(cls, value: str) -> str:
        return _email_address(value, example="notices@example.com")

    @field_validator("governing_law")
    @classmethod
    def _law(cls, value: str | None) -> str | None:
        if value is not None and value not in US_JURISDICTIONS:
            raise ValueError("must be a US state (or District of Columbia), spelled out, e.g. Ohio")
        return value


class LoadedProfile(BaseModel):
    """A profile with where it came from and the hash of its bytes, for locks and staleness."""

    model_config = ConfigDict(frozen=True)

    profile: Profile
    source: str
    sha256: str


def profile_from_mapping(data: dict[str, Any], *, source: str) -> Profile:
    """Validate a mapping (from YAML, JSON or a CSV row) as a profile."""
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise_validation(exc, source=source, error=ProfileError)
        raise  # unreachable: raise_validation always raises


def load_profile(path: Path) -> LoadedProfile:
    """Read and validate a client profile file (YAML or JSON)."""
    data = read_mapping(path, error=ProfileError, what="client profile")
    profile = profile_from_mapping(data, source=str(path))
    return LoadedProfile(profile=profile, source=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest())


PLACEHOLDER = re.compile(r"^<[^<>]+>$")  # what `msa init` writes into provider.yaml for the provider to replace


def _placeholder(data: Any, path: str = "") -> tuple[str, str] | None:
    if isinstance(data, dict):
        for key, value in data.items():
            found = _placeholder(value, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(data, str) and PLACEHOLDER.match(data.strip()):
        return path, data
    return None


def load_provider(path: Path) -> tuple[Provider, str]:
    """Read the provider file; returns the provider and the sha256 of the file."""
    data = read_mapping(path, error=ProfileError, what="provider file")
    unfilled = _placeholder(data)
    if unfilled is not None:
        raise ProfileError(f"{unfilled[1]!r} is still the placeholder `msa init` wrote", file=str(path),
                           field=unfilled[0], hint="fill in provider.yaml with your company's details")
    try:
        provider = Provider.model_validate(data)
    except ValidationError as exc:
        raise_validation(exc, source=str(path), error=ProfileError)
        raise
    return provider, hashlib.sha256(path.read_bytes()).hexdigest()


def check_profile(profile: Profile, manifest: Manifest, *, source: str) -> None:
    """Check the profile's tier, industry, controls and parameter overrides against the library.

    Every problem is reported at once, like the schema's own.
    """
    problems: list[Problem] = []
    if profile.tier not in manifest.tiers:
        problems.append(Problem(f"{brief(profile.tier)} is not a tier this library knows", "tier",
                                allowed=tuple(manifest.tiers)))
    if profile.industry not in manifest.industries:
        problems.append(Problem(f"{brief(profile.industry)} is not an industry this library knows", "industry",
                                allowed=tuple(manifest.industries)))
    for control in profile.controls:
        if control not in manifest.controls:
            problems.append(Problem(f"{brief(control)} is not a control this library knows",
                                    f"controls.{control}", allowed=tuple(manifest.controls)))
    for i, regulator in enumerate(profile.regulators):
        if regulator not in manifest.regulators:
            problems.append(Problem(f"{brief(regulator)} is not a regulator this library has terms for",
                                    f"regulators[{i}]", allowed=tuple(manifest.regulators)))
    for name, value in profile.params.items():
        definition = manifest.parameters.get(name)
        if definition is None:
            problems.append(Problem(f"{brief(name)} is not a parameter this library knows", f"params.{name}",
                                    allowed=tuple(sorted(manifest.parameters))))
            continue
        try:
            parsed = definition.parse(value)  # '$3,000,000' and '1.5%' read as the CSV form reads them
        except ValueError:
            parsed = value
        problem = definition.check_value(parsed)
        if problem:
            problems.append(Problem(f"{brief(value)} {problem}", f"params.{name}"))
    if problems:
        raise ProfileError.several(problems, file=source)


def slugify(legal_name: str) -> str:
    """A stable, filesystem-safe folder name for a client: readable part plus a short hash.

    The hash keeps two names that fold to the same letters ("A&B LLC", "A B LLC") apart, and
    names with no Latin letters at all (RTL scripts, emoji) still get a usable slug.
    """
    import unicodedata

    folded = unicodedata.normalize("NFKD", legal_name).encode("ascii", "ignore").decode("ascii")
    readable = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:48].strip("-")
    digest = hashlib.sha256(legal_name.encode("utf-8")).hexdigest()[:6]
    return f"{readable}-{digest}" if readable else f"client-{digest}"


def agreement_id_for(profile: Profile) -> str:
    """The agreement id: the profile's own, or one derived from the client and the effective date."""
    if profile.agreement_id:
        return profile.agreement_id
    return derived_agreement_id(profile.client.legal_name, profile.effective_date)


def derived_agreement_id(legal_name: str, effective: date) -> str:
    """The id of a profile that names none: its effective date and a short hash of the name."""
    digest = hashlib.sha256(legal_name.encode("utf-8")).hexdigest()[:6].upper()
    return f"MSA-{effective:%Y%m%d}-{digest}"
