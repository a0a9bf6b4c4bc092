"""The legal checks of `msa library lint`: clean on the shipped library, and each rule caught when broken.

Each test starts from a small library that keeps every rule (the mini library with the legal checks
on, a declined-risk clause, a full decline record, a non-negotiable list and the three jurisdiction
packs), breaks one rule, and looks for that check's finding.
"""

from __future__ import annotations

import pytest

from msa_builder.linting.legal import CHECKS
from msa_builder.linting import lint_library

PACKS = """\
jurisdictions:
  packs:
    california: {name: California, states: [California]}
    new_york: {name: New York, states: [New York]}
    texas: {name: Texas, states: [Texas]}
"""

DECLINED_RISK = """\
{.conspicuous}
A control the Client declines (a **"Declined Control"**) is outside the Services. The Provider has no liability for a loss that arises from a Declined Control, even where it is caused in part by the negligence of the Provider, except to the extent it is caused by the Provider's gross negligence, willful misconduct, fraud or violation of law. The Client bears the burden of proving that a loss did not arise from a Declined Control.
"""

RECORD = """\
{% for d in declined %}
- {{ d.name }}, offered {{ d.offered }}{% if d.date_declined %}, declined {{ d.date_declined }}{% endif %}, for {{ d.scope }}: {{ d.risk }} {{ d.consequence }} Reason: {{ d.reason }}
{% endfor %}

{.conspicuous}
The Client accepts the risk of going without each control listed, as [](#liability.declined_risk) provides.

Client signature: __________
"""

PREMIUM = """\
The Client shall hold insurance of at least {{ params.insurance_minimum }}.
{% if required %}

{.conspicuous}
These controls are non-negotiable: {% for c in required %}{{ c.name }}{% endfor %}. The Provider may terminate this Agreement if one is declined.
{% endif %}
"""


@pytest.fixture
def legal(mini):
    """The mini library, kept legally clean, with the legal checks on."""
    manifest = mini.files["library.yaml"]
    manifest = manifest.replace("  legal_checks: false  # structural tests; tests/library/test_legal_checks.py turns them on\n",
                                "  legal_checks: true\n")
    manifest = manifest.replace("outline:\n", PACKS + "outline:\n", 1)
    manifest = manifest.replace("        - {slot: terms.extra, optional: true}\n",
                                "        - {slot: terms.extra, optional: true}\n        - liability.declined_risk\n")
    mini.files["library.yaml"] = manifest
    mini.edit("catalogue/controls/1.0.0.yaml", "consequence: The Provider is not liable for account compromise.",
              "consequence: Accounts without a second factor are outside the Services.")
    mini.clause("liability.declined_risk", "standard", body=DECLINED_RISK)
    mini.clause("schedule.declined", "standard", applies_when="declined | length > 0",
                variables=["declined"], body=RECORD)
    mini.clause("terms.service", "premium", applies_when="tier == 'premium'",
                variables=["params.insurance_minimum", "required"], body=PREMIUM)
    mini.release()
    return mini


def legal_findings(library) -> dict[str, list]:
    found: dict[str, list] = {}
    for finding in library.lint():
        if finding.message.startswith("legal/"):
            found.setdefault(finding.message.split(":")[0].removeprefix("legal/"), []).append(finding)
    return found


def test_the_clean_fixture_has_no_findings_at_all(legal):
    assert legal.lint() == []


def test_the_checks_are_registered_by_name():
    assert list(CHECKS) == ["conspicuous", "no-typed-capitals", "california-no-jury-waiver",
                            "california-no-restraint-on-hiring", "declined-risk-clause", "declined-control-record",
                            "addenda-keep-declines", "non-negotiable-controls", "new-york-renewal-notice",
                            "texas-express-negligence", "state-names", "silence-is-not-a-decline"]


def test_the_shipped_library_passes_every_legal_check():
    findings = lint_library()
    assert [f.format() for f in findings] == []


