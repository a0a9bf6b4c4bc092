"""Legal bounds on parameters: an override beyond one is an error naming the rule, not a deviation."""

from __future__ import annotations

import pytest

from msa_builder.errors import LibraryError, ProfileError
from msa_builder.library.paramtypes import display
from msa_builder.selection import select

NOTICE_MAXIMUM = '    maximum: {value: 60, reason: "45 CFR 164.410(b) allows no more than 60 days"}\n'
FLOOR = """\
  notice_floor:
    type: money
    description: Floor.
    default: 500000
"""


def _bounded(mini):
    """The mini library with a legal maximum on notice_days and a floor parameter under the cover."""
    manifest = mini.files["library.yaml"]
    manifest = manifest.replace("    by_industry: {legal: 10}\n    combine: min\n",
                                "    by_industry: {legal: 10}\n    combine: min\n" + NOTICE_MAXIMUM)
    manifest = manifest.replace("    by_tier: {premium: 2000000}\n    combine: max\n",
                                "    by_tier: {premium: 2000000}\n    combine: max\n"
                                '    minimum: {parameter: notice_floor, reason: "the cover may not fall below its floor"}\n'
                                + FLOOR)
    mini.files["library.yaml"] = manifest
    return mini.load()


def test_an_override_beyond_a_legal_maximum_is_an_error_naming_the_rule(mini, mini_profile):
    library = _bounded(mini)
    with pytest.raises(ProfileError) as caught:
        select(library, mini_profile(params={"notice_days": 90}))
    assert caught.value.field == "params.notice_days"
    assert "90 days is more than the maximum of 60 days" in caught.value.message
    assert "164.410(b)" in caught.value.message


def test_an_override_within_the_bounds_is_still_a_deviation(mini, mini_profile):
    library = _bounded(mini)
    selection = select(library, mini_profile(params={"notice_days": 45}))
    assert [p.name for p in selection.deviations] == ["notice_days"]


def test_a_bound_can_be_another_parameter(mini, mini_profile):
    library = _bounded(mini)
    with pytest.raises(ProfileError, match=r"less than the minimum of notice_floor \(\$500,000\)"):
        select(library, mini_profile(params={"insurance_minimum": 100000}))
    # Raising the floor above the library's cover blames the override that broke the rule.
    with pytest.raises(ProfileError) as caught:
        select(library, mini_profile(params={"notice_floor": 5000000}))
    assert caught.value.field == "params.notice_floor"


def test_library_values_must_respect_their_own_bounds(mini):
    mini.files["library.yaml"] = mini.files["library.yaml"].replace(
        "    by_industry: {legal: 10}\n    combine: min\n",
        "    by_industry: {legal: 10}\n    combine: min\n    maximum: {value: 20, reason: policy}\n")
    with pytest.raises(LibraryError, match=r"default: 30 is beyond the maximum 20 \(policy\)"):
        mini.load()


def test_a_bound_needs_a_reason_and_one_limit(mini):
    mini.files["library.yaml"] = mini.files["library.yaml"].replace(
        "    combine: min\n", "    combine: min\n    maximum: {value: 20, parameter: insurance_minimum, reason: x}\n", 1)
    with pytest.raises(LibraryError, match="either a `value` or a `parameter`"):
        mini.load()


def test_business_days_read_as_the_defined_term():
    assert display("business_days", 10) == "10 Business Days"
    assert display("business_days", 1) == "1 Business Day"
