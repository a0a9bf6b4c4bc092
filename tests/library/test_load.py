"""Loading a clause library: the manifest, clause version files, their places, and release records."""

from __future__ import annotations

import pytest

from msa_builder.errors import LibraryError, MsaError
from msa_builder.library.load import load_library, parse_clause, split_front_matter
from msa_builder.library.loader import DictLoader, FileSystemLoader

DRAFT_AND_DATED = {
    "term.renewal": ["standard@1.0.0", "standard@1.1.0", "standard@2.0.0", "break_fix@1.0.0", "new_york@1.0.0"],
    "scope.out_of_scope": ["standard@1.0.0", "standard@1.1.0", "break_fix@1.0.0"],
    "security.declined_controls": ["declined@1.0.0", "declined@2.0.0", "declined@3.0.0", "none_declined@1.0.0",
                                   "none_declined@2.0.0"],
}


def test_shipped_library_loads(shipped_library):
    manifest = shipped_library.manifest
    assert manifest.name == "msa-builder-standard"
    assert len(shipped_library.slots) == 61
    assert len(shipped_library.versions()) == 136
    assert [c.version for c in shipped_library.catalogue] == ["1.0.0", "2.0.0"]
    assert {e.slot for _, e in manifest.outline.entries()} == set(shipped_library.slots)
    for slot_id, expected in DRAFT_AND_DATED.items():
        found = [f"{v.meta.variant}@{v.meta.version}" for var in shipped_library.slots[slot_id].variants.values()
                 for v in var.versions]
        assert sorted(found) == sorted(expected)


def test_versions_are_sorted_oldest_first_by_semver(shipped_library):
    for slot in shipped_library.slots.values():
        for variant in slot.variants.values():
            keys = [tuple(int(p) for p in v.meta.version.split(".")) for v in variant.versions]
            assert keys == sorted(keys)


def test_one_file_per_version_in_its_own_folder(shipped_library):
    for version in shipped_library.versions():
        meta = version.meta
        assert version.path == f"slots/{meta.id}/{meta.variant}/{meta.version}.md"


def test_the_draft_and_the_dated_versions(shipped_library):
    renewal = shipped_library.find("term.renewal", "standard", "1.1.0")
    assert renewal.meta.status == "draft"
    assert str(renewal.meta.effective) == "2026-09-01"
    for slot_id in ("scope.out_of_scope", "insurance.client_cyber", "liability.limitation",
                    "data.breach_notification", "governance.business_reviews"):
        variant = shipped_library.find(slot_id)
        assert [(v.meta.version, str(v.meta.effective)) for v in
                shipped_library.slots[slot_id].variants[variant.meta.variant].versions][:2] == [
            ("1.0.0", "2025-01-01"), ("1.1.0", "2026-06-01")], slot_id
    assert shipped_library.find("security.declined_controls", "declined").meta.version == "3.0.0"
    # 2026.12.0: every change of the legal review is a later version, effective 2026-12-01.
    for slot_id in ("insurance.client_cyber", "liability.limitation", "data.breach_notification"):
        newest = shipped_library.slots[slot_id].variants["standard"].versions[-1]
        assert (newest.meta.version, str(newest.meta.effective)) == ("2.0.0", "2026-12-01"), slot_id


def test_find(shipped_library):
    assert shipped_library.find("definitions.core").key == "definitions.core:standard@2.0.0"
    assert shipped_library.find("term.renewal").key == "term.renewal:standard@2.0.0"  # the newest, draft or not
    assert shipped_library.find("term.renewal", "standard", "1.1.0").meta.status == "draft"
    assert shipped_library.find("term.renewal", "break_fix").key == "term.renewal:break_fix@1.0.0"
    assert shipped_library.find("addendum.hipaa_baa").key == "addendum.hipaa_baa:healthcare@2.0.1"
    assert shipped_library.find("scope.out_of_scope", version="1.0.0").key == "scope.out_of_scope:standard@1.0.0"
    assert shipped_library.find("no.such") is None
    assert shipped_library.find("term.renewal", "gold") is None
    assert shipped_library.find("term.renewal", "standard", "9.9.9") is None


def test_defined_terms_map_to_their_first_definer(shipped_library):
    assert shipped_library.terms["Agreement"] == "agreement.parties:standard@1.0.0"
    assert "Client Data" in shipped_library.terms


def test_body_line_points_at_the_first_body_line(shipped_library):
    version = shipped_library.find("agreement.parties")
    raw = (version.path, version.body_line)
    text = (FileSystemLoader(shipped_library.location).read(version.path)).decode()
    assert text.splitlines()[version.body_line - 1] == version.body.splitlines()[0], raw


