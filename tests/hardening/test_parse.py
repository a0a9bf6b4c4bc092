"""_parse.py: every hostile YAML or JSON text is our error with the file and a line or a field path."""

from __future__ import annotations

import json
import tracemalloc

import pytest

import msa_builder._parse as parse_module
from msa_builder._parse import MAX_DEPTH, parse_json, parse_yaml
from msa_builder.errors import LibraryError, ProfileError
from msa_builder.profile import load_profile

from .conftest import ALIAS_BOMB, harbor, refused

# -- YAML ----------------------------------------------------------------------------------------

def test_alias_bomb_is_refused_quickly_in_bounded_memory(tmp_path):
    tracemalloc.start()
    try:
        error = refused(tmp_path, harbor("params: {client_cyber_insurance_minimum: 3000000}", "params:\n" + ALIAS_BOMB))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "more than 100,000 values" in error.message and error.line is not None
    assert peak < 50 * 1024 * 1024


def test_a_few_aliases_are_still_fine():
    data = parse_yaml("a: &x [1, 2]\nb: *x\n", source="s.yaml", error=ProfileError)
    assert data == {"a": [1, 2], "b": [1, 2]}


def test_an_alias_to_itself_is_refused():
    with pytest.raises(ProfileError, match="refers to a value that contains it"):
        parse_yaml("a: &x [1, *x]\n", source="s.yaml", error=ProfileError)


@pytest.mark.parametrize("deep", ["[" * 100_000 + "]" * 100_000, "a:\n" + "".join("  " * i + "- \n" for i in range(1, 200)),
                                  "".join("  " * i + "k:\n" for i in range(100)) + "  " * 100 + "v\n",
                                  "- " * 5000 + "x\n", "{a: " * 10_000 + "1" + "}" * 10_000])
def test_deep_yaml_is_refused_without_crashing_the_interpreter(tmp_path, deep):
    error = refused(tmp_path, harbor("params: {client_cyber_insurance_minimum: 3000000}", f"params: {deep}")
                  if deep.startswith(("[", "{")) else deep)
    assert f"nested deeper than {MAX_DEPTH} levels" in error.message


@pytest.mark.parametrize("text, field, fragment", [
    (harbor("effective_date: 2026-12-01", "effective_date: 2026-02-30"), "effective_date", "'2026-02-30' is not a valid date"),
    (harbor("offered: 2026-10-14", "offered: 2026-13-01"), "controls.security_training.offered", "'2026-13-01' is not a valid date"),
    (harbor("effective_date: 2026-12-01", "effective_date: 2026-00-10"), "effective_date", "not a valid date"),
])
def test_impossible_yaml_dates_name_their_field(tmp_path, text, field, fragment):
    error = refused(tmp_path, text)
    assert error.field == field and fragment in error.message


@pytest.mark.parametrize("key", ["? [a, b]\n: 1\n", "? {a: 1}\n: 2\n", "[a, b]: 1\n"])
def test_complex_keys_are_refused(tmp_path, key):
    error = refused(tmp_path, harbor() + key)
    assert "a key must be a plain name" in error.message and error.line is not None


def _line_of(text: str) -> int:
    """The line of the sample that holds `text` (the sample's comments come and go)."""
    return next(i for i, line in enumerate(harbor().splitlines(), start=1) if text in line)


def test_huge_yaml_integer_is_refused_with_its_line(tmp_path):
    error = refused(tmp_path, harbor("users: 45", "users: " + "9" * 5000))
    assert "5,000 digits is too long" in error.message and error.line == _line_of("users: 45")


def test_yaml_merge_keys_and_python_tags_are_errors(tmp_path):
    assert "invalid YAML" in refused(tmp_path, harbor() + "x: &x {a: 1}\ny:\n  <<: *x\n").message
    assert "invalid YAML" in refused(tmp_path, harbor("users: 45", "users: !!python/object/apply:os.system [ls]")).message


