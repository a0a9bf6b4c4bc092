"""The declined-control record and the risk acceptance: what a profile must prove before a draft.

A declined control is a risk acceptance that an insurer or a court will read against the Provider
if it is thin or invented, so the record states only what the profile gives and refuses to go on
without the essentials: the date the control was offered (never the agreement date in its place),
a decline dated between that offer and the agreement, and a signatory whose authority is recorded
and whose title does not deny it (a "Receptionist" cannot accept a firm's risk).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .errors import ProfileError
from .library.model import Manifest
from .profile import AUTHORITIES, Profile

if TYPE_CHECKING:
    from .selection import ControlState



def check_records(manifest: Manifest, profile: Profile, controls: Sequence[ControlState], *, source: str) -> None:
    """Raise a ProfileError naming the field of the first record that is missing or impossible."""
    effective = profile.effective_date
    declined = [c for c in controls if c.status == "declined"]
    for state in declined:
        field = f"controls.{state.id}"
        record = state.record
        if record is None or record.offered is None:
            raise ProfileError(
                "a declined control needs the date the Provider offered it in writing; the agreement never "
                "states a date the profile does not give", file=source, field=f"{field}.offered",
                hint=f"use the long form: {state.id}: {{status: declined, offered: YYYY-MM-DD, reason: ...}} "
                     f"(in a CSV, the columns {field}.status and {field}.offered)")
        if record.offered > effective:
            raise ProfileError(f"offered {record.offered} is after the agreement date {effective}; a control "
                               "recorded as declined in this agreement must have been offered before it",
                               file=source, field=f"{field}.offered")
        if record.date_declined is not None:
            if record.date_declined < record.offered:
                raise ProfileError(f"date_declined {record.date_declined} is before the offer on {record.offered}",
                                   file=source, field=f"{field}.date_declined")
            if record.date_declined > effective:
                raise ProfileError(f"date_declined {record.date_declined} is after the agreement date {effective}",
                                   file=source, field=f"{field}.date_declined")
        if record.review_by is not None and record.review_by <= effective:
            raise ProfileError(f"review_by {record.review_by} must be after the agreement date {effective}",
                               file=source, field=f"{field}.review_by")
    for state in controls:
        record = state.record
        if state.status == "client_managed" and record is not None and record.attestation is not None \
                and record.attestation > effective:
            raise ProfileError(f"attestation {record.attestation} is after the agreement date {effective}",
                               file=source, field=f"controls.{state.id}.attestation")
    attested = [c for c in controls if c.status == "client_managed" and c.required]
    if declined or attested:
        check_authority(manifest, profile, source=source)


def check_authority(manifest: Manifest, profile: Profile, *, source: str) -> None:
    """The person who signs a risk acceptance must have recorded authority and a title that allows it."""
    signatory = profile.client.signatory
    if signatory.authority is None:
        raise ProfileError("the agreement records a risk the Client accepts (a declined or attested control), so "
                           "the signatory's authority must be recorded", file=source,
                           field="client.signatory.authority", allowed=AUTHORITIES)
    if signatory.authority == "delegate" and not signatory.delegated_by:
        raise ProfileError("a delegate signs only with the written authority of an owner or officer; name them",
                           file=source, field="client.signatory.delegated_by")
    title = signatory.title.casefold()
    for word in manifest.signatory_policy.non_authority_titles:
        if re.search(rf"(?<![\w]){re.escape(word.casefold())}(?![\w])", title):
            raise ProfileError(f"{signatory.title!r} is not a title that can accept a risk for the Client "
                               f"(authority {signatory.authority!r} notwithstanding); the risk acceptance must be "
                               "signed by an owner, officer or partner, or a person one of them authorized in "
                               "writing", file=source, field="client.signatory.title")