# --- Loaders ---------------------------------------------------------------------------------------


def test_file_system_loader_needs_a_manifest(tmp_path):
    with pytest.raises(LibraryError) as caught:
        FileSystemLoader(tmp_path)
    assert caught.value.message == "not a clause library: library.yaml is missing"
    assert caught.value.file == str(tmp_path)


def test_file_system_loader_skips_hidden_files(library_copy):
    (library_copy / ".git").mkdir()
    (library_copy / ".git" / "HEAD").write_text("ref")
    (library_copy / "slots" / ".DS_Store").write_text("x")
    files = FileSystemLoader(library_copy).list_files()
    assert not any(part.startswith(".") for f in files for part in f.split("/"))
    assert "library.yaml" in files and "released.json" in files


def test_dict_loader_reads_and_names_files():
    loader = DictLoader({"library.yaml": "name: x\n", "slots/a.b/c/1.0.0.md": b"---\n"}, location="<t>")
    assert loader.list_files() == ["library.yaml", "slots/a.b/c/1.0.0.md"]
    assert loader.read("library.yaml") == b"name: x\n"
    assert loader.describe("library.yaml") == "<t>/library.yaml"
    with pytest.raises(LibraryError, match="no such file"):
        loader.read("missing.md")


def test_the_library_can_be_loaded_from_a_copy_on_disk(mini, tmp_path):
    library = load_library(mini.write(tmp_path / "lib"))
    assert library.location == str(tmp_path / "lib")
    assert set(library.slots) == set(mini.load().slots)


# --- Clause files --------------------------------------------------------------------------------

GOOD = """\
---
id: terms.extra
variant: legal
version: 1.0.0
title: Extra
status: approved
effective: 2025-01-01
applies_when: "industry == 'legal'"
changelog: First release.
---
Body text.
"""
PATH = "slots/terms.extra/legal/1.0.0.md"


def parse(text: str, path: str = PATH):
    return parse_clause(path, text.encode("utf-8"), where=f"<t>/{path}")


def test_a_good_clause_file():
    clause = parse(GOOD)
    assert clause.key == "terms.extra:legal@1.0.0"
    assert clause.body == "Body text.\n"
    assert clause.body_line == 11
    assert clause.meta.precedence == 0 and clause.meta.variables == []


def test_windows_line_endings_are_accepted():
    assert parse(GOOD.replace("\n", "\r\n")).body == "Body text.\n"


@pytest.mark.parametrize("text, path, fragment, field", [
    (GOOD.replace("---\nid", "id", 1), PATH, "must start with '---'", None),
    (GOOD.replace("---\nBody", "Body"), PATH, "not closed", None),
    (GOOD.replace("id: terms.extra", "id: terms.other"), PATH, "'terms.other' does not match the file's place "
     "('terms.extra')", "id"),
    (GOOD.replace("variant: legal", "variant: general"), PATH, "does not match the file's place ('legal')",
     "variant"),
    (GOOD.replace("version: 1.0.0", "version: 1.1.0"), PATH, "does not match the file's place ('1.0.0')",
     "version"),
    (GOOD, "slots/terms.extra/1.0.0.md", "clause files live at slots/<slot>/<variant>/<version>.md", None),
    (GOOD.replace("version: 1.0.0", "version: '1.0'"), PATH, "semantic version", "version"),
    (GOOD.replace("status: approved", "status: published"), PATH, "'published' is not allowed", "status"),
    (GOOD.replace("changelog: First release.\n", ""), PATH, "required field is missing", "changelog"),
    (GOOD.replace("changelog:", "author: me\nchangelog:"), PATH, "unknown field", "author"),
    (GOOD.replace("title: Extra", "title: '  '"), PATH, "must not be empty", "title"),
    (GOOD.replace("effective: 2025-01-01", "effective: soon"), PATH, "valid date", "effective"),
    (GOOD.replace("id: terms.extra", "id: Terms Extra"), PATH, "dotted lower-case words", "id"),
    (GOOD.replace("title: Extra", "title: [Extra"), PATH, "invalid YAML", None),
    (GOOD.replace("Body text.\n", "  \n"), PATH, "the clause body is empty", None),
])
def test_clause_file_problems_are_library_errors(text, path, fragment, field):
    with pytest.raises(LibraryError) as caught:
        parse(text, path)
    assert fragment in caught.value.message
    assert caught.value.field == field
    assert caught.value.file == f"<t>/{path}"


def test_status_error_lists_the_allowed_statuses():
    with pytest.raises(LibraryError) as caught:
        parse(GOOD.replace("status: approved", "status: published"))
    assert caught.value.allowed == ("draft", "approved", "retired")


