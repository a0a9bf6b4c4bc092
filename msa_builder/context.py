"""The variables a clause body can print, built once per agreement from the selection.

Every word these variables carry comes from the profile, the provider file or versioned library
content (the control catalogue, the manifest's parameters and state names): nothing printed is
written here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .library.catalogue import CatalogueVersion, catalogue_for, newest
from .library.model import Library, Manifest
from .library.paramtypes import display
from .profile import Provider
from .selection import ControlState, Selection
from .terms import Terms, agreement_terms, instrument_id

CONTEXT_NAMES = ("client", "provider", "agreement", "tier", "tier_name", "industry", "industry_name",
                 "params", "controls", "declined", "in_force", "required", "law", "regulators")
AGREEMENT_FIELDS = ("id", "title", "effective_date", "library_version")


def long_date(day: date) -> str:
    """`December 1, 2026`: the form contracts use, independent of the machine's locale."""
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
    return f"{months[day.month - 1]} {day.day}, {day.year}"


def control_row(manifest: Manifest, catalogue: CatalogueVersion, tier: str, state: ControlState) -> dict[str, Any]:
    """One row of the responsibility matrix: who does what for this control, given its status."""
    text = catalogue.control(state.id)
    labels = catalogue.doc.labels
    responsibility = manifest.controls[state.id].responsibility[tier]
    provider_duties, client_duties = text.provider_duties, text.client_duties
    if state.status == "declined":
        responsibility = "client"
        provider_duties, client_duties = labels.declined_provider_duties, labels.declined_client_duties
    elif state.status == "client_managed" or responsibility == "client":
        responsibility = "client"
        provider_duties, client_duties = labels.client_managed_provider_duties, text.client_managed_duties
    record = state.record
    return {
        "id": state.id,
        "name": text.name,
        "description": text.description,
        "status": state.status,
        "status_label": labels.status[state.status],
        "responsibility": labels.responsibility[responsibility],
        "provider_duties": provider_duties,
        "client_duties": client_duties,
        "required": state.required,
        "managed_by": record.managed_by if record and state.status == "client_managed" else None,
        "attestation": long_date(record.attestation) if record and record.attestation
        and state.status == "client_managed" else None,
    }


def _scope(catalogue: CatalogueVersion, scope: str | list[str]) -> str:
    return catalogue.doc.labels.all_assets if scope == "all" else "; ".join(scope)


def declined_row(catalogue: CatalogueVersion, state: ControlState) -> dict[str, Any]:
    """One entry of the declined-controls record: only what the profile gives, never a made-up date."""
    text = catalogue.control(state.id)
    record = state.record
    offered = state.offered or (record.offered if record else None)
    return {
        "id": state.id,
        "name": text.name,
        "description": text.description,
        "offered": long_date(offered) if offered else None,
        "reason": state.reason or catalogue.doc.labels.no_reason,
        "risk": text.risk,
        "consequence": text.consequence,
        "date_declined": long_date(record.date_declined) if record and record.date_declined else None,
        "scope": _scope(catalogue, record.scope if record else "all"),
        "scoped": bool(record and record.scope != "all"),
        "quoted_price": display("money", record.quoted_price) if record and record.quoted_price is not None
        else None,
        "review_by": long_date(record.review_by) if record and record.review_by else None,
        "channel": record.channel if record else None,
    }


def law_context(manifest: Manifest, provider_law: str | None, provider_venue: str | None,
                client_state: str) -> dict[str, Any]:
    """Governing law and venue (the provider's choice), and the client state's pack."""
    jurisdictions = manifest.jurisdictions
    governing = provider_law or client_state
    pack = jurisdictions.pack_for(client_state)
    return {
        "governing": governing,
        "governing_name": jurisdictions.formal_name(governing),
        "venue": provider_venue,
        "chosen": provider_law is not None,
        "client_state": client_state,
        "client_state_name": jurisdictions.formal_name(client_state),
        "pack": pack[0] if pack else "generic",
    }


