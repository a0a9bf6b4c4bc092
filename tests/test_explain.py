"""`msa explain`: every slot, in or out, and why; parameters with their sources; declined controls."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from msa_builder.explanation import explanation, format_explanation
from msa_builder.profile import load_profile
from msa_builder.selection import select

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CLIENT_SAMPLES = sorted(p.name for p in SAMPLES.iterdir()
                        if p.suffix in (".yaml", ".json") and p.name != "provider.yaml")
SOURCES = {"default", "tier", "industry", "users", "jurisdiction", "override"}


@pytest.fixture(scope="module")
def explained(shipped_library):
    """The explanation of every sample, computed once."""
    return {name: explanation(select(shipped_library, load_profile(SAMPLES / name))) for name in CLIENT_SAMPLES}


def slot(data, slot_id):
    return next(s for s in data["slots"] if s["slot"] == slot_id)


def picked(data) -> dict[str, str | None]:
    return {s["slot"]: f"{s['variant']}@{s['version']}" if s["included"] else None for s in data["slots"]}


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_every_sample_is_explained_completely(name, explained, shipped_library):
    data = explained[name]
    manifest = shipped_library.manifest
    outline = [(kind, entry) for kind, entry in manifest.outline.entries()]
    assert [s["slot"] for s in data["slots"]] == [entry.slot for _, entry in outline]
    for s, (kind, entry) in zip(data["slots"], outline):
        assert s["kind"] == kind
        assert s["reason"]
        assert s["candidates"], s["slot"]
        assert all(c["rule"] for c in s["candidates"])
        if s["included"]:
            clause = shipped_library.find(s["slot"], s["variant"], s["version"])
            assert clause is not None and clause.meta.status == s["status"] == "approved"
            winner = next(c for c in s["candidates"] if c["variant"] == s["variant"])
            if winner["rule"] == "true":
                assert s["reason"].startswith("applies to every client")
            else:
                assert s["reason"].startswith(f"rule {winner['rule']!r} is true")
            assert any(c["matched"] and c["variant"] == s["variant"] for c in s["candidates"])
        else:
            assert entry.optional, f"{s['slot']} is required but left out"
            assert s["variant"] is None and s["version"] is None
            assert not any(c["matched"] for c in s["candidates"])
    assert [p["name"] for p in data["parameters"]] == list(manifest.parameters)
    assert {p["source"] for p in data["parameters"]} <= SOURCES
    assert [d["name"] for d in data["deviations"]] == [p["name"] for p in data["parameters"] if p["deviation"]]
    assert [c["id"] for c in data["controls"]] == list(manifest.controls)
    for d in data["declined"]:
        assert d["policy"] == "limit"
        assert d["consequence"] == shipped_library.catalogue[-1].control(d["id"]).consequence
    assert data["drafts_used"] == []
    json.dumps(data)  # JSON-ready as it stands

    text = format_explanation(data)
    for s in data["slots"]:
        if s["included"]:
            assert f"+ {s['slot']}" in text and f"{s['variant']}@{s['version']}" in text
        else:
            assert f"- {s['slot']}" in text
    for heading in ("CLAUSES", "PARAMETERS", "DEVIATIONS", "CONTROLS", "DECLINED CONTROLS"):
        assert heading in text.splitlines()


def test_harbor_finch(explained):
    data = explained["harbor-finch.yaml"]
    assert (data["client"], data["tier"], data["industry"]) == ("Harbor & Finch LLP", "managed", "legal")
    chosen = picked(data)
    assert chosen["addendum.legal_confidentiality"] == "legal@2.0.0"
    assert chosen["backup.recovery"] == "standard@1.1.0"
    assert chosen["schedule.declined_controls"] == "standard@2.0.0"
    assert chosen["security.declined_controls"] == "declined@3.0.0"
    assert chosen["addendum.hipaa_baa"] is None
    # The California pack: judicial reference instead of a jury waiver, no restraint on hiring.
    assert chosen["general.disputes"] == "california@1.0.0"
    assert chosen["general.non_solicitation"] == "california@1.0.0"
    backup = slot(data, "backup.recovery")
    assert backup["candidates"][0]["rule"] == "controls.backup == 'accepted' and tier != 'break_fix'"
    assert backup["candidates"][0]["values"] == {"controls.backup": "accepted", "tier": "managed"}
    assert slot(data, "schedule.declined_controls")["candidates"][0]["values"] == {"declined": ["security_training"]}

    assert data["deviations"] == [{
        "name": "client_cyber_insurance_minimum", "value": 3000000, "display": "$3,000,000",
        "library_value": 2000000, "library_display": "$2,000,000", "library_source": "industry",
    }]
    assert [(d["id"], d["policy"], d["offered"]) for d in data["declined"]] == [
        ("security_training", "limit", "2026-10-14")]
    assert data["declined"][0]["reason"] == "Partners will not take part in simulated phishing exercises."

    text = format_explanation(data)
    assert re.search(r"client_cyber_insurance_minimum +\$3,000,000  \(override\)  << DEVIATION", text)
    assert "client_cyber_insurance_minimum: $3,000,000 instead of the library's $2,000,000 (industry)" in text
    assert "security_training (Security Awareness Training): policy limit" in text
    assert "consequence: The Provider does not train or test the Client's staff" in text
    assert "values: controls.backup='accepted', tier='managed'" in text


def test_riverbend_pediatrics_gets_the_hipaa_addendum(explained):
    data = explained["riverbend-pediatrics.yaml"]
    chosen = picked(data)
    assert chosen["addendum.hipaa_baa"] == "healthcare@2.0.1"
    assert chosen["addendum.legal_confidentiality"] is None
    assert chosen["backup.recovery"] == "standard@1.1.0"
    assert chosen["general.disputes"] == "standard@1.0.0"  # Massachusetts has no pack
    assert [(d["id"], d["policy"]) for d in data["declined"]] == [("privileged_access", "limit")]
    controls = {c["id"]: (c["status"], c["source"]) for c in data["controls"]}
    assert controls["security_training"] == ("client_managed", "profile")
    assert controls["edr"] == ("accepted", "tier default")
    params = {p["name"]: p for p in data["parameters"]}
    assert (params["confidentiality_survival_years"]["display"], params["confidentiality_survival_years"]["source"]) \
        == ("6 years", "industry")


def test_tidewater_components_is_defense_on_security_plus(explained):
    data = explained["tidewater-components.yaml"]
    chosen = picked(data)
    assert (data["tier"], data["industry"]) == ("security_plus", "defense")
    assert chosen["addendum.defense_dfars"] == "defense@2.0.1"
    assert chosen["scope.in_scope"] == "security_plus@1.0.0"
    assert chosen["schedule.services"] == "security_plus@1.1.0"
    assert chosen["security.incident_response"] == "security_plus@1.0.0"
    assert "takes precedence 10 over standard" in slot(data, "security.incident_response")["reason"]
    assert chosen["security.declined_controls"] == "none_declined@2.0.0"
    assert data["declined"] == []
    params = {p["name"]: p for p in data["parameters"]}
    assert (params["breach_notice_hours"]["display"], params["breach_notice_hours"]["source"]) == ("24 hours",
                                                                                                    "industry")
    assert params["client_cyber_insurance_minimum"]["display"] == "$2,000,000"


def test_saguaro_outdoor_is_co_managed_retail_with_edr_declined(explained):
    data = explained["saguaro-outdoor.yaml"]
    chosen = picked(data)
    assert (data["tier"], data["industry"]) == ("co_managed", "retail")
    assert chosen["scope.co_managed_split"] == "co_managed@1.0.0"
    assert chosen["scope.in_scope"] == "co_managed@1.0.0"
    assert chosen["addendum.retail_pci"] == "retail@2.0.0"
    assert chosen["schedule.declined_controls"] == "standard@2.0.0"
    assert [(d["id"], d["policy"], d["offered"]) for d in data["declined"]] == [("edr", "limit", "2026-09-30")]
    assert "Endpoint Detection and Response" in data["declined"][0]["name"]
    controls = {c["id"]: (c["status"], c["source"]) for c in data["controls"]}
    assert controls["email_security"] == ("client_managed", "profile")


def test_copper_kettle_gets_the_break_fix_variants(explained):
    data = explained["copper-kettle.yaml"]
    chosen = picked(data)
    for slot_id in ("scope.in_scope", "scope.out_of_scope", "sla.service_levels", "term.renewal",
                    "governance.business_reviews", "insurance.client_cyber", "term.early_termination"):
        assert chosen[slot_id] == "break_fix@1.0.0", slot_id
    assert chosen["schedule.services"] == "break_fix@1.1.0"
    assert chosen["backup.recovery"] is None
    assert chosen["general.non_solicitation"] is None
    assert chosen["schedule.declined_controls"] is None
    assert chosen["security.declined_controls"] == "none_declined@2.0.0"
    assert {(c["status"], c["source"]) for c in data["controls"]} == {("client_managed", "tier default")}
    assert data["deviations"] == []
    assert "none: every parameter is the library's value" in format_explanation(data)


def test_pine_tree_consulting_gets_the_essentials_variants(explained):
    data = explained["pine-tree-consulting.yaml"]
    chosen = picked(data)
    assert chosen["scope.in_scope"] == "essentials@1.0.0"
    assert chosen["schedule.services"] == "essentials@1.0.0"
    assert chosen["general.non_solicitation"] is None
    params = {p["name"]: (p["display"], p["source"]) for p in data["parameters"]}
    assert params["qbr_cadence"] == ("semiannual", "tier")
    assert params["fee_per_user_monthly"] == ("$85", "tier")
    assert params["liability_cap_months"] == ("6 months", "tier")


def test_buckeye_precision_minimum_comes_from_its_user_count(explained):
    data = explained["buckeye-precision.yaml"]
    minimum = next(p for p in data["parameters"] if p["name"] == "client_cyber_insurance_minimum")
    assert (minimum["display"], minimum["source"], minimum["deviation"]) == ("$2,000,000", "users", False)
    assert data["deviations"] == []
    assert re.search(r"client_cyber_insurance_minimum +\$2,000,000  \(users\)", format_explanation(data))


def test_granite_state_credit_json_profile_is_security_plus_finance(explained):
    data = explained["granite-state-credit.json"]
    assert data["effective_date"] == "2027-02-01"
    # A federally insured credit union gets NCUA's terms, not the FTC's (S2-8).
    assert picked(data)["addendum.finance_safeguards"] == "ncua@1.0.0"
    assert picked(data)["addendum.nydfs_cybersecurity"] is None


def test_kingsbridge_mortgage_is_new_york_finance_with_nydfs(explained):
    data = explained["kingsbridge-mortgage.yaml"]
    chosen = picked(data)
    assert chosen["term.renewal"] == "new_york@1.0.0"
    assert chosen["addendum.finance_safeguards"] == "finance@2.0.0"
    assert chosen["addendum.nydfs_cybersecurity"] == "nydfs@1.0.0"
    assert chosen["general.disputes"] == "standard@1.0.0"


def test_bluebonnet_dental_is_texas_with_the_dtpa_waiver(explained):
    data = explained["bluebonnet-dental.yaml"]
    chosen = picked(data)
    assert chosen["general.consumer_waiver"] == "texas@1.0.0"
    assert chosen["addendum.hipaa_baa"] == "healthcare@2.0.1"
    controls = {c["id"]: c["status"] for c in data["controls"]}
    assert controls["mfa"] == "client_managed"


def test_explanation_records_drafts_and_the_as_of_date(shipped_library):
    from datetime import date

    data = explanation(select(shipped_library, load_profile(SAMPLES / "harbor-finch.yaml"),
                              as_of=date(2026, 11, 30), allow_drafts=True))
    assert data["as_of"] == "2026-11-30" and data["allow_drafts"] is True
    assert data["drafts_used"] == ["term.renewal:standard@1.1.0"]
    assert slot(data, "term.renewal")["status"] == "draft"
    text = format_explanation(data)
    assert "term.renewal" in text and "standard@1.1.0 [DRAFT]" in text
    assert "DRAFT CLAUSES USED (not for signature): term.renewal:standard@1.1.0" in text
