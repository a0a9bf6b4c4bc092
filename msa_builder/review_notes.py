"""What the review memo asks counsel to decide about the law: the client state's pack, or its absence.

The notes themselves are library content (library.yaml `jurisdictions`), so a provider's counsel
words them; this module only decides which apply to a client.
"""

from __future__ import annotations

from .context import long_date
from .profile import Provider
from .selection import Selection


def legal_notes(selection: Selection, provider: Provider) -> list[str]:
    """Points of law a human must decide or confirm for this client, in memo order."""
    manifest = selection.library.manifest
    profile = selection.profile
    state = profile.client.jurisdiction
    jurisdictions = manifest.jurisdictions
    notes: list[str] = []
    pack = jurisdictions.pack_for(state)
    if pack is None:
        notes.append("Jurisdiction: " + jurisdictions.no_pack_note.format(state=state))
    else:
        notes += [f"Jurisdiction pack: {note}" for note in pack[1].notes]
    chosen = jurisdictions.pack_for(provider.governing_law) if provider.governing_law else None
    if chosen is not None and (pack is None or chosen[0] != pack[0]):
        notes.append(f"Governing law: the provider's chosen law, that of {jurisdictions.formal_name(provider.governing_law)}, "
                     f"has its own jurisdiction pack ({chosen[1].name}), but packs follow the client's state, so this "
                     f"draft has the {pack[1].name + ' pack' if pack else 'generic'} terms; decide whether these rules "
                     "of the chosen law apply as well: " + " ".join(chosen[1].notes))
    if provider.governing_law is None:
        notes.append(f"Governing law: the provider file names no governing_law or venue, so the law and courts of "
                     f"{jurisdictions.formal_name(state)} (the client's state) were used; decide the Provider's "
                     "own choice and record it in the provider file.")
    for control in selection.controls:
        record = control.record
        if control.required and control.status == "client_managed" and record is not None and record.attestation:
            notes.append(f"Attested control: {control.name} is non-negotiable and managed by the client "
                         f"({record.managed_by}), attested on {long_date(record.attestation)}; keep the signed "
                         "attestation on file and verify it at onboarding.")
    if profile.industry == "finance" and not profile.regulators:
        notes.append("Regulator: no regulator is recorded for this financial client, so the FTC Safeguards Rule terms "
                     f"were used; confirm it (profile field regulators: {', '.join(manifest.regulators)}).")
    if any(c.slot == "addendum.data_processing" and c.included for c in selection.choices):
        notes.append("Data processing addendum: confirm which state privacy laws apply to the client (for example "
                     "the CCPA/CPRA thresholds) and that the addendum's service-provider terms are wanted.")
    return notes
