"""The declined-control record invents nothing, and a risk acceptance needs someone who can give it."""

from __future__ import annotations

from datetime import date

import pytest

from msa_builder.batch.csv_rows import read_csv
from msa_builder.errors import ProfileError
from msa_builder.profile import profile_from_mapping
from msa_builder.selection import select

TRAINING = "security_training"


def _decline(harbor_data, **record):
    harbor_data["controls"][TRAINING] = {"status": "declined", **record}
    return harbor_data


def test_a_decline_without_its_offer_date_names_the_field(shipped_library, harbor_data, make_profile):
    harbor_data["controls"][TRAINING] = "declined"
    with pytest.raises(ProfileError) as caught:
        select(shipped_library, make_profile(harbor_data, source="firm.yaml"))
    assert (caught.value.file, caught.value.field) == ("firm.yaml", f"controls.{TRAINING}.offered")
    assert "never states a date the profile does not give" in caught.value.message
    assert "long form" in caught.value.hint


@pytest.mark.parametrize("record, field, words", [
    ({"offered": "2026-12-02"}, "offered", "after the agreement date"),
    ({"offered": "2026-10-14", "date_declined": "2026-10-01"}, "date_declined", "before the offer"),
    ({"offered": "2026-10-14", "date_declined": "2026-12-05"}, "date_declined", "after the agreement date"),
    ({"offered": "2026-10-14", "review_by": "2026-12-01"}, "review_by", "must be after the agreement date"),
])
def test_impossible_record_dates_are_errors(record, field, words, shipped_library, harbor_data, make_profile):
    with pytest.raises(ProfileError) as caught:
        select(shipped_library, make_profile(_decline(harbor_data, **record)))
    assert caught.value.field == f"controls.{TRAINING}.{field}"
    assert words in caught.value.message


def test_the_record_prints_what_the_profile_gives_and_nothing_else(shipped_library, harbor_data, make_profile,
                                                                  provider):
    from msa_builder.assemble import assemble

    harbor_data["controls"][TRAINING] = {"status": "declined", "offered": "2026-10-14"}
    agreement = assemble(select(shipped_library, make_profile(harbor_data)), provider)
    text = "\n".join(agreement.text_lines())
    assert "Offered by the Provider: October 14, 2026." in text
    assert "2026, with this Agreement" not in text  # the 2026.11 code made that date up
    assert "Price quoted" not in text
    assert "Declined by the Client: by signing this schedule." in text
    assert "Covered Assets the decline covers: all Covered Assets." in text
    full = assemble(select(shipped_library, make_profile(_decline(
        harbor_data, offered="2026-10-14", date_declined="2026-10-28", quoted_price=540, channel="written proposal",
        scope=["the partners' laptops"], review_by="2027-06-01"))), provider)
    text = "\n".join(full.text_lines())
    for line in ("Offered by the Provider: October 14, 2026, in a written proposal.", "Price quoted: $540.",
                 "Declined by the Client: October 28, 2026.", "Covered Assets the decline covers: the partners' laptops.",
                 "and in any case by June 1, 2027"):
        assert line in text


@pytest.mark.parametrize("signatory, field, words", [
    ({"authority": None}, "client.signatory.authority", "authority must be recorded"),
    ({"authority": "delegate"}, "client.signatory.delegated_by", "a delegate signs only"),
    ({"title": "Front Desk Receptionist", "authority": "officer"}, "client.signatory.title", "not a title"),
    ({"title": "Executive Assistant to the Partners", "authority": "partner"}, "client.signatory.title", "not a title"),
])
def test_a_risk_acceptance_needs_recorded_authority(signatory, field, words, shipped_library, harbor_data,
                                                    make_profile):
    harbor_data["client"]["signatory"].update(signatory)
    if signatory.get("authority", "x") is None:
        del harbor_data["client"]["signatory"]["authority"]
    with pytest.raises(ProfileError) as caught:
        select(shipped_library, make_profile(harbor_data))
    assert caught.value.field == field and words in caught.value.message


def test_authority_is_not_needed_when_no_risk_is_accepted(shipped_library, harbor_data, make_profile):
    del harbor_data["client"]["signatory"]["authority"]
    harbor_data["client"]["signatory"]["title"] = "Receptionist"
    harbor_data["controls"] = {"mfa": "accepted", "backup": "accepted", "edr": "accepted"}
    assert select(shipped_library, make_profile(harbor_data)).declined == []


def test_the_authority_is_validated_as_a_closed_list(harbor_data):
    harbor_data["client"]["signatory"]["authority"] = "boss"
    with pytest.raises(ProfileError) as caught:
        profile_from_mapping(harbor_data, source="p.yaml")
    assert caught.value.field == "client.signatory.authority"


def test_an_attestation_after_the_agreement_date_is_an_error(shipped_library, harbor_data, make_profile):
    harbor_data["controls"]["mfa"] = {"status": "client_managed", "managed_by": "IT", "attestation": "2027-01-01"}
    with pytest.raises(ProfileError) as caught:
        select(shipped_library, make_profile(harbor_data))
    assert caught.value.field == "controls.mfa.attestation"


HEADER = ("client.legal_name,client.jurisdiction,client.address,client.users,client.signatory.name,"
          "client.signatory.title,client.signatory.email,client.signatory.authority,tier,industry,effective_date,"
          "controls.patching.status,controls.patching.offered,controls.patching.scope,controls.patching.quoted_price,"
          "regulators\n")


def test_csv_rows_carry_the_record_and_name_the_missing_column(tmp_path, shipped_library, make_profile):
    path = tmp_path / "clients.csv"
    path.write_text(HEADER
                    + 'A LLC,Ohio,1 Main St,5,Pat,Owner,p@a.example,owner,essentials,general,2026-12-01,declined,'
                      '2026-11-01,laptops; the file server,"$1,200",\n'
                    + "B LLC,Ohio,1 Main St,5,Pat,Owner,p@b.example,owner,essentials,finance,2026-12-01,declined,,,,"
                      "ncua\n", encoding="utf-8")
    rows = list(read_csv(path, shipped_library.manifest))
    record = rows[0].data["controls"]["patching"]
    assert record == {"status": "declined", "offered": date(2026, 11, 1), "scope": ["laptops", "the file server"],
                      "quoted_price": 1200}
    assert rows[1].data["regulators"] == ["ncua"]
    with pytest.raises(ProfileError) as caught:
        select(shipped_library, make_profile(rows[1].data, source=rows[1].label))
    assert caught.value.file.endswith("clients.csv:row 3")
    assert caught.value.field == "controls.patching.offered"
