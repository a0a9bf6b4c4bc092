"""`msa new`: a client profile from answers, checked against the library, written as commented YAML.

Every answer is checked with the real profile schema the moment it is given (so a prompt can ask
again) and the finished profile is selected against the library before anything is written, so
the file `msa new` leaves behind always builds. The YAML is written by hand, not dumped, so it can
carry the comments a sales engineer needs to edit it later (what a tier means, which controls
took the tier's default); it is read back and compared before it is written.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ._files import atomic_write, parse_yaml
from .errors import MsaError, ProfileError
from .library.model import Library, Manifest
from .profile import LoadedProfile, profile_from_mapping, slugify
from .selection import allowing_decline, select

STATUSES = ("accepted", "declined", "client_managed")


@dataclass(frozen=True)
class Field:
    """One answer of a profile: where it goes, how a person is asked for it, and whether it may be left out."""

    path: str  # dotted, as in the profile: client.signatory.email
    flag: str  # the `msa new` option
    prompt: str
    required: bool = True


FIELDS = (
    Field("client.legal_name", "--legal-name", "Client's legal name"),
    Field("client.jurisdiction", "--jurisdiction", "Governing-law state (spelled out, e.g. Ohio)"),
    Field("client.address", "--address", "Notice address"),
    Field("client.entity", "--entity", "Entity description, e.g. 'an Ohio limited liability company' (optional)",
          required=False),
    Field("client.users", "--users", "Number of users"),
    Field("client.signatory.name", "--signatory-name", "Who signs for the client: name"),
    Field("client.signatory.title", "--signatory-title", "Their title"),
    Field("client.signatory.email", "--signatory-email", "Their email"),
    Field("client.signatory.authority", "--signatory-authority",
          "Their authority to bind the client: owner, officer, partner, member, director or delegate "
          "(needed when a control is declined)", required=False),
    Field("tier", "--tier", "Service tier"),
    Field("industry", "--industry", "Industry"),
    Field("effective_date", "--effective-date", "Effective date (YYYY-MM-DD)"),
    Field("agreement_id", "--agreement-id", "Agreement id (optional; derived from name and date)", required=False),
)

# A valid profile the answers are laid over when one answer is checked alone: an error at the
# answer's own path is the answer's fault; any other error is about a field not asked yet.
_BASE: dict[str, Any] = {
    "client": {"legal_name": "Example Client LLC", "jurisdiction": "Ohio", "address": "1 Main St, Columbus, OH 43215",
               "signatory": {"name": "Pat Lee", "title": "Owner", "email": "pat@example.com"}, "users": 10},
    "tier": "", "industry": "", "effective_date": date(2027, 1, 1),
}


@dataclass(frozen=True)
class ControlAnswer:
    """A control the client decided: its status and, for a decline, the record of the offer."""

    status: str
    offered: date | None = None
    reason: str | None = None
    managed_by: str | None = None  # a client-managed control: who operates it
    attestation: date | None = None  # and the day the client attested that it is in place


@dataclass
class Answers:
    """What `msa new` knows so far: field path -> value, plus controls and parameter overrides."""

    values: dict[str, Any] = field(default_factory=dict)
    controls: dict[str, ControlAnswer] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def mapping(self) -> dict[str, Any]:
        """The profile mapping these answers make (absent optional fields left out)."""
        data: dict[str, Any] = {}
        for spec in FIELDS:
            value = self.values.get(spec.path)
            if value is None or value == "":
                continue
            _put(data, spec.path, value)
        if self.controls:
            data["controls"] = {cid: _control_entry(a) for cid, a in self.controls.items()}
        if self.params:
            data["params"] = dict(self.params)
        return data


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def _control_entry(answer: ControlAnswer) -> Any:
    if answer.status == "client_managed" and (answer.managed_by or answer.attestation):
        entry: dict[str, Any] = {"status": "client_managed"}
        if answer.managed_by:
            entry["managed_by"] = answer.managed_by
        if answer.attestation is not None:
            entry["attestation"] = answer.attestation
        return entry
    if answer.status != "declined":
        return answer.status
    entry = {"status": "declined"}
    if answer.offered is not None:
        entry["offered"] = answer.offered
    if answer.reason:
        entry["reason"] = answer.reason
    return entry


def check_answer(path: str, value: Any, manifest: Manifest) -> Any:
    """`value` for the field at `path`, validated as the profile schema and the library would; ProfileError if not."""
    base = copy.deepcopy(_BASE)
    base["tier"], base["industry"] = next(iter(manifest.tiers)), next(iter(manifest.industries))
    _put(base, path, value)
    if path == "tier" and value not in manifest.tiers:
        raise ProfileError(f"{value!r} is not a tier this library knows", field="tier", allowed=manifest.tiers)
    if path == "industry" and value not in manifest.industries:
        raise ProfileError(f"{value!r} is not an industry this library knows", field="industry",
                           allowed=manifest.industries)
    try:
        profile = profile_from_mapping(base, source="answer")
    except ProfileError as exc:
        if exc.field == path or (exc.field or "").startswith(path + "."):
            raise ProfileError(exc.message, field=path, allowed=exc.allowed) from None
        return value
    return _read_back(profile.model_dump(), path)


def _read_back(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


def check_date(value: Any, field: str) -> date:
    """A date typed as YYYY-MM-DD (or already a date); ProfileError naming `field` if not."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ProfileError(f"{value!r} is not a date; use YYYY-MM-DD", field=field) from None


