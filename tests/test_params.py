"""Parameters: where each value comes from, how sources combine, and how values read in a contract."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from msa_builder.errors import ProfileError
from msa_builder.library.model import ParameterDef
from msa_builder.library.paramtypes import check_value, display
from msa_builder.params import library_value, resolve_params
from msa_builder.profile import check_profile, load_profile

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.mark.parametrize("kind, value, shown", [
    ("money", 3000000, "$3,000,000"),
    ("money", 175, "$175"),
    ("money", 1234.5, "$1,234.50"),
    ("money", 2000000.0, "$2,000,000"),
    ("money", 0, "$0"),
    ("days", 30, "30 days"),
    ("days", 1, "1 day"),
    ("hours", 72, "72 hours"),
    ("hours", 1, "1 hour"),
    ("months", 12, "12 months"),
    ("years", 1, "1 year"),
    ("years", 6, "6 years"),
    ("percent", 1.5, "1.5%"),
    ("percent", 5, "5%"),
    ("percent", 100, "100%"),
    ("percent", Decimal("2.50"), "2.5%"),
    ("integer", 4, "4"),
    ("text", "quarterly", "quarterly"),
])
def test_display(kind, value, shown):
    assert display(kind, value) == shown


@pytest.mark.parametrize("kind, value", [
    ("money", 1), ("money", 2.5), ("percent", 0), ("percent", 100), ("days", 0), ("integer", 12),
    ("text", "annual"),
])
def test_valid_values(kind, value):
    assert check_value(kind, value) is None


@pytest.mark.parametrize("kind, value, problem", [
    ("money", -1, "must be a number of 0 or more"),
    ("money", "1000", "must be a number of 0 or more"),
    ("money", True, "must be a number of 0 or more"),
    ("money", float("nan"), "must be a number of 0 or more"),
    ("money", float("inf"), "must be a number of 0 or more"),
    ("percent", 101, "must be a percentage between 0 and 100"),
    ("days", 1.5, "must be a whole number of 0 or more"),
    ("days", -3, "must be a whole number of 0 or more"),
    ("hours", False, "must be a whole number of 0 or more"),
    ("integer", "4", "must be a whole number of 0 or more"),
    ("text", "", "must be non-empty text"),
    ("text", 5, "must be non-empty text"),
    ("text", "every {{ period }}", "must not contain template markers"),
])
def test_invalid_values(kind, value, problem):
    assert check_value(kind, value) == problem


def test_library_values_must_have_the_parameter_type():
    with pytest.raises(ValidationError, match=r"by_tier.gold: 'lots' must be a number"):
        ParameterDef(type="money", description="d", default=1, by_tier={"gold": "lots"})


def test_text_parameters_cannot_combine_by_max():
    with pytest.raises(ValidationError, match="text parameters can only combine with 'last'"):
        ParameterDef(type="text", description="d", default="a", combine="max")


# --- Combining default, tier, industry and user count --------------------------------------------


def _param(combine: str) -> ParameterDef:
    return ParameterDef(type="money", description="d", default=100, combine=combine,
                        by_tier={"gold": 200, "tin": 50},
                        by_industry={"bank": 150, "shop": 300},
                        by_users=[{"min": 50, "value": 250}, {"min": 500, "value": 400}])


@pytest.mark.parametrize("combine, tier, industry, users, expected", [
    # max: the strictest (largest) of the tier (or default) value, the industry and the users band
    ("max", "none", "none", 1, (100, "default")),
    ("max", "gold", "none", 1, (200, "tier")),
    ("max", "tin", "none", 1, (50, "tier")),
    ("max", "gold", "bank", 1, (200, "tier")),
    ("max", "tin", "bank", 1, (150, "industry")),
    ("max", "gold", "shop", 1, (300, "industry")),
    ("max", "gold", "bank", 50, (250, "users")),
    ("max", "gold", "bank", 499, (250, "users")),
    ("max", "gold", "bank", 500, (400, "users")),
    ("max", "gold", "shop", 60, (300, "industry")),
    # min: the smallest
    ("min", "gold", "bank", 1, (150, "industry")),
    ("min", "tin", "bank", 1, (50, "tier")),
    ("min", "none", "bank", 500, (100, "default")),
    # last: the most specific source present wins (users, then industry, then tier)
    ("last", "gold", "none", 1, (200, "tier")),
    ("last", "gold", "bank", 1, (150, "industry")),
    ("last", "gold", "bank", 50, (250, "users")),
    ("last", "tin", "none", 500, (400, "users")),
])
def test_library_value_combines_sources(combine, tier, industry, users, expected):
    assert library_value(_param(combine), tier, industry, users) == expected


def test_a_tie_keeps_the_earlier_source():
    param = ParameterDef(type="money", description="d", default=1, by_industry={"bank": 5},
                         by_users=[{"min": 10, "value": 5}], combine="max")
    assert library_value(param, "any", "bank", 20) == (5, "industry")


# --- The shipped library, resolved for real clients -----------------------------------------------


def _resolved(shipped_library, profile):
    return resolve_params(shipped_library.manifest, profile)


def test_harbor_finch_override_is_the_only_deviation(shipped_library):
    params = _resolved(shipped_library, load_profile(SAMPLES / "harbor-finch.yaml").profile)
    minimum = params["client_cyber_insurance_minimum"]
    assert (minimum.value, minimum.display, minimum.source) == (3000000, "$3,000,000", "override")
    assert (minimum.library_value, minimum.library_source) == (2000000, "industry")
    assert minimum.is_deviation
    assert [p.name for p in params.values() if p.is_deviation] == ["client_cyber_insurance_minimum"]
    assert params["breach_notice_hours"].display == "48 hours"
    assert params["confidentiality_survival_years"].display == "5 years"


def test_users_raise_the_insurance_minimum(shipped_library):
    params = _resolved(shipped_library, load_profile(SAMPLES / "buckeye-precision.yaml").profile)
    minimum = params["client_cyber_insurance_minimum"]
    assert (minimum.value, minimum.display, minimum.source) == (2000000, "$2,000,000", "users")
    assert not minimum.is_deviation


@pytest.mark.parametrize("tier, industry, users, name, shown, source", [
    ("managed", "general", 250, "client_cyber_insurance_minimum", "$5,000,000", "users"),
    ("managed", "general", 99, "client_cyber_insurance_minimum", "$1,000,000", "default"),
    ("security_plus", "general", 10, "client_cyber_insurance_minimum", "$2,000,000", "tier"),
    ("security_plus", "general", 10, "provider_cyber_limit", "$5,000,000", "tier"),
    ("managed", "defense", 10, "breach_notice_hours", "24 hours", "industry"),
    ("managed", "general", 10, "breach_notice_hours", "72 hours", "default"),
    ("managed", "healthcare", 10, "minimum_standard_cure_days", "15 days", "industry"),
    ("managed", "healthcare", 10, "confidentiality_survival_years", "6 years", "industry"),
    ("security_plus", "retail", 10, "backup_retention_days", "90 days", "tier"),
    ("security_plus", "retail", 10, "recovery_point_hours", "4 hours", "tier"),
    ("essentials", "general", 10, "qbr_cadence", "semiannual", "tier"),
    ("essentials", "general", 10, "liability_cap_months", "6 months", "tier"),
    ("break_fix", "general", 10, "sla_credit_percent", "0%", "tier"),
    ("managed", "general", 10, "late_fee_percent", "1.5%", "default"),
])
def test_shipped_parameter_values(tier, industry, users, name, shown, source, shipped_library, harbor_data,
                                  make_profile):
    harbor_data.update(tier=tier, industry=industry, params={})
    harbor_data["client"]["users"] = users
    params = _resolved(shipped_library, make_profile(harbor_data).profile)
    assert (params[name].display, params[name].source) == (shown, source)


def test_every_override_is_a_deviation_even_at_the_library_value(shipped_library, harbor_data, make_profile):
    harbor_data["params"] = {"client_cyber_insurance_minimum": 2000000, "cure_days": 15}
    params = _resolved(shipped_library, make_profile(harbor_data).profile)
    deviations = [p.name for p in params.values() if p.is_deviation]
    assert deviations == ["client_cyber_insurance_minimum", "cure_days"]  # manifest order
    assert params["client_cyber_insurance_minimum"].value == params["client_cyber_insurance_minimum"].library_value


def test_every_parameter_is_resolved_in_manifest_order(shipped_library):
    params = _resolved(shipped_library, load_profile(SAMPLES / "pine-tree-consulting.yaml").profile)
    assert list(params) == list(shipped_library.manifest.parameters)
    assert all(p.description for p in params.values())


@pytest.mark.parametrize("name, written, value, shown", [
    ("client_cyber_insurance_minimum", "$0", 0, "$0"),
    ("client_cyber_insurance_minimum", "$3,000,000", 3000000, "$3,000,000"),
    ("sla_credit_percent", "1.5%", 1.5, "1.5%"),
    ("insurance_proof_days", "45", 45, "45 days"),
])
def test_a_yaml_profile_may_write_values_as_the_csv_form_does(name, written, value, shown, shipped_library,
                                                              harbor_data, write_profile):
    harbor_data["params"] = {name: written}
    path = write_profile(harbor_data)
    profile = load_profile(path).profile
    assert profile.params[name] == written  # text in the file, as a person typed it
    check_profile(profile, shipped_library.manifest, source=str(path))
    resolved = _resolved(shipped_library, profile)[name]
    assert (resolved.value, resolved.display, resolved.source) == (value, shown, "override")


def test_money_text_that_is_no_amount_is_still_refused(shipped_library, harbor_data, write_profile):
    harbor_data["params"] = {"client_cyber_insurance_minimum": "$lots"}
    profile = load_profile(write_profile(harbor_data)).profile
    with pytest.raises(ProfileError) as caught:
        check_profile(profile, shipped_library.manifest, source="p.yaml")
    assert caught.value.field == "params.client_cyber_insurance_minimum"
    assert "'$lots' must be a number of 0 or more" in caught.value.message
