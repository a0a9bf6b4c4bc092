"""Client profiles and the provider file: loading, validation, and errors that say what to fix."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from msa_builder.errors import ProfileError
from msa_builder.profile import (
    ControlDecision,
    agreement_id_for,
    check_profile,
    load_profile,
    load_provider,
    profile_from_mapping,
    slugify,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CLIENT_SAMPLES = sorted(p.name for p in SAMPLES.iterdir()
                        if p.suffix in (".yaml", ".json") and p.name != "provider.yaml")


def _check(path: Path, manifest) -> None:
    loaded = load_profile(path)
    check_profile(loaded.profile, manifest, source=loaded.source)


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_every_sample_profile_is_valid_for_the_shipped_library(name, shipped_library):
    loaded = load_profile(SAMPLES / name)
    check_profile(loaded.profile, shipped_library.manifest, source=loaded.source)
    assert loaded.source == str(SAMPLES / name)
    assert len(loaded.sha256) == 64
    assert loaded.profile.tier in shipped_library.manifest.tiers


def test_samples_cover_json_and_yaml():
    assert {Path(n).suffix for n in CLIENT_SAMPLES} == {".yaml", ".json"}


def test_json_profile_loads():
    profile = load_profile(SAMPLES / "granite-state-credit.json").profile
    assert profile.tier == "security_plus"
    assert profile.industry == "finance"
    assert profile.effective_date == date(2027, 2, 1)
    assert profile.client.users == 85


def test_provider_file_loads():
    provider, digest = load_provider(SAMPLES.parent / "msa_builder" / "data" / "provider.yaml")
    assert provider.legal_name == "Lakeshore Managed IT, LLC"
    assert provider.signatory.email == "morgan.ellis@lakeshore-it.example"
    assert len(digest) == 64


def test_profile_hash_is_of_the_file_bytes(write_profile, harbor_data):
    path = write_profile(harbor_data, "a.yaml")
    first = load_profile(path)
    assert first.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    harbor_data["client"]["users"] = 46
    assert load_profile(write_profile(harbor_data, "b.yaml")).sha256 != first.sha256


# --- Long and short control entries ------------------------------------------------------------


def test_long_form_control_entry_keeps_offered_date_and_reason(harbor_data):
    profile = profile_from_mapping(harbor_data, source="harbor.yaml")
    training = profile.decision("security_training")
    assert training == ControlDecision(status="declined", offered=date(2026, 10, 14), date_declined=date(2026, 10, 28),
                                       channel="written proposal", quoted_price=540, review_by=date(2027, 6, 1),
                                       reason="Partners will not take part in simulated phishing exercises.")
    assert training.scope == "all"


def test_short_form_control_entry_is_a_decision_without_details(harbor_data):
    profile = profile_from_mapping(harbor_data, source="harbor.yaml")
    assert profile.decision("edr") == ControlDecision(status="accepted")


def test_unlisted_control_has_no_decision(harbor_data):
    profile = profile_from_mapping(harbor_data, source="harbor.yaml")
    assert profile.decision("patching") is None


def test_long_form_without_optional_fields(harbor_data):
    harbor_data["controls"]["mfa"] = {"status": "client_managed"}
    profile = profile_from_mapping(harbor_data, source="harbor.yaml")
    assert profile.decision("mfa") == ControlDecision(status="client_managed")


# --- Errors: each names the file, the field path and, where there is a list, the allowed values --


def _set(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return change


def _drop(path: str):
    def change(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[part]
        del target[last]
    return change


TIERS = ("break_fix", "essentials", "managed", "co_managed", "security_plus")
STATUSES = ("accepted", "declined", "client_managed")

INVALID = [
    # id, change, field path, message fragment, allowed values that must be listed
    ("unknown tier", _set("tier", "platinum"), "tier", "'platinum' is not a tier", TIERS),
    ("unknown industry", _set("industry", "mining"), "industry", "'mining' is not an industry",
     ("general", "healthcare", "legal", "finance", "defense", "retail")),
    ("unknown control", _set("controls.firewall", "accepted"), "controls.firewall",
     "'firewall' is not a control", ("mfa", "edr", "backup", "privileged_access")),
    ("bad control status", _set("controls.edr", "maybe"), "controls.edr", "'maybe' is not allowed", STATUSES),
    ("bad long-form status", _set("controls.mfa", {"status": "maybe"}), "controls.mfa.status",
     "'maybe' is not allowed", STATUSES),
    ("unknown long-form key", _set("controls.mfa", {"status": "declined", "why": "x"}), "controls.mfa.why",
     "unknown field", ()),
    ("bad offered date", _set("controls.security_training.offered", "soon"), "controls.security_training.offered",
     "valid date", ()),
    ("bad decline date", _set("controls.security_training.date_declined", "soon"),
     "controls.security_training.date_declined", "valid date", ()),
    ("negative price", _set("controls.security_training.quoted_price", -5), "controls.security_training.quoted_price",
     "greater than or equal to 0", ()),
    ("empty scope", _set("controls.security_training.scope", []), "controls.security_training.scope",
     "at least one Covered Asset", ()),
    ("controls not a mapping", _set("controls", ["mfa"]), "controls", "valid dictionary", ()),
    ("users not a number", _set("client.users", "many"), "client.users", "valid integer", ()),
    ("users a boolean", _set("client.users", True), "client.users", "whole number of users", ()),
    ("users zero", _set("client.users", 0), "client.users", "greater than or equal to 1", ()),
    ("tier not text", _set("tier", 5), "tier", "valid string", ()),
    ("missing legal name", _drop("client.legal_name"), "client.legal_name", "required field is missing", ()),
    ("missing signatory email", _drop("client.signatory.email"), "client.signatory.email",
     "required field is missing", ()),
    ("missing effective date", _drop("effective_date"), "effective_date", "required field is missing", ()),
    ("bad effective date", _set("effective_date", "next tuesday"), "effective_date", "valid date", ()),
    ("bad email", _set("client.signatory.email", "dana"), "client.signatory.email", "email address", ()),
    ("jurisdiction abbreviated", _set("client.jurisdiction", "Calif"), "client.jurisdiction", "US state", ()),
    ("unknown top-level field", _set("colour", "blue"), "colour", "unknown field", ()),
    ("agreement id with a path", _set("agreement_id", "../etc"), "agreement_id", "pattern", ()),
    ("unknown parameter", _set("params.discount", 5), "params.discount", "'discount' is not a parameter",
     ("client_cyber_insurance_minimum", "cure_days")),
    ("money as text", _set("params.client_cyber_insurance_minimum", "lots"),
     "params.client_cyber_insurance_minimum", "must be a number", ()),
    ("money infinite", _set("params.client_cyber_insurance_minimum", float("inf")),
     "params.client_cyber_insurance_minimum", "must be a number", ()),
    ("negative days", _set("params.cure_days", -1), "params.cure_days", "whole number", ()),
    ("fractional days", _set("params.cure_days", 7.5), "params.cure_days", "whole number", ()),
    ("percent over 100", _set("params.late_fee_percent", 150), "params.late_fee_percent", "between 0 and 100", ()),
    ("template in a text parameter", _set("params.qbr_cadence", "{{ x }}"), "params.qbr_cadence",
     "template markers", ()),
]


@pytest.mark.parametrize("change, field, fragment, allowed", [case[1:] for case in INVALID],
                         ids=[case[0] for case in INVALID])
def test_invalid_profile_names_file_field_and_allowed_values(change, field, fragment, allowed, harbor_data,
                                                             write_profile, shipped_library):
    change(harbor_data)
    path = write_profile(harbor_data)
    with pytest.raises(ProfileError) as caught:
        _check(path, shipped_library.manifest)
    error = caught.value
    assert error.file == str(path)
    assert error.field == field
    assert fragment in error.message
    assert set(allowed) <= set(error.allowed)
    shown = error.format()
    assert shown.startswith(f"{path}: {field}: ")
    if allowed:
        assert "allowed: " in shown


def test_bool_users_is_not_read_as_one_user(harbor_data):
    harbor_data["client"]["users"] = True
    with pytest.raises(ProfileError):
        profile_from_mapping(harbor_data, source="p.yaml")


@pytest.mark.parametrize("field", ["client.legal_name", "client.address", "client.entity",
                                   "client.signatory.name", "client.signatory.title", "controls.security_training.reason"])
@pytest.mark.parametrize("marker", ["{{ provider.legal_name }}", "{% if true %}", "{# note #}", "a }} b", "a %} b"])
def test_client_data_that_looks_like_a_template_is_rejected(field, marker, harbor_data):
    _set(field, f"Harbor {marker} Finch")(harbor_data)
    with pytest.raises(ProfileError) as caught:
        profile_from_mapping(harbor_data, source="harbor.yaml")
    assert caught.value.field == field
    assert "template markers" in caught.value.message


def test_control_characters_are_rejected(harbor_data):
    harbor_data["client"]["legal_name"] = "Harbor\x07Finch"
    with pytest.raises(ProfileError) as caught:
        profile_from_mapping(harbor_data, source="harbor.yaml")
    assert caught.value.field == "client.legal_name"
    assert "control characters" in caught.value.message


def test_blank_text_is_rejected(harbor_data):
    harbor_data["client"]["address"] = "   "
    with pytest.raises(ProfileError) as caught:
        profile_from_mapping(harbor_data, source="harbor.yaml")
    assert caught.value.field == "client.address"


def test_client_text_is_kept_exactly_apart_from_outer_whitespace(harbor_data):
    name = "  Ñandú & <Søn> \"Q\" 'q' *x* |y| שלום 🎉  "
    harbor_data["client"]["legal_name"] = name
    profile = profile_from_mapping(harbor_data, source="harbor.yaml")
    assert profile.client.legal_name == name.strip()


def test_several_problems_are_all_reported(harbor_data):
    del harbor_data["client"]["legal_name"]
    del harbor_data["client"]["address"]
    with pytest.raises(ProfileError) as caught:
        profile_from_mapping(harbor_data, source="harbor.yaml")
    assert [p.field for p in caught.value.problems] == ["client.legal_name", "client.address"]
    assert "client.address: required field is missing" in caught.value.format()


# --- File-level problems --------------------------------------------------------------------------


def test_invalid_yaml_names_file_and_line(write_profile):
    path = write_profile("client:\n  legal_name: [Harbor\ntier: managed\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.file == str(path)
    assert caught.value.line is not None and caught.value.line >= 2
    assert caught.value.message.startswith("invalid YAML")


def test_duplicate_yaml_key_is_an_error_not_an_overwrite(write_profile):
    path = write_profile("tier: managed\ntier: essentials\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert "duplicate key 'tier'" in caught.value.message
    assert caught.value.line == 2


def test_invalid_json_names_file_and_line(write_profile):
    # CPython's JSON parser reports a trailing comma at the comma (3.13) or at the brace after it
    # (3.11, 3.12): either line is right, a missing one is not.
    path = write_profile('{\n  "tier": "managed",\n}\n', name="client.json")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.file == str(path)
    assert caught.value.line in (2, 3)
    assert caught.value.message.startswith("invalid JSON")


def test_json_profile_with_the_same_content_as_yaml_is_equal(harbor_data, write_profile):
    from_yaml = load_profile(write_profile(harbor_data, "h.yaml")).profile
    from_json = load_profile(write_profile(json.loads(json.dumps(harbor_data, default=str)), "h.json")).profile
    assert from_json == from_yaml


def test_profile_must_be_a_mapping(write_profile):
    path = write_profile("- tier: managed\n")
    with pytest.raises(ProfileError, match="must be a mapping of fields, not list"):
        load_profile(path)


def test_missing_profile_file(tmp_path):
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path / "nobody.yaml")
    assert caught.value.message == "client profile not found"
    assert caught.value.file == str(tmp_path / "nobody.yaml")


def test_profile_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("tier: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ProfileError, match="not UTF-8"):
        load_profile(path)


def test_invalid_provider_file_names_the_field(tmp_path):
    path = tmp_path / "provider.yaml"
    path.write_text((SAMPLES.parent / "msa_builder" / "data" / "provider.yaml").read_text().replace("legal@lakeshore-it.example", "legal"))
    with pytest.raises(ProfileError) as caught:
        load_provider(path)
    assert caught.value.field == "notice_email"
    assert caught.value.file == str(path)


def test_provider_file_without_a_website_is_refused_because_schedules_print_it(tmp_path):
    path = tmp_path / "provider.yaml"
    text = (SAMPLES.parent / "msa_builder" / "data" / "provider.yaml").read_text()
    path.write_text("\n".join(line for line in text.splitlines() if not line.startswith("website:")) + "\n")
    with pytest.raises(ProfileError) as caught:
        load_provider(path)
    assert caught.value.field == "website"
    assert caught.value.message == "required field is missing"


# --- Names derived from the profile ---------------------------------------------------------------


def test_agreement_id_is_derived_from_date_and_name_unless_given(harbor_data):
    derived = agreement_id_for(profile_from_mapping(harbor_data, source="h.yaml"))
    assert derived.startswith("MSA-20261201-") and len(derived) == len("MSA-20261201-") + 6
    harbor_data["agreement_id"] = "HF-2026-01"
    assert agreement_id_for(profile_from_mapping(harbor_data, source="h.yaml")) == "HF-2026-01"


@pytest.mark.parametrize("name, prefix", [
    ("Harbor & Finch LLP", "harbor-finch-llp-"),
    ("Café Crème S.A.", "cafe-creme-s-a-"),
    ("שלום 🎉", "client-"),
])
def test_slug_is_readable_and_filesystem_safe(name, prefix):
    slug = slugify(name)
    assert slug.startswith(prefix)
    assert all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in slug)


def test_names_that_fold_alike_get_different_slugs():
    assert slugify("A&B LLC") != slugify("A B LLC")
    assert slugify("A&B LLC") == slugify("A&B LLC")