def check_param(manifest: Manifest, name: str, text: Any) -> Any:
    """A parameter override typed by a person (`$3,000,000`, `1.5%`, `45`) as its value; ProfileError if not."""
    definition = manifest.parameters.get(name)
    if definition is None:
        raise ProfileError(f"{name!r} is not a parameter this library knows", field=f"params.{name}",
                           allowed=sorted(manifest.parameters))
    try:
        value = definition.parse(text)
    except ValueError as exc:
        raise ProfileError(f"{text!r} {exc}", field=f"params.{name}") from None
    problem = definition.check_value(value)
    if problem:
        raise ProfileError(f"{text!r} {problem}", field=f"params.{name}")
    return value


def decline_problem(manifest: Manifest, control: str, tier: str, industry: str) -> str | None:
    """Why this client may not decline `control` (the policy and the tiers that would allow it), or None."""
    why = manifest.refusal_policy.refusal(control, tier, industry)
    if why is None:
        return None
    return (f"{control} ({manifest.controls[control].name}) may not be declined on the {manifest.tiers[tier].name} "
            f"tier in {manifest.industries[industry].name}: {why.rstrip('.')}. "
            f"{allowing_decline(manifest, control, industry)}")


def tier_default(manifest: Manifest, control: str, tier: str) -> str:
    return manifest.controls[control].defaults[tier]


def _pairs(values: tuple[str, ...], manifest: Manifest) -> tuple[str | None, dict[str, str]]:
    """`--offered 2026-10-14` (every declined control) and `--offered mfa=2026-10-14` (one control)."""
    common: str | None = None
    per: dict[str, str] = {}
    for value in values:
        control, sep, rest = value.partition("=")
        if sep and control.strip() in manifest.controls:
            per[control.strip()] = rest.strip()
        else:
            common = value
    return common, per


def _controls(manifest: Manifest, option: str, value: str | None) -> list[str]:
    names = [v.strip() for v in (value or "").split(",") if v.strip()]
    for name in names:
        if name not in manifest.controls:
            raise ProfileError(f"{name!r} is not a control this library knows", field=option,
                               allowed=manifest.controls)
    return names


