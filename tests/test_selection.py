"""Selection: one variant per slot, the right version for the date, and the refusal policy."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest

from msa_builder import clock
from msa_builder.errors import ProfileError, RequiredControlError, RuleError
from msa_builder.profile import load_profile
from msa_builder.selection import apply_refusal_policy, control_states, rule_context, select

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

# Slots whose 1.1.0 (or 2.0.0) version takes effect on 2026-06-01, after 1.0.0 from 2025-01-01, and
# whose 2026.12 version (the third) takes effect on 2026-12-01.
DATED = {
    "scope.out_of_scope": ("1.0.0", "1.1.0", "1.1.0"),
    "insurance.client_cyber": ("1.0.0", "1.1.0", "2.0.0"),
    "liability.limitation": ("1.0.0", "1.1.0", "2.0.0"),
    "data.breach_notification": ("1.0.0", "1.1.0", "2.0.0"),
    "governance.business_reviews": ("1.0.0", "1.1.0", "1.2.0"),
    "security.declined_controls": ("1.0.0", "2.0.0", "3.0.0"),
}


def versions(selection) -> dict[str, str]:
    return {c.slot: c.clause.meta.version for c in selection.choices if c.clause is not None}


def variants(selection) -> dict[str, str | None]:
    return {c.slot: c.clause.meta.variant if c.clause else None for c in selection.choices}


def choice(selection, slot):
    return next(c for c in selection.choices if c.slot == slot)


@pytest.fixture(scope="module")
def harbor():
    return load_profile(SAMPLES / "harbor-finch.yaml")


# --- Versions by date ----------------------------------------------------------------------------


def test_newest_approved_version_effective_on_the_agreement_date(shipped_library, harbor):
    selection = select(shipped_library, harbor)
    assert selection.as_of == date(2026, 12, 1) == harbor.profile.effective_date
    chosen = versions(selection)
    for slot, (_, _, newest) in DATED.items():
        assert chosen[slot] == newest, slot
    assert chosen["term.renewal"] == "2.0.0"  # 1.1.0 is a draft, 2.0.0 the approved correction
    assert selection.drafts_used == []


@pytest.mark.parametrize("as_of, index", [(date(2026, 5, 31), 0), (date(2026, 6, 1), 1), (date(2025, 1, 1), 0),
                                          (date(2026, 11, 30), 1), (date(2026, 12, 1), 2)])
def test_as_of_overrides_the_agreement_date(shipped_library, harbor, as_of, index):
    selection = select(shipped_library, harbor, as_of=as_of)
    assert selection.as_of == as_of
    chosen = versions(selection)
    for slot, pair in DATED.items():
        assert chosen[slot] == pair[index], slot


def test_drafts_only_with_allow_drafts(shipped_library, harbor):
    selection = select(shipped_library, harbor, allow_drafts=True, as_of=date(2026, 11, 30))
    renewal = choice(selection, "term.renewal").clause
    assert renewal.meta.version == "1.1.0"
    assert renewal.meta.status == "draft"
    assert [v.key for v in selection.drafts_used] == ["term.renewal:standard@1.1.0"]
    assert selection.allow_drafts is True


def test_draft_is_still_bound_by_its_effective_date(shipped_library, harbor):
    selection = select(shipped_library, harbor, allow_drafts=True, as_of=date(2026, 8, 31))
    assert choice(selection, "term.renewal").clause.meta.version == "1.0.0"
    assert selection.drafts_used == []


def test_an_as_of_date_before_the_librarys_first_versions_blames_the_date(shipped_library, harbor):
    with pytest.raises(ProfileError) as caught:
        select(shipped_library, harbor, as_of=date(2024, 12, 31))
    assert caught.value.field == "--as-of"
    assert caught.value.file == harbor.source
    assert "2024-12-31 is before the clause library's first versions" in caught.value.message
    assert "use a date on or after 2025-01-01" in caught.value.format()


def test_an_effective_date_before_the_librarys_first_versions_names_the_profiles_field(
        shipped_library, harbor_data, make_profile, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2024, 1, 1))
    harbor_data["effective_date"] = date(2024, 6, 1)
    with pytest.raises(ProfileError) as caught:
        select(shipped_library, make_profile(harbor_data, source="early.yaml"))
    assert (caught.value.file, caught.value.field) == ("early.yaml", "effective_date")
    assert "2024-06-01 is before the clause library's first versions" in caught.value.message


def test_a_variant_with_no_version_yet_is_noted_among_the_candidates(mini, mini_profile):
    mini.clause("terms.service", "basic", status="approved", effective="2026-06-01", applies_when="tier == 'basic'",
                variables=["params.notice_days"], body="Later text with {{ params.notice_days }}.\n")
    mini.release()
    with pytest.raises(RuleError) as caught:
        select(mini.load(), mini_profile(), as_of=date(2026, 1, 1))
    assert "slot 'terms.service' is required but no variant applies" in caught.value.message
    assert "no approved version effective on 2026-01-01" in caught.value.message


def test_retired_versions_are_never_selected(mini, mini_profile):
    mini.clause("terms.service", "basic", "1.1.0", status="retired", effective="2025-06-01",
                variables=["params.notice_days"], body="Retired text with {{ params.notice_days }}.\n")
    mini.release()
    selection = select(mini.load(), mini_profile())
    assert choice(selection, "terms.service").clause.meta.version == "1.0.0"


# --- One variant per slot ------------------------------------------------------------------------


def test_optional_slot_without_a_matching_variant_is_left_out(shipped_library, harbor):
    selection = select(shipped_library, harbor)
    split = choice(selection, "scope.co_managed_split")
    assert not split.included and split.optional
    assert split.reason == "left out: no variant applies to this profile"
    assert [(c.variant, c.matched) for c in split.candidates] == [("co_managed", False)]
    assert split.candidates[0].values == {"tier": "managed"}


def test_precedence_resolves_an_overlap(shipped_library):
    selection = select(shipped_library, load_profile(SAMPLES / "copper-kettle.yaml"))
    out_of_scope = choice(selection, "scope.out_of_scope")
    assert out_of_scope.clause.meta.variant == "break_fix"
    assert {c.variant for c in out_of_scope.candidates if c.matched} == {"break_fix", "standard"}
    assert "takes precedence 10 over standard" in out_of_scope.reason


def test_precedence_in_an_in_memory_library(mini, mini_profile):
    mini.clause("terms.service", "fallback", applies_when="true", precedence=-1,
                body="The Provider shall act in good faith.\n")
    mini.release()
    library = mini.load()
    basic = choice(select(library, mini_profile()), "terms.service")
    assert basic.clause.meta.variant == "basic"
    assert basic.reason == "rule \"tier == 'basic'\" is true; takes precedence 0 over fallback"
    assert choice(select(library, mini_profile(tier="premium")), "terms.service").clause.meta.variant == "premium"


def test_two_matching_variants_without_precedence_is_a_rule_error(mini, mini_profile):
    mini.clause("terms.service", "fallback", applies_when="industry == 'general'",
                body="The Provider shall act in good faith.\n")
    mini.release()
    with pytest.raises(RuleError) as caught:
        select(mini.load(), mini_profile())
    error = caught.value
    assert error.field == "outline.terms.service"
    assert "slot 'terms.service': several variants apply with the same precedence 0" in error.message
    assert "basic (tier == 'basic')" in error.message
    assert "fallback (industry == 'general')" in error.message
    assert "tier='basic'" in error.message and "industry='general'" in error.message
    assert "precedence" in error.hint


def test_no_variant_for_a_required_slot_is_a_rule_error(mini, mini_profile):
    mini.clause("terms.service", "premium", applies_when="tier == 'premium' and industry == 'legal'",
                variables=["params.insurance_minimum"], body="Cover of {{ params.insurance_minimum }}.\n")
    mini.release()
    with pytest.raises(RuleError) as caught:
        select(mini.load(), mini_profile(tier="premium"))
    message = caught.value.message
    assert "slot 'terms.service' is required but no variant applies" in message
    assert "basic (tier == 'basic' is false)" in message
    assert "premium (tier == 'premium' and industry == 'legal' is false)" in message
    assert "tier='premium'" in message and "industry='general'" in message


def test_every_outline_slot_is_decided_once_in_document_order(shipped_library, harbor):
    selection = select(shipped_library, harbor)
    outline = [entry.slot for _, entry in shipped_library.manifest.outline.entries()]
    assert [c.slot for c in selection.choices] == outline
    kinds = {c.kind for c in selection.choices}
    assert kinds == {"preamble", "section", "signature", "schedule"}


def test_selection_checks_the_profile_against_the_library(shipped_library, make_profile, harbor_data):
    harbor_data["tier"] = "gold"
    with pytest.raises(ProfileError) as caught:
        select(shipped_library, make_profile(harbor_data))
    assert caught.value.field == "tier"


# --- Controls -------------------------------------------------------------------------------------


def test_controls_not_listed_take_the_tier_default(shipped_library):
    states = {s.id: s for s in control_states(shipped_library, load_profile(SAMPLES / "harbor-finch.yaml").profile)}
    assert (states["security_training"].status, states["security_training"].source) == ("declined", "profile")
    assert states["security_training"].offered == date(2026, 10, 14)
    assert states["security_training"].record.date_declined == date(2026, 10, 28)
    assert (states["mfa"].status, states["mfa"].required) == ("accepted", True)
    assert (states["edr"].status, states["edr"].source) == ("accepted", "profile")
    assert (states["email_security"].status, states["email_security"].source) == ("accepted", "tier default")
    kettle = control_states(shipped_library, load_profile(SAMPLES / "copper-kettle.yaml").profile)
    assert {(s.status, s.source) for s in kettle} == {("client_managed", "tier default")}
    assert [s.id for s in kettle] == list(shipped_library.manifest.controls)


def test_rule_context_holds_plain_values(shipped_library, harbor):
    selection = select(shipped_library, harbor)
    context = rule_context(harbor.profile, selection.controls, selection.params)
    assert context["declined"] == ["security_training"]
    assert context["required"] == ["mfa", "edr", "backup"]
    assert context["controls"]["email_security"] == "accepted"
    assert context["params"]["client_cyber_insurance_minimum"] == 3000000
    assert context["jurisdiction"] == "California"
    assert context == selection.rule_context


# --- Refusal policy -------------------------------------------------------------------------------

ABOVE_BREAK_FIX = ("essentials", "managed", "co_managed", "security_plus")
ALL_INDUSTRIES = ("general", "healthcare", "legal", "finance", "defense", "retail")
REQUIRED = {
    *(("mfa", tier, industry) for tier in ABOVE_BREAK_FIX for industry in ("healthcare", "finance", "legal", "defense")),
    *(("backup", tier, industry) for tier in ABOVE_BREAK_FIX for industry in ("healthcare", "legal")),
    *(("backup", tier, industry) for tier in ("managed", "security_plus") for industry in ALL_INDUSTRIES),
    *(("edr", tier, industry) for tier in ("managed", "security_plus") for industry in ALL_INDUSTRIES),
}

TIER_NAMES = {"essentials": "Essentials Managed Services", "managed": "Fully Managed Services",
              "co_managed": "Co-Managed Services", "security_plus": "Managed Security Plus Services"}
INDUSTRY_NAMES = {"general": "General Business", "healthcare": "Healthcare", "legal": "Legal Services",
                  "finance": "Financial Services", "defense": "Defense Contracting", "retail": "Retail"}
WHY = {"mfa": "Regulated data needs it", "edr": "delivered through the endpoint agent",
       "backup": "backup"}
DECLINED = {"status": "declined", "offered": "2026-10-01", "reason": "Too expensive."}


@pytest.mark.parametrize("control, tier, industry", sorted(REQUIRED))
def test_declining_a_required_control_stops_the_agreement(control, tier, industry, shipped_library, harbor_data,
                                                          make_profile):
    harbor_data.update(tier=tier, industry=industry, params={})
    harbor_data["controls"] = {control: DECLINED}
    with pytest.raises(RequiredControlError) as caught:
        select(shipped_library, make_profile(harbor_data, source="client.yaml"))
    error = caught.value
    name = shipped_library.manifest.controls[control].name
    assert f"{control} ({name}) is mandatory for {TIER_NAMES[tier]} clients in {INDUSTRY_NAMES[industry]}" \
        in error.message
    assert WHY[control] in error.message
    assert error.field == f"controls.{control}"
    assert error.file == "client.yaml"
    assert "accepted" in error.hint


def test_the_policy_requires_exactly_the_listed_combinations(shipped_library, harbor):
    manifest = shipped_library.manifest
    refused = set()
    for tier, industry, control in itertools.product(manifest.tiers, manifest.industries, manifest.controls):
        profile = harbor.profile.model_copy(update={"tier": tier, "industry": industry,
                                                    "controls": {control: "declined"}})
        try:
            states = apply_refusal_policy(shipped_library, profile, control_states(shipped_library, profile),
                                          source="p")
        except RequiredControlError:
            refused.add((control, tier, industry))
            continue
        declined = [s for s in states if s.status == "declined"]
        assert [(s.id, s.policy) for s in declined] == [(control, "limit")]
    assert refused == REQUIRED


def test_every_declined_required_control_is_named(shipped_library, harbor_data, make_profile):
    harbor_data.update(tier="security_plus", industry="finance", params={})
    harbor_data["controls"] = {"mfa": DECLINED, "edr": DECLINED, "backup": DECLINED, "patching": DECLINED}
    with pytest.raises(RequiredControlError) as caught:
        select(shipped_library, make_profile(harbor_data))
    message = caught.value.message
    assert all(f"{c} (" in message for c in ("mfa", "edr", "backup"))
    assert "patching" not in message  # declining patching only limits the services


def test_legal_firm_declining_training_is_limited_not_refused(shipped_library, harbor):
    selection = select(shipped_library, harbor)
    assert [(c.id, c.policy, c.reason) for c in selection.declined] == [
        ("security_training", "limit", "Partners will not take part in simulated phishing exercises."),
    ]
    assert choice(selection, "schedule.declined_controls").included
    assert choice(selection, "security.declined_controls").clause.meta.variant == "declined"
    assert choice(selection, "backup.recovery").included


def test_the_review_s_all_declined_receptionist_profile_is_refused(shipped_library, harbor_data, make_profile):
    # Appendix A of the legal review: a California law firm, fully managed, every control declined.
    harbor_data["client"]["signatory"].update(title="Receptionist", authority="officer")
    harbor_data["controls"] = {c: DECLINED for c in shipped_library.manifest.controls}
    with pytest.raises(RequiredControlError) as caught:
        select(shipped_library, make_profile(harbor_data))
    assert all(f"{c} (" in caught.value.message for c in ("mfa", "edr", "backup"))
    # Without the required ones, the risk acceptance still needs someone who can give it.
    harbor_data["controls"] = {"patching": DECLINED, "security_training": DECLINED}
    with pytest.raises(ProfileError) as caught:
        select(shipped_library, make_profile(harbor_data))
    assert caught.value.field == "client.signatory.title"
    assert "'Receptionist' is not a title that can accept a risk" in caught.value.message


@pytest.mark.parametrize("tier, industry, control", [
    ("essentials", "general", "mfa"),
    ("co_managed", "general", "mfa"),
    ("co_managed", "retail", "edr"),
    ("essentials", "defense", "backup"),
    ("break_fix", "finance", "mfa"),
])
def test_other_refusals_limit_the_services(tier, industry, control, shipped_library, harbor_data, make_profile):
    harbor_data.update(tier=tier, industry=industry, params={}, controls={control: DECLINED})
    selection = select(shipped_library, make_profile(harbor_data))
    assert [(c.id, c.policy) for c in selection.declined] == [(control, "limit")]
    assert choice(selection, "schedule.declined_controls").included


def test_client_managed_required_control_needs_who_and_an_attestation(shipped_library, harbor_data, make_profile):
    harbor_data.update(tier="managed", industry="healthcare", params={}, controls={"mfa": "client_managed"})
    with pytest.raises(RequiredControlError) as caught:
        select(shipped_library, make_profile(harbor_data))
    assert "counts as a decline" in caught.value.message and caught.value.field == "controls.mfa"
    harbor_data["controls"] = {"mfa": {"status": "client_managed", "managed_by": "the Client's IT manager",
                                       "attestation": "2026-11-20"}}
    selection = select(shipped_library, make_profile(harbor_data))
    assert selection.declined == []
    assert not choice(selection, "schedule.declined_controls").included
    assert choice(selection, "security.declined_controls").clause.meta.variant == "none_declined"


def test_client_managed_of_a_control_that_is_not_required_needs_nothing_more(shipped_library, harbor_data,
                                                                              make_profile):
    harbor_data.update(controls={"email_security": "client_managed"})
    selection = select(shipped_library, make_profile(harbor_data))
    assert {c.id: c.status for c in selection.controls}["email_security"] == "client_managed"


def test_a_require_everything_policy_refuses_any_decline(mini, mini_profile):
    mini.edit("library.yaml", "default: limit", "default: require")
    with pytest.raises(RequiredControlError, match="requires every control"):
        select(mini.load(), mini_profile(controls={"mfa": {"status": "declined", "offered": "2025-12-01"}}))



@pytest.mark.parametrize("control, tier, industry, allowing", [
    ("mfa", "managed", "healthcare", "Break/Fix Services (break_fix)"),
    ("edr", "security_plus", "retail", "Break/Fix Services (break_fix), Essentials Managed Services (essentials), "
                                       "Co-Managed Services (co_managed)"),
])
def test_a_refused_control_names_the_tiers_that_would_allow_the_decline(control, tier, industry, allowing,
                                                                        shipped_library, harbor_data, make_profile):
    harbor_data.update(tier=tier, industry=industry, params={}, controls={control: "declined"})
    with pytest.raises(RequiredControlError) as caught:
        select(shipped_library, make_profile(harbor_data))
    industry_name = INDUSTRY_NAMES[industry]
    assert f"Tiers on which a {industry_name} client may decline it: {allowing}." in caught.value.message


def test_when_no_tier_allows_the_decline_the_message_says_so(mini, mini_profile):
    mini.edit("library.yaml", "default: limit", "default: require")
    with pytest.raises(RequiredControlError) as caught:
        select(mini.load(), mini_profile(controls={"mfa": {"status": "declined", "offered": "2025-12-01"}}))
    assert "No tier lets a General Business client decline it." in caught.value.message
