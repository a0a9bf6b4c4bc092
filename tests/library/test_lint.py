"""`msa library lint`: clean on the shipped library, and each kind of break is found."""

from __future__ import annotations

import pytest

from msa_builder.linting import lint_library

TERMS_EXTRA = "slots/terms.extra/legal/1.0.0.md"
BASIC = "slots/terms.service/basic/1.0.0.md"
DEFINITIONS = "slots/definitions.core/standard/1.0.0.md"


def test_the_mini_library_is_clean(mini):
    # Every test below breaks this library in one way; it must start clean for them to mean anything.
    assert mini.lint() == []


# Each case: how to break the mini library, then the file and message of the error lint must report.


def schema_error(mini):
    mini.edit(TERMS_EXTRA, "status: approved", "status: published")


def missing_field(mini):
    mini.edit(TERMS_EXTRA, "changelog: First release.\n", "")


def wrong_folder(mini):
    mini.edit(TERMS_EXTRA, "variant: legal", "variant: general")


def changed_after_release(mini):
    mini.edit(TERMS_EXTRA, "apart from", "away from")


def approved_not_recorded(mini):
    mini.clause("terms.extra", "legal", "1.1.0", effective="2026-01-01",
                body="The Provider shall keep privileged material apart from all other data.\n")


def released_file_deleted(mini):
    mini.clause("terms.extra", "legal", "1.1.0", effective="2026-01-01",
                body="The Provider shall keep privileged material apart from all other data.\n")
    mini.release()
    del mini.files["slots/terms.extra/legal/1.1.0.md"]


def template_syntax_error(mini):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'",
                body="{% if tier == 'basic' %}\nThe Provider shall keep privileged material apart.\n")
    mini.release()


def undeclared_variable(mini):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'",
                body="The Provider shall keep privileged material at {{ client.address }}.\n")
    mini.release()


def undefined_variable(mini):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'", variables=["client.shoe_size"],
                body="The Provider shall keep privileged material in size {{ client.shoe_size }}.\n")
    mini.release()


def unknown_parameter(mini):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'", variables=["params.retention"],
                body="The Provider shall keep privileged material for {{ params.retention }}.\n")
    mini.release()


def rule_syntax_error(mini):
    mini.edit(TERMS_EXTRA, "applies_when: industry == 'legal'", "applies_when: industry ==")
    mini.release()


def rule_unknown_name(mini):
    mini.edit(TERMS_EXTRA, "applies_when: industry == 'legal'", "applies_when: sector == 'legal'")
    mini.release()


def rule_fails_on_a_profile(mini):
    mini.edit(TERMS_EXTRA, "applies_when: industry == 'legal'", "applies_when: params.retention > 1")
    mini.release()


def unreachable_variant(mini):
    mini.clause("terms.service", "gold", applies_when="tier == 'gold'",
                body="The Provider shall polish the gold.\n")
    mini.release()


def always_outranked_variant(mini):
    mini.clause("terms.service", "fallback", applies_when="true", precedence=-1,
                body="The Provider shall act in good faith.\n")
    mini.release()


def overlapping_variants(mini):
    mini.clause("terms.service", "legal", applies_when="industry == 'legal'",
                body="The Provider shall keep Client Data for lawyers.\n")
    mini.release()


def required_slot_gap(mini):
    mini.edit("slots/terms.service/premium/1.0.0.md", "applies_when: tier == 'premium'",
              "applies_when: tier == 'premium' and industry == 'legal'")
    mini.release()


def looks_defined_but_is_not(mini):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'",
                body="The Provider shall make sure that Provider Personnel keep privileged material apart.\n")
    mini.release()


def defined_in_two_slots(mini):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'",
                body='**"Client Data"** includes privileged material, which the Provider keeps apart.\n')
    mini.release()


def reference_to_a_missing_slot(mini):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'",
                body="The Provider shall keep privileged material apart, as [](#terms.privilege) says.\n")
    mini.release()


def reference_with_link_text(mini):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'",
                body="The Provider shall keep privileged material apart, as [the terms](#terms.service) say.\n")
    mini.release()


def reference_to_an_optional_slot(mini):
    mini.clause("definitions.core", "standard",
                body='**"Client Data"** means data the Client gives the Provider. Declined controls are listed '
                     "in [](#schedule.declined).\n")
    mini.release()


