"""library/: a hostile library is reported by lint and refused by load, never a hang or a traceback."""

from __future__ import annotations

import pytest

from msa_builder.errors import LibraryError
from msa_builder.library.load import load_library
from msa_builder.library.loader import DictLoader

TERMS_EXTRA = "slots/terms.extra/legal/1.0.0.md"


@pytest.mark.parametrize("body", ["{{ 10 ** (10 ** 10) }}\n", "{{ 'a' * 10**9 }}\n",
                                  "{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}\n"])
def test_lint_reports_a_runaway_clause_instead_of_hanging(mini, body):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'", body=body)
    mini.release()
    errors = [f for f in mini.errors() if f.file.endswith(TERMS_EXTRA)]
    assert errors, mini.lint()
    assert any("terms.extra:legal@1.0.0" in f.message for f in errors)


def test_lint_reports_a_runaway_rule(mini):
    mini.edit(TERMS_EXTRA, "applies_when: industry == 'legal'", "applies_when: 10 ** (10 ** 10) > 1")
    mini.release()
    assert any("too large a number" in f.message for f in mini.errors())


def test_a_manifest_that_is_not_utf8_names_its_line(mini):
    files = dict(mini.files)
    files["library.yaml"] = mini.files["library.yaml"].encode() + b"# caf\xe9\n"
    with pytest.raises(LibraryError) as caught:
        load_library(DictLoader(files, location="<t>"))
    assert "not UTF-8" in caught.value.message and caught.value.line == files["library.yaml"].count(b"\n")


@pytest.mark.parametrize("effective, fragment", [("2026-02-30", "not a valid date"), ("0", "must be a date"),
                                                 ("2026-12-01 10:00:00", "not a date and time")])
def test_an_impossible_clause_effective_date_names_the_field(mini, effective, fragment):
    mini.edit(TERMS_EXTRA, "effective: '2025-01-01'", f"effective: {effective}")
    problems = [f for f in mini.errors() if f.file.endswith(TERMS_EXTRA)]
    assert any(fragment in f.message for f in problems), mini.errors()


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x9b", "\ufffe"])
def test_a_clause_body_with_a_character_xml_cannot_hold_is_refused_with_its_line(mini, char):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'", body=f"First line.\n\nBad {char} here.\n")
    with pytest.raises(LibraryError) as caught:
        load_library(DictLoader(dict(mini.files), location="<t>"))
    assert f"U+{ord(char):04X}" in caught.value.message
    assert caught.value.line is not None and caught.value.line > 3


def test_an_alias_bomb_in_the_manifest_is_refused(mini):
    bomb = 'x-bomb:\n  a: &a ["l","l","l","l","l","l","l","l","l","l"]\n' + "".join(
        f"  {n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcdefg", "bcdefgh"))
    files = dict(mini.files, **{"library.yaml": mini.files["library.yaml"] + bomb})
    with pytest.raises(LibraryError, match="more than 100,000 values"):
        load_library(DictLoader(files, location="<t>"))


def test_a_release_record_with_duplicate_keys_is_refused(mini):
    files = dict(mini.files, **{"released.json": '{"a": "1", "a": "2"}'})
    with pytest.raises(LibraryError, match="duplicate key"):
        load_library(DictLoader(files, location="<t>"))