def answers_from_options(flags: dict[str, Any], manifest: Manifest) -> Answers:
    """The answers `msa new`'s options give (keyed as click names them), each checked as a prompt would.

    `offered` and `reason` are sequences of `DATE` / `TEXT` for every declined control, or
    `CONTROL=VALUE` for one; `param` is a sequence of `NAME=VALUE`; the control options are
    comma-separated lists.
    """
    answers = Answers()
    for spec in FIELDS:
        value = flags.get(spec.flag.lstrip("-").replace("-", "_"))
        if value is not None:
            answers.values[spec.path] = check_answer(spec.path, value, manifest)
    offered, offered_per = _pairs(flags["offered"], manifest)
    reason, reason_per = _pairs(flags["reason"], manifest)
    for status, option in (("accepted", "--accepted"), ("client_managed", "--client-managed"),
                           ("declined", "--declined")):
        for cid in _controls(manifest, option, flags[option.lstrip("-").replace("-", "_")]):
            if status != "declined":
                answers.controls[cid] = ControlAnswer(status)
                continue
            when = offered_per.get(cid, offered)
            day = check_date(when, f"--offered {cid}") if when else None
            answers.controls[cid] = ControlAnswer("declined", day, reason_per.get(cid, reason))
    declined = {cid for cid, a in answers.controls.items() if a.status == "declined"}
    stray = sorted((set(offered_per) | set(reason_per)) - declined)
    if stray or ((offered or reason) and not declined):
        raise ProfileError("--offered and --reason describe declined controls; name them with --declined",
                           field="--offered" if set(stray) & set(offered_per) or (offered and not declined)
                           else "--reason",
                           hint=f"e.g. --declined {stray[0] if stray else 'edr'} --offered 2026-10-14")
    for item in flags["param"]:
        name, sep, value = item.partition("=")
        if not sep:
            raise ProfileError(f"{item!r} is not NAME=VALUE", field="--param")
        answers.params[name.strip()] = check_param(manifest, name.strip(), value.strip())
    return answers


def check_profile_answers(answers: Answers, library: Library, *, source: str) -> LoadedProfile:
    """Validate the whole profile: schema, library, refusal policy and rules (it must select cleanly)."""
    missing = [spec.flag for spec in FIELDS if spec.required and answers.values.get(spec.path) in (None, "")]
    if missing:
        raise ProfileError("the new profile is missing required fields", field=", ".join(missing),
                           hint="give them as options, or run `msa new` on a terminal to be asked")
    for cid, answer in answers.controls.items():
        if answer.status == "declined" and answer.offered is None:
            raise ProfileError(f"the client declined {cid}: say when it was recommended", field=f"controls.{cid}",
                               hint="add --offered YYYY-MM-DD (the declined-controls schedule states the date)")
    profile = profile_from_mapping(answers.mapping(), source=source)
    loaded = LoadedProfile(profile=profile, source=source, sha256="")
    select(library, loaded)
    return loaded


def default_path(legal_name: str, folder: Path) -> Path:
    """`folder/<readable-name>.yaml`: the client's slug without its hash, which only keeps output folders apart."""
    slug = slugify(legal_name)
    readable = re.sub(r"-[0-9a-f]{6}$", "", slug)
    return folder / f"{readable}.yaml"


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _line(indent: int, key: str, value: Any, comment: str = "") -> str:
    line = f"{'  ' * indent}{key}: {_scalar(value)}"
    return f"{line}  # {comment}" if comment else line