def reference_to_an_optional_section(mini):
    mini.clause("terms.service", "basic", applies_when="tier == 'basic'", variables=["params.notice_days"],
                body="Notice is {{ params.notice_days }}, and [](#terms.extra) applies.\n")
    mini.release()


BREAKS = [
    (schema_error, TERMS_EXTRA, "'published' is not allowed (status)"),
    (missing_field, TERMS_EXTRA, "required field is missing (changelog)"),
    (wrong_folder, TERMS_EXTRA, "'general' does not match the file's place ('legal') (variant)"),
    (changed_after_release, TERMS_EXTRA, "released version terms.extra:legal@1.0.0 was changed after release"),
    (approved_not_recorded, "slots/terms.extra/legal/1.1.0.md", "approved version is not recorded in released.json"),
    (released_file_deleted, "slots/terms.extra/legal/1.1.0.md", "a released version file was deleted"),
    (template_syntax_error, TERMS_EXTRA, "template syntax error"),
    (undeclared_variable, TERMS_EXTRA, "uses 'client.address' but does not declare it in `variables`"),
    (undefined_variable, TERMS_EXTRA, "uses undefined variable 'client.shoe_size'"),
    (unknown_parameter, TERMS_EXTRA, "uses undefined variable 'params.retention'"),
    (rule_syntax_error, TERMS_EXTRA, "rule 'industry ==' is not a valid expression"),
    (rule_unknown_name, TERMS_EXTRA, "reads 'sector', which rules cannot see"),
    (rule_fails_on_a_profile, TERMS_EXTRA, "rule 'params.retention > 1' failed"),
    (unreachable_variant, "slots/terms.service/gold/1.0.0.md", "variant terms.service:gold is unreachable"),
    (always_outranked_variant, "slots/terms.service/fallback/1.0.0.md",
     "variant terms.service:fallback is unreachable"),
    (overlapping_variants, "<mini>", "slot 'terms.service': variants basic, legal all apply with precedence 0"),
    (required_slot_gap, "<mini>", "required slot 'terms.service' has no applicable variant for tier=premium "
     "industry=general"),
    (looks_defined_but_is_not, TERMS_EXTRA, "'Provider Personnel' looks like a defined term but is never defined"),
    (defined_in_two_slots, "<mini>", "term 'Client Data' is defined in several slots: "
     "['definitions.core', 'terms.extra']"),
    (reference_to_a_missing_slot, TERMS_EXTRA, "cross-reference to 'terms.privilege', which is not a slot in the "
     "outline"),
    (reference_with_link_text, TERMS_EXTRA, "cross-reference [the terms](#terms.service) must have empty link text"),
    (reference_to_an_optional_slot, DEFINITIONS, "refers to 'schedule.declined', which is left out for tier=basic "
     "industry=general users=1 declined=none"),
    (reference_to_an_optional_section, BASIC, "refers to 'terms.extra', which is left out for tier=basic "
     "industry=general"),
]


@pytest.mark.parametrize("break_it, file, message", BREAKS, ids=[b[0].__name__ for b in BREAKS])
def test_lint_finds_the_break(break_it, file, message, mini):
    break_it(mini)
    errors = mini.errors()
    assert errors, "lint found nothing"
    matching = [f for f in errors if f.file.endswith(file) and message in f.message]
    assert matching, "\n".join(f.format() for f in errors)


def test_a_guarded_reference_to_an_optional_slot_is_accepted(mini):
    mini.clause("definitions.core", "standard", variables=["declined"],
                body='**"Client Data"** means data the Client gives the Provider.\n\n'
                     "{% if declined %}The controls the Client declined are listed in [](#schedule.declined)."
                     "{% endif %}\n")
    mini.release()
    assert mini.lint() == []


def test_a_guard_with_the_wrong_condition_is_still_caught(mini):
    mini.clause("definitions.core", "standard", variables=["tier"],
                body='**"Client Data"** means data the Client gives the Provider.\n\n'
                     "{% if tier == 'basic' %}Declined controls are listed in [](#schedule.declined).{% endif %}\n")
    mini.release()
    assert any("refers to 'schedule.declined'" in f.message for f in mini.errors())


def test_a_reference_between_slots_that_come_together_is_accepted(mini):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'",
                body="The Provider shall keep privileged material apart, as [](#terms.service) says.\n")
    mini.release()
    assert mini.lint() == []


