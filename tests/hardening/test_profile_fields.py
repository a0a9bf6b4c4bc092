"""profile.py and fieldtypes.py: no silently wrong value, and odd types in every field are clean errors."""

from __future__ import annotations

import copy
import math
import unicodedata
from datetime import date, datetime
from typing import Any

import pytest

from msa_builder.errors import ProfileError
from msa_builder.fieldtypes import character_problem, text_problem
from msa_builder.profile import Profile, Provider, profile_from_mapping, slugify

TEXT_FIELDS = ["client.legal_name", "client.address", "client.entity", "client.signatory.name",
               "client.signatory.title", "controls.security_training.reason"]
ONE_LINE_FIELDS = ["client.legal_name", "client.entity", "client.signatory.name", "client.signatory.title"]


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    node = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    return data


def _refused(data: dict[str, Any], field: str) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        profile_from_mapping(data, source="p.yaml")
    assert field in [p.field for p in caught.value.problems], caught.value.format()
    return caught.value


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\ud800", "\udfff", "\ufffe",
                                  "\uffff", "\U0001fffe", "\ufdd0", "\u202e", "\u2066"])
def test_characters_that_must_never_reach_a_contract_are_refused(harbor_data, field, char):
    error = _refused(_set(harbor_data, field, f"Harbor {char} Finch"), field)
    assert f"U+{ord(char):04X}" in error.format()


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("char", ["\x85", "\x1c", "\x1f", "\x0b", "\x0c"])
def test_control_characters_that_python_counts_as_whitespace_are_refused_at_the_edges_too(harbor_data, field, char):
    _refused(_set(harbor_data, field, f"Harbor Finch{char}"), field)
    _refused(_set(harbor_data, field, f"{char}Harbor Finch"), field)


def test_outer_whitespace_is_still_trimmed(harbor_data):
    profile = profile_from_mapping(_set(harbor_data, "client.legal_name", "  Harbor Finch LLP\n"), source="p")
    assert profile.client.legal_name == "Harbor Finch LLP"


@pytest.mark.parametrize("field", ONE_LINE_FIELDS)
@pytest.mark.parametrize("char", ["\n", "\r", "\t", "\u2028", "\u2029"])
def test_one_line_fields_refuse_line_breaks(harbor_data, field, char):
    assert "must be one line" in _refused(_set(harbor_data, field, f"Harbor{char}Finch"), field).message


@pytest.mark.parametrize("field", ["client.address", "controls.security_training.reason"])
def test_sentence_fields_may_break_lines(harbor_data, field):
    profile = profile_from_mapping(_set(harbor_data, field, "1 Market St\nSan Francisco"), source="p.yaml")
    assert "1 Market St\nSan Francisco" in (profile.client.address, profile.controls["security_training"].reason)


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200d\u2060", "\ufeff", " \u00a0 \u3000", "\u0301\u0301",
                                  "\u200e\u200f"])
def test_a_name_of_only_invisible_characters_is_refused(harbor_data, name):
    message = _refused(_set(harbor_data, "client.legal_name", name), "client.legal_name").message
    assert "visible character" in message or message == "must not be empty"


@pytest.mark.parametrize("name", ["Harbor\u200bFinch LLP", "شركة الأمل", "חברה בע\"מ", "Café 🚀 LLC",
                                  "\u200fשלום LLC", "👩\u200d⚖️ Counsel LLP"])
def test_real_names_in_any_script_are_kept(harbor_data, name):
    profile = profile_from_mapping(_set(harbor_data, "client.legal_name", name), source="p.yaml")
    assert profile.client.legal_name == unicodedata.normalize("NFC", name)


def test_names_are_normalised_to_nfc_so_one_client_is_one_folder(harbor_data):
    composed, decomposed = "Caf\u00e9 LLC", "Cafe\u0301 LLC"
    a = profile_from_mapping(_set(harbor_data, "client.legal_name", composed), source="a.yaml")
    b = profile_from_mapping(_set(harbor_data, "client.legal_name", decomposed), source="b.yaml")
    assert a.client.legal_name == b.client.legal_name == composed
    assert slugify(a.client.legal_name) == slugify(b.client.legal_name)
    assert profile_from_mapping(_set(harbor_data, "controls.security_training.reason", "na\u0303o"), source="c").controls[
        "security_training"].reason == "n\u00e3o"