def _extra(legal, body, applies="true"):
    legal.clause("terms.extra", "legal", applies_when=applies, body=body)
    legal.release()


CASES = {
    "conspicuous": lambda m: _extra(m, "The Provider disclaims all implied warranties.\n"),
    "no-typed-capitals": lambda m: _extra(m, "{.conspicuous}\nTHE PROVIDER DISCLAIMS ALL IMPLIED WARRANTIES.\n"),
    "california-no-jury-waiver": lambda m: _extra(
        m, "{.conspicuous}\nEach Party waives any right to a trial by jury.\n"),
    "california-no-restraint-on-hiring": lambda m: _extra(
        m, "The Client shall not hire or solicit any employee of the Provider.\n"),
    "declined-risk-clause": lambda m: m.edit("slots/liability.declined_risk/standard/1.0.0.md",
                                             " or violation of law", "") or m.release(),
    "declined-control-record": lambda m: m.edit("slots/schedule.declined/standard/1.0.0.md",
                                                ", for {{ d.scope }}", "") or m.release(),
    "addenda-keep-declines": lambda m: _addendum(m),
    "non-negotiable-controls": lambda m: m.edit("slots/terms.service/premium/1.0.0.md",
                                                " The Provider may terminate this Agreement if one is declined.",
                                                "") or m.release(),
    "new-york-renewal-notice": lambda m: _extra(m, "This Agreement renews automatically each year.\n"),
    "texas-express-negligence": lambda m: _extra(
        m, "{.conspicuous}\nThe Client shall defend the Provider against every claim about a Declined Control, "
           "and the Provider is not liable for it.\n"),
    "state-names": lambda m: _extra(m, "This Agreement is governed by the laws of the state of "
                                       "{{ client.jurisdiction }}.\n"),
    "silence-is-not-a-decline": lambda m: _extra(m, "Silence counts as a decline of a Recommended Control.\n"),
}


def _addendum(mini):
    text = mini.files["library.yaml"].replace("    - {slot: schedule.declined, optional: true}\n",
                                              "    - {slot: schedule.declined, optional: true}\n"
                                              "    - {slot: addendum.health, optional: true}\n")
    mini.files["library.yaml"] = text
    mini.clause("addendum.health", "standard", applies_when="industry == 'legal'",
                body="This addendum prevails over any other term of this Agreement that conflicts with it.\n")
    mini.release()


@pytest.mark.parametrize("name", list(CASES))
def test_each_rule_broken_is_found_by_its_check(name, legal):
    CASES[name](legal)
    found = legal_findings(legal)
    assert name in found, f"{name} not reported; found {sorted(found)}"
    assert all(f.level == "error" for f in found[name])


def test_every_check_has_a_case_that_breaks_it():
    assert set(CASES) == set(CHECKS)


def test_a_library_without_the_declined_risk_clause_is_reported(legal):
    del legal.files["slots/liability.declined_risk/standard/1.0.0.md"]
    legal.files["library.yaml"] = legal.files["library.yaml"].replace("        - liability.declined_risk\n", "")
    legal.edit("slots/schedule.declined/standard/1.0.0.md", ", as [](#liability.declined_risk) provides", "")
    legal.release()
    messages = [f.message for f in legal_findings(legal).get("declined-risk-clause", [])]
    assert any("has no liability.declined_risk slot" in m for m in messages)


def test_a_not_waived_privilege_is_not_a_waiver(legal):
    _extra(legal, "Access to privileged material does not waive any privilege.\n")
    assert "conspicuous" not in legal_findings(legal)


def test_an_attribute_swallowed_by_a_template_tag_is_reported(legal):
    _extra(legal, "{% if tier == 'basic' %}Basic.{% endif %}\n\n{.conspicuous}\nThe Provider disclaims all warranties.\n")
    assert any("is printed as text" in f.message for f in legal.lint())