def test_drafts_need_no_release_record(mini):
    mini.clause("terms.extra", "legal", "1.1.0", status="draft", effective="2026-01-01",
                body="The Provider shall keep privileged material apart from all other data.\n")
    assert mini.lint() == []


def test_warnings_are_not_errors(mini):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'", variables=["client.address"],
                body="The Provider shall keep privileged material apart from other data.\n")
    mini.release()
    findings = mini.lint()
    assert [(f.level, f.message) for f in findings] == [
        ("warning", "declares 'client.address' in `variables` but never uses it")]


def test_a_new_version_dated_before_the_one_it_replaces_is_a_warning(mini):
    mini.clause("terms.extra", "legal", "1.1.0", effective="2024-01-01",
                body="The Provider shall keep privileged material apart from all other data.\n")
    mini.release()
    assert [(f.level, f.message) for f in mini.lint()] == [
        ("warning", "is effective before the version it replaces")]


def test_errors_come_before_warnings(mini):
    unreachable_variant(mini)
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'", variables=["client.address"],
                body="The Provider shall keep privileged material apart from other data.\n")
    mini.release()
    levels = [f.level for f in mini.lint()]
    assert levels == sorted(levels, key=lambda level: level != "error") and "warning" in levels


def test_proper_nouns_listed_in_the_manifest_are_not_terms(mini):
    looks_defined_but_is_not(mini)
    mini.edit("library.yaml", "lint:\n", "lint:\n  proper_nouns: [Provider Personnel]\n")
    assert mini.lint() == []


def test_an_unreadable_manifest_is_one_finding(mini):
    mini.edit("library.yaml", "name: mini", "name: [mini")
    findings = mini.lint()
    assert len(findings) == 1
    assert findings[0].level == "error" and "invalid YAML" in findings[0].message


def test_a_released_file_that_fails_to_load_is_not_called_deleted(mini):
    schema_error(mini)
    messages = [f.message for f in mini.errors()]
    assert any("'published' is not allowed" in m for m in messages)
    assert not any("deleted" in m for m in messages), messages


def test_lint_of_a_folder_on_disk_names_files_by_path(mini, tmp_path):
    changed_after_release(mini)
    root = mini.write(tmp_path / "lib")
    findings = lint_library(str(root))
    assert [(f.file, "was changed after release" in f.message) for f in findings] == [(TERMS_EXTRA, True)]


def _draft_copy(library_dir, relpath: str, append: str, declare: str | None = None) -> str:
    """A draft 1.1.0 of a shipped 1.0.0 clause with a paragraph appended; returns its path."""
    source = library_dir / relpath
    text = source.read_text(encoding="utf-8")
    text = text.replace("version: 1.0.0", "version: 1.1.0", 1).replace("status: approved", "status: draft", 1)
    if declare:
        assert "variables: []" in text
        text = text.replace("variables: []", f"variables: [{declare}]", 1)
    target = source.with_name("1.1.0.md")
    target.write_text(text + "\n" + append + "\n", encoding="utf-8")
    return target.relative_to(library_dir).as_posix()


def test_references_to_optional_slots_in_a_copy_of_the_shipped_library(library_copy):
    # One lint run over the whole shipped library, with two draft clauses added.
    unguarded = _draft_copy(library_copy, "slots/agreement.signature/standard/1.0.0.md",
                            "Backups are restored as [](#backup.recovery) describes.")
    guarded = _draft_copy(library_copy, "slots/general.entire_agreement/standard/1.0.0.md",
                          "{% if declined %}The Client's decisions are recorded in [](#schedule.declined_controls)."
                          "{% endif %}", declare="declined")
    findings = lint_library(str(library_copy))
    # The shipped library itself is clean (test_cli_core checks `msa library lint` on it as is), so
    # the unguarded reference is the only finding: no error and no warning for the guarded one.
    assert [(f.level, f.file) for f in findings] == [("error", unguarded)]
    assert findings[0].message.startswith("refers to 'backup.recovery', which is left out for tier=")
    assert guarded.endswith("general.entire_agreement/standard/1.1.0.md")


def test_a_body_that_trips_the_sandbox_is_a_finding_not_a_crash(mini):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'",
                body="The Provider shall keep privileged material apart.{% for i in range(10 ** 6) %}{% endfor %}\n")
    mini.release()
    messages = [f.message for f in mini.errors()]
    assert any("Range too big" in m for m in messages), messages
    assert any("uses undefined variable 'range'" in m for m in messages), messages