def printed_values(selection: Selection, provider: Provider) -> dict[str, Any]:
    """Everything a clause body may print except the `agreement` names (its id is derived from these)."""
    profile = selection.profile
    library = selection.library
    manifest = library.manifest
    catalogue = selection.catalogue or catalogue_for(library.catalogue, selection.as_of, selection.allow_drafts,
                                                     location=library.location)
    controls = [control_row(manifest, catalogue, profile.tier, s) for s in selection.controls]
    return {
        "client": profile.client.model_dump(mode="json"),
        "provider": provider.model_dump(mode="json"),
        "tier": profile.tier,
        "tier_name": manifest.tiers[profile.tier].name,
        "industry": profile.industry,
        "industry_name": manifest.industries[profile.industry].name,
        "params": {name: p.display for name, p in selection.params.items()},
        "controls": controls,
        "declined": [declined_row(catalogue, s) for s in selection.declined],
        "in_force": [c for c in controls if c["status"] != "declined"],
        "required": [c for c in controls if c["required"]],
        "law": law_context(manifest, provider.governing_law, provider.venue, profile.client.jurisdiction),
        "regulators": list(profile.regulators),
    }


def agreement_values(selection: Selection, terms: Terms) -> dict[str, Any]:
    """The `agreement` names a clause body may print: its instrument id, title, date and library version."""
    manifest = selection.library.manifest
    return {
        "id": instrument_id(selection.profile, terms.sha256),
        "title": manifest.agreement_title,
        "effective_date": long_date(selection.profile.effective_date),
        "library_version": manifest.version,
    }


def clause_context(selection: Selection, provider: Provider) -> dict[str, Any]:
    """Every name a clause body may use; see the library README (msa_builder/data/clause_library/README.md) for the list."""
    values = printed_values(selection, provider)
    return {**values, "agreement": agreement_values(selection, agreement_terms(selection, values))}


def sample_context(library: Library, scenario: dict[str, Any] | None = None) -> dict[str, Any]:
    """A clause context for a made-up client, for rendering a clause without a real profile.

    Lint renders every body against it, and `msa diff` fills variables from it when no `--profile`
    is given. By default every control is declined, so every `{% for %}` over controls runs, and
    parameters take the library's defaults; `scenario` (tier, industry, control statuses,
    jurisdiction, required controls, regulators, parameter values) varies it.
    """
    from .profile import ControlDecision

    manifest = library.manifest
    scenario = scenario or {}
    tier = scenario.get("tier", next(iter(manifest.tiers)))
    industry = scenario.get("industry", next(iter(manifest.industries)))
    statuses = scenario.get("controls") or {cid: "declined" for cid in manifest.controls}
    required = set(scenario.get("required", ()))
    state = scenario.get("jurisdiction", "Ohio")
    catalogue = newest(library.catalogue)
    if catalogue is None:
        catalogue = catalogue_for(library.catalogue, date.max, location=library.location)  # raises: none at all
    person = {"name": "Sample Signer", "title": "Owner", "email": "signer@example.com", "authority": "owner",
              "delegated_by": None}
    offered = date(2025, 12, 1)
    states = [ControlState(cid, c.name, statuses[cid], "profile", offered if statuses[cid] == "declined" else None,
                           None, "limit" if statuses[cid] == "declined" else None,
                           record=ControlDecision(status=statuses[cid],
                                                  offered=offered if statuses[cid] == "declined" else None,
                                                  managed_by="the Client's IT manager"
                                                  if statuses[cid] == "client_managed" else None,
                                                  attestation=offered if statuses[cid] == "client_managed"
                                                  else None),
                           required=cid in required)
              for cid, c in manifest.controls.items()]
    controls = [control_row(manifest, catalogue, tier, s) for s in states]
    values = scenario.get("params") or {n: p.default for n, p in manifest.parameters.items()}
    return {
        "client": {"legal_name": "Sample Client LLC", "jurisdiction": state, "address": "1 Main St",
                   "users": 10, "entity": "a limited liability company", "signatory": person},
        "provider": {"legal_name": "Sample Provider LLC", "organization": "a Delaware limited liability company",
                     "address": "2 Main St", "notice_email": "notices@example.com",
                     "website": "example.com", "signatory": person, "governing_law": "Ohio",
                     "venue": "Franklin County, Ohio"},
        "agreement": {"id": "MSA-SAMPLE", "title": manifest.agreement_title,
                      "effective_date": "January 1, 2026", "library_version": manifest.version},
        "tier": tier, "tier_name": manifest.tiers[tier].name,
        "industry": industry, "industry_name": manifest.industries[industry].name,
        "params": {n: p.display(values[n]) for n, p in manifest.parameters.items()},
        "controls": controls,
        "declined": [declined_row(catalogue, s) for s in states if s.status == "declined"],
        "in_force": [c for c in controls if c["status"] != "declined"],
        "required": [c for c in controls if c["required"]],
        "law": law_context(manifest, "Ohio", "Franklin County, Ohio", state),
        "regulators": list(scenario.get("regulators", ())),
    }
