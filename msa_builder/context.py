"""The variables a clause body can print, built once per agreement from the selection."""

from __future__ import annotations

from datetime import date
from typing import Any

from .library.model import Library, Manifest
from .profile import Profile, Provider, agreement_id_for
from .selection import ControlState, Selection

CONTEXT_NAMES = ("client", "provider", "agreement", "tier", "tier_name", "industry", "industry_name",
                 "params", "controls", "declined", "in_force")

AGREEMENT_FIELDS = ("id", "title", "effective_date", "library_version")

_STATUS_LABELS = {"accepted": "Accepted", "declined": "Declined by the Client",
                  "client_managed": "Managed by the Client"}
_RESPONSIBLE = {"provider": "Provider", "client": "Client", "shared": "Shared"}


def long_date(day: date) -> str:
    """`December 1, 2026`: the form contracts use, independent of the machine's locale."""
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
    return f"{months[day.month - 1]} {day.day}, {day.year}"


def control_row(manifest: Manifest, tier: str, state: ControlState) -> dict[str, Any]:
    """One row of the responsibility matrix: who does what for this control, given its status."""
    control = manifest.controls[state.id]
    responsibility = control.responsibility[tier]
    provider_duties, client_duties = control.provider_duties, control.client_duties
    if state.status == "declined":
        responsibility = "client"
        provider_duties = "None: the Client declined this control and keeps its risk."
        client_duties = "Bears the risk of going without this control; may adopt it at any time by Change Order."
    elif state.status == "client_managed" or responsibility == "client":
        responsibility = "client"
        provider_duties = "None, beyond advice on request."
        client_duties = f"Operates this control itself: {control.description[0].lower()}{control.description[1:]}"
    return {
        "id": state.id,
        "name": control.name,
        "description": control.description,
        "status": state.status,
        "status_label": _STATUS_LABELS[state.status],
        "responsibility": _RESPONSIBLE[responsibility],
        "provider_duties": provider_duties,
        "client_duties": client_duties,
    }


def declined_row(manifest: Manifest, state: ControlState, effective_date: date) -> dict[str, Any]:
    """One entry of the declined-controls schedule."""
    control = manifest.controls[state.id]
    offered = long_date(state.offered) if state.offered else (
        f"{long_date(effective_date)}, with this Agreement")
    return {
        "id": state.id,
        "name": control.name,
        "description": control.description,
        "offered": offered,
        "reason": state.reason or "No reason was given.",
        "risk": control.risk,
        "consequence": control.consequence,
    }


def agreement_values(profile: Profile, manifest: Manifest) -> dict[str, Any]:
    """The `agreement` names a clause body may print: its id, title, date and library version."""
    return {
        "id": agreement_id_for(profile),
        "title": manifest.agreement_title,
        "effective_date": long_date(profile.effective_date),
        "library_version": manifest.version,
    }


def clause_context(selection: Selection, provider: Provider) -> dict[str, Any]:
    """Every name a clause body may use; see the library README (msa_builder/data/clause_library/README.md) for the list."""
    profile = selection.profile
    manifest = selection.library.manifest
    controls = [control_row(manifest, profile.tier, s) for s in selection.controls]
    return {
        "client": profile.client.model_dump(mode="json"),
        "provider": provider.model_dump(mode="json"),
        "agreement": agreement_values(profile, manifest),
        "tier": profile.tier,
        "tier_name": manifest.tiers[profile.tier].name,
        "industry": profile.industry,
        "industry_name": manifest.industries[profile.industry].name,
        "params": {name: p.display for name, p in selection.params.items()},
        "controls": controls,
        "declined": [declined_row(manifest, s, profile.effective_date) for s in selection.declined],
        "in_force": [c for c in controls if c["status"] != "declined"],
    }


def sample_context(library: Library, scenario: dict[str, Any] | None = None) -> dict[str, Any]:
    """A clause context for a made-up client, for rendering a clause without a real profile.

    Lint renders every body against it, and `msa diff` fills variables from it when no `--profile`
    is given. By default every control is declined, so every `{% for %}` over controls runs, and
    parameters take the library's defaults; `scenario` (tier, industry, control statuses) varies it.
    """
    manifest = library.manifest
    tier = scenario["tier"] if scenario else next(iter(manifest.tiers))
    industry = scenario["industry"] if scenario else next(iter(manifest.industries))
    statuses = scenario["controls"] if scenario else {cid: "declined" for cid in manifest.controls}
    person = {"name": "Sample Signer", "title": "Owner", "email": "signer@example.com"}
    states = [ControlState(cid, c.name, statuses[cid], "profile", None, None,
                           "limit" if statuses[cid] == "declined" else None)
              for cid, c in manifest.controls.items()]
    controls = [control_row(manifest, tier, s) for s in states]
    declined = [declined_row(manifest, s, date(2026, 1, 1)) for s in states if s.status == "declined"]
    return {
        "client": {"legal_name": "Sample Client LLC", "jurisdiction": "Ohio", "address": "1 Main St",
                   "users": 10, "entity": "an Ohio limited liability company", "signatory": person},
        "provider": {"legal_name": "Sample Provider LLC", "organization": "a Delaware limited liability company",
                     "address": "2 Main St", "notice_email": "notices@example.com",
                     "website": "example.com", "signatory": person},
        "agreement": {"id": "MSA-SAMPLE", "title": manifest.agreement_title,
                      "effective_date": "January 1, 2026", "library_version": manifest.version},
        "tier": tier, "tier_name": manifest.tiers[tier].name,
        "industry": industry, "industry_name": manifest.industries[industry].name,
        "params": {n: p.display(p.default) for n, p in manifest.parameters.items()},
        "controls": controls,
        "declined": declined,
        "in_force": [c for c in controls if c["status"] != "declined"],
    }