@pytest.mark.parametrize("value", ["!!int abc", "!!int", "!!int 0x", "!!float abc", "!!float", "!!bool maybe",
                                   "!!map x", "!!map [a]", "!!omap [[a]]", "!!set [a]", "!!seq x", "!!str [a]"])
def test_a_value_that_does_not_match_its_explicit_tag(tmp_path, value):
    error = refused(tmp_path, harbor("users: 45", f"users: {value}"))
    assert error.message.startswith("invalid YAML") and error.line == _line_of("users: 45")


@pytest.mark.parametrize("value", ["!!timestamp", "!!timestamp x", "!!timestamp 2026-02-30"])
def test_a_tagged_timestamp_that_is_no_date_names_the_field(tmp_path, value):
    assert refused(tmp_path, harbor("effective_date: 2026-12-01", f"effective_date: {value}")).field == "effective_date"


def test_binary_is_not_text(tmp_path):
    error = refused(tmp_path, harbor("Harbor & Finch LLP", "!!binary SGFyYm9y"))
    assert error.field == "client.legal_name"


def test_front_matter_errors_name_the_file_line(tmp_path):
    with pytest.raises(LibraryError) as caught:
        parse_yaml("id: x\nid: y\n", source="c.md", error=LibraryError, first_line=2)
    assert caught.value.line == 3


# -- JSON ----------------------------------------------------------------------------------------

def _json_profile() -> dict:
    import yaml

    return json.loads(json.dumps(yaml.safe_load(harbor()), default=str))


def test_json_duplicate_keys_are_refused_not_last_wins(tmp_path):
    text = json.dumps(_json_profile())
    text = text.replace('"legal_name": "Harbor & Finch LLP"', '"legal_name": "Harbor & Finch LLP", "legal_name": "Evil Corp"')
    error = refused(tmp_path, text, "client.json")
    assert "duplicate key 'legal_name'" in error.message


def test_json_with_a_bom_is_read_like_yaml_and_csv(tmp_path):
    path = tmp_path / "client.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_json_profile()).encode())
    assert load_profile(path).profile.client.legal_name == "Harbor & Finch LLP"


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_json_is_refused(tmp_path, depth):
    data = _json_profile()
    text = json.dumps(data)[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    error = refused(tmp_path, text, "client.json")
    assert f"nested deeper than {MAX_DEPTH} levels" in error.message


def test_recursion_error_from_the_json_parser_becomes_our_error(monkeypatch):
    def deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(parse_module.json, "loads", deep)
    with pytest.raises(ProfileError, match="nested deeper"):
        parse_json("[]", source="x.json", error=ProfileError)


def test_lone_surrogate_in_json_names_the_field(tmp_path):
    text = json.dumps(_json_profile()).replace("Harbor & Finch LLP", "Harbor \\ud800 LLP")
    error = refused(tmp_path, text, "client.json")
    assert error.field == "client.legal_name" and "U+D800" in error.message


@pytest.mark.parametrize("value, fragment", [("NaN", "NaN is not a JSON value"), ("Infinity", "Infinity"),
                                             ("9" * 5000, "5,000 digits")])
def test_json_values_that_are_not_json_or_too_long(tmp_path, value, fragment):
    text = json.dumps(_json_profile()).replace("3000000", value)
    assert fragment in refused(tmp_path, text, "client.json").message


def test_surrogate_in_a_key_is_refused(tmp_path):
    text = json.dumps(_json_profile())[:-1] + ', "\\udc00": 1}'
    assert "a key must not contain U+DC00" in refused(tmp_path, text, "client.json").message


def test_every_bad_string_of_a_file_is_reported_at_once(tmp_path):
    data = _json_profile()
    data["client"]["legal_name"] = "A\u0085B"
    data["client"]["address"] = "x\ufffe"
    text = json.dumps(data)
    error = refused(tmp_path, text, "client.json")
    assert [p.field for p in error.problems] == ["client.legal_name", "client.address"]