def test_control_characters_are_refused_not_dropped(harbor_data):
    data = _set(harbor_data, "params", {"qbr_cadence": "quarterly\x01"})
    from msa_builder.library.paramtypes import check_value

    assert "control characters" in check_value("text", "quarterly\x01")
    assert check_value("text", "quarterly") is None
    assert data["params"]["qbr_cadence"].endswith("\x01")  # nothing was stripped on the way


@pytest.mark.parametrize("value", [0, 1790000000, 20261201, 1.5, float("nan"), True, [2026, 12, 1],
                                   {"year": 2026}, "2026-12-01T00:00:00", "20261201", "2026-W48-1", "12/01/2026",
                                   datetime(2026, 12, 1, 10, 0), "2026-02-30", ""])
def test_an_effective_date_must_be_a_date(harbor_data, value):
    error = _refused(_set(harbor_data, "effective_date", value), "effective_date")
    assert "date" in error.message


@pytest.mark.parametrize("value", [date(2026, 12, 1), "2026-12-01", " 2026-12-01 "])
def test_yaml_dates_and_iso_strings_are_dates(harbor_data, value):
    assert profile_from_mapping(_set(harbor_data, "effective_date", value), source="p").effective_date == date(2026, 12, 1)


def test_an_integer_offered_date_is_refused(harbor_data):
    _refused(_set(harbor_data, "controls.security_training.offered", 0), "controls.security_training.offered")


ODD_VALUES = [None, True, 0, -1, 10**30, 1.5, math.nan, math.inf, [], ["a"], {}, {"a": 1}, b"bytes", "",
              "x" * 100_000, date(2026, 1, 1), {"nested": [[[[1]]]]}]
FIELDS = ["client", "client.legal_name", "client.jurisdiction", "client.address", "client.entity", "client.users",
          "client.signatory", "client.signatory.name", "client.signatory.title", "client.signatory.email", "tier",
          "industry", "effective_date", "controls", "controls.security_training", "controls.security_training.status", "controls.security_training.offered",
          "controls.security_training.reason", "params", "agreement_id"]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_odd_types_in_every_field_are_a_clean_error_or_a_valid_profile(harbor_data, field, value):
    try:
        profile = profile_from_mapping(_set(harbor_data, field, value), source="p.yaml")
    except ProfileError as exc:
        text = exc.format()
        assert len(text) < 5_000 and len(text.splitlines()) <= 20
        return
    assert isinstance(profile, Profile)
    # What passed is what a contract may show: never a non-string where text goes.
    for text in (profile.client.legal_name, profile.client.address, profile.client.signatory.name):
        assert isinstance(text, str) and text_problem(text, one_line=False) is None


def test_the_provider_file_follows_the_same_rules():
    base = {"legal_name": "Northwind LLC", "organization": "a Maine LLC", "address": "1 Main St",
            "notice_email": "n@example.com", "signatory": {"name": "A B", "title": "CEO", "email": "a@example.com"},
            "website": "example.com"}
    assert Provider.model_validate(base).legal_name == "Northwind LLC"
    for field, value in [("legal_name", "North\x85wind"), ("website", "a\nb"), ("notice_email", "n@example.com\x07"),
                         ("organization", "\u200b")]:
        with pytest.raises(ValueError):
            Provider.model_validate({**base, field: value})


def test_character_problem_allows_ordinary_text():
    assert character_problem("Harbor & Finch LLP\t(tab)\nline") is None
    assert character_problem("\x85") is not None


def test_the_fast_check_agrees_with_character_problem_on_every_character():
    from msa_builder.fieldtypes import has_no_character_problem

    for code in range(0x110000):
        ch = chr(code)
        for text in (ch, f"Harbor {ch} Finch\t\n"):
            assert has_no_character_problem(text) == (character_problem(text) is None), hex(code)


def test_a_lock_with_a_control_character_still_names_its_field(tmp_path):
    from msa_builder._parse import parse_json

    text = '{"bom": {"client": "Harbor", "clauses": [{"key": "a"}, {"key": "b\\u0007"}]}}'
    with pytest.raises(ProfileError) as caught:
        parse_json(text, source="lock.json", error=ProfileError)
    assert caught.value.problems[0].field == "bom.clauses[1].key"
    assert "control characters" in caught.value.problems[0].message