def profile_text(answers: Answers, library: Library, *, written_on: date) -> str:
    """The profile as commented YAML: the tier and industry named, defaults and overrides explained."""
    manifest = library.manifest
    data = answers.mapping()
    client = data["client"]
    out = [f"# Client profile written by `msa new` on {written_on.isoformat()} for clause library "
           f"{manifest.name} {manifest.version}.",
           "# Check it with `msa explain FILE`; build it with `msa build FILE`. Shape: see the README.",
           "client:", _line(1, "legal_name", client["legal_name"]),
           _line(1, "jurisdiction", client["jurisdiction"], "the state whose law governs the agreement"),
           _line(1, "address", client["address"], "where notices go")]
    if "entity" in client:
        out.append(_line(1, "entity", client["entity"]))
    out.append("  signatory:  # who signs for the client")
    out += [_line(2, key, client["signatory"][key]) for key in ("name", "title", "email")]
    if "authority" in client["signatory"]:
        out.append(_line(2, "authority", client["signatory"]["authority"], "their authority to bind the client"))
    out.append(_line(1, "users", client["users"]))
    tier, industry = data["tier"], data["industry"]
    out.append(_line(0, "tier", tier, manifest.tiers[tier].name))
    out.append(_line(0, "industry", industry, manifest.industries[industry].name))
    out.append(_line(0, "effective_date", data["effective_date"]))
    if "agreement_id" in data:
        out.append(_line(0, "agreement_id", data["agreement_id"]))
    defaults = [f"{cid} {c.defaults[tier]}" for cid, c in manifest.controls.items() if cid not in answers.controls]
    out.append("# Controls decided for this client; any control not listed takes the tier's default")
    out.append("# (" + ", ".join(defaults) + ").")
    controls = []
    for cid, answer in answers.controls.items():
        name = manifest.controls[cid].name
        entry = _control_entry(answer)
        if isinstance(entry, str):
            controls.append(_line(1, cid, answer.status, name))
            continue
        if answer.status == "client_managed":
            controls.append(f"  {cid}:  # {name}: operated by the client, who attested that it is in place")
            controls += [_line(2, key, value) for key, value in entry.items()]
            continue
        controls.append(f"  {cid}:  # {name}: declined, so it is outside the Services and its risk is the client's")
        controls += [_line(2, key, value) for key, value in _control_entry(answer).items()]
    out += _mapping("controls", controls)
    out.append("# Parameter overrides: each one is a deviation from the library, flagged in the review memo.")
    out += _mapping("params", [_line(1, name, value, manifest.parameters[name].description)
                               for name, value in answers.params.items()])
    return "\n".join(out) + "\n"


def _mapping(key: str, lines: list[str]) -> list[str]:
    return [f"{key}:", *lines] if lines else [f"{key}: {{}}"]


def answers_from_mapping(data: dict[str, Any]) -> Answers:
    """The answers a profile mapping holds (a web form's or a profile read back to be edited).

    Only what `msa new` writes is carried: the fields, each control's status with its decline
    record or its client-managed attestation, and parameter overrides; `profile_text` writes them.
    """
    answers = Answers()
    for spec in FIELDS:
        node: Any = data
        for part in spec.path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None and node != "":
            answers.values[spec.path] = node
    for cid, entry in (data.get("controls") or {}).items():
        if isinstance(entry, dict):
            answers.controls[cid] = ControlAnswer(entry.get("status", ""), entry.get("offered"), entry.get("reason"),
                                                  entry.get("managed_by"), entry.get("attestation"))
        else:
            answers.controls[cid] = ControlAnswer(str(entry))
    answers.params.update(data.get("params") or {})
    return answers


def write_new_profile(answers: Answers, library: Library, path: Path, *, written_on: date,
                      replace: bool = False) -> Path:
    """Check the answers, write them to `path` (over an existing file only with `replace`) and return it."""
    if path.exists() and not replace:
        raise ProfileError("a file is already there; `msa new` never overwrites", file=str(path),
                           hint="choose another -o PATH, or edit that profile instead")
    check_profile_answers(answers, library, source=str(path))
    text = profile_text(answers, library, written_on=written_on)
    read = parse_yaml(text, source=str(path), error=ProfileError)
    if profile_from_mapping(read, source=str(path)) != profile_from_mapping(answers.mapping(), source=str(path)):
        raise MsaError("internal error: the written profile does not read back as the answers", file=str(path))
    atomic_write(path, text.encode("utf-8"))
    return path