def test_clause_file_that_is_not_utf8():
    with pytest.raises(LibraryError, match="not UTF-8"):
        parse_clause(PATH, GOOD.encode("utf-8") + b"\xff", where="t")


def test_front_matter_split_reports_where_the_body_starts():
    front, body, line = split_front_matter("---\na: 1\nb: 2\n---\nBody\n", where="t")
    assert (front, body, line) == ("a: 1\nb: 2\n", "Body\n", 5)


# --- Whole-library problems ----------------------------------------------------------------------


def test_load_raises_the_first_problem_by_default(mini):
    mini.edit(mini.path("terms.extra", "legal"), "status: approved", "status: published")
    with pytest.raises(LibraryError, match="'published' is not allowed"):
        mini.load()


def test_load_can_collect_every_problem_instead(mini):
    mini.edit(mini.path("terms.extra", "legal"), "status: approved", "status: published")
    mini.edit(mini.path("terms.service", "basic"), "applies_when: tier == 'basic'", "applies_when: tier ==")
    problems: list[MsaError] = []
    library = load_library(mini.loader(), report=problems.append)
    messages = [p.message for p in problems]
    assert len(messages) == 3
    assert "'published' is not allowed" in messages[0]
    assert "is not a valid expression" in messages[1]
    assert "the outline names section slot 'terms.extra'" in messages[2]
    assert "terms.extra" not in library.slots  # its only file was bad
    assert list(library.slots["terms.service"].variants) == ["premium"]


def test_outline_slot_without_clause_files(mini):
    del mini.files[mini.path("terms.extra", "legal")]
    with pytest.raises(LibraryError) as caught:
        mini.load()
    assert "the outline names section slot 'terms.extra'" in caught.value.message
    assert caught.value.field == "outline"


@pytest.mark.parametrize("old, new, fragment", [
    ("tiers: [premium]", "tiers: [gold]", "refusal_policy.require[0].tiers: unknown tier 'gold'"),
    ("- control: mfa", "- control: vpn", "unknown control 'vpn'"),
    ("defaults: {basic: accepted, premium: accepted}", "defaults: {basic: accepted}",
     "controls.mfa.defaults must name every tier exactly"),
    ("by_industry: {legal: 10}", "by_industry: {mining: 10}", "unknown industry 'mining'"),
    ("by_industry: {legal: 10}", "by_industry: {legal: ten}", "'ten' must be a whole number"),
    ("        - {slot: terms.extra, optional: true}", "        - definitions.core", "appears twice"),
    ("        - terms.service", "        - Terms Service", "dotted lower-case words"),
    ("agreement_title: Services Agreement\n", "", "required field is missing"),
    ("name: mini", "name: [mini", "invalid YAML"),
])
def test_manifest_problems_are_library_errors(mini, old, new, fragment):
    mini.edit("library.yaml", old, new)
    with pytest.raises(LibraryError) as caught:
        mini.load()
    assert fragment in caught.value.message
    assert caught.value.file == "<mini>/library.yaml"


@pytest.mark.parametrize("record", ["[1, 2]", "{not json", '{"slots/a.md": 5}'])
def test_a_malformed_release_record_is_a_library_error(mini, record):
    mini.files["released.json"] = record
    with pytest.raises(LibraryError) as caught:
        mini.load()
    assert caught.value.file == "<mini>/released.json"


def test_a_library_without_a_release_record_loads_with_nothing_released(mini):
    del mini.files["released.json"]
    assert mini.load().released == {}


def test_files_outside_slots_and_non_markdown_files_are_ignored(mini):
    mini.files["README.md"] = "# Notes\n"
    mini.files["slots/terms.extra/legal/notes.txt"] = "scratch"
    assert len(mini.load().versions()) == len(MINI_VERSIONS)


MINI_VERSIONS = ["agreement.parties", "definitions.core", "terms.service:basic", "terms.service:premium",
                 "terms.extra", "agreement.signature", "schedule.declined"]


def test_the_2026_12_1_fixes_went_through_msa_library_approve(shipped_library):
    """Each version released after 2026.12.0 records who approved it and after which release."""
    for key in ("addendum.hipaa_baa:healthcare@2.0.1", "addendum.defense_dfars:defense@2.0.1",
                "addendum.data_processing:standard@1.1.0", "security.no_guarantee:standard@1.1.0",
                "schedule.insurance:standard@1.2.0"):
        slot_id, rest = key.split(":")
        variant, version = rest.split("@")
        meta = shipped_library.find(slot_id, variant, version).meta
        assert (meta.status, meta.approved_after) == ("approved", "2026.12.0"), key
        assert meta.approved_by and meta.changelog, key
