"""What an amendment changes (amendments/plan.py), on Harbor & Finch's agreement changed in each way."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from msa_builder import api
from msa_builder.agreement import Agreement, Article, Schedule, Section
from msa_builder.amendments.plan import DELETED_TITLE, plan_amendment, relabel
from msa_builder.blocks import Paragraph, Ref, Text, block_lines
from msa_builder.library.model import AmendmentPolicy

REPO = Path(__file__).resolve().parents[2]
HARBOR = REPO / "samples" / "harbor-finch.yaml"
POLICY = AmendmentPolicy()


@pytest.fixture(scope="module")
def signed(shipped_library) -> Agreement:
    return api.assemble_profile(HARBOR, library=shipped_library)


def _with_section(agreement: Agreement, article: int, index: int, section: Section | None) -> Agreement:
    """The agreement with section `index` of article `article` replaced (None: removed)."""
    articles = list(agreement.articles)
    sections = list(articles[article].sections)
    if section is None:
        del sections[index]
    else:
        sections[index] = section
    articles[article] = replace(articles[article], sections=tuple(sections))
    return replace(agreement, articles=tuple(articles))


def test_the_same_terms_need_no_amendment(signed):
    plan = plan_amendment(signed, signed, number=1, policy=POLICY)
    assert plan.changes == () and plan.restate == () and not plan.needed
    assert plan.conformed.labels() == signed.labels()


def test_a_parameter_change_amends_each_clause_that_prints_it(signed, shipped_library, tmp_path):
    data = yaml.safe_load(HARBOR.read_text(encoding="utf-8"))
    data["params"]["client_cyber_insurance_minimum"] = "$4,000,000"
    profile = tmp_path / "harbor.yaml"
    profile.write_text(yaml.safe_dump(data), encoding="utf-8")
    now = api.assemble_profile(profile, library=shipped_library)
    plan = plan_amendment(signed, now, number=1, policy=POLICY)
    printing = {c.slot for c in now.clauses() if any("$4,000,000" in line for line in block_lines(c.blocks))}
    assert printing and {c.slot for c in plan.changes} == printing
    assert all(c.kind == "replace" and c.old_version == c.new_version for c in plan.changes)


def test_a_deleted_section_keeps_its_number_and_the_others_theirs(signed):
    section = signed.articles[2].sections[1]
    now = _with_section(signed, 2, 1, None)
    plan = plan_amendment(signed, now, number=1, policy=POLICY)
    [change] = plan.changes
    assert (change.kind, change.label, change.title) == ("delete", section.label, section.clause.title)
    kept = plan.conformed.articles[2].sections[1]
    assert kept.number == section.number and kept.clause.title == DELETED_TITLE
    assert block_lines(kept.clause.blocks) == ["Deleted by Amendment No. 1."]
    assert [s.number for s in plan.conformed.articles[2].sections] == [s.number for s in signed.articles[2].sections]


def test_a_new_section_is_added_at_the_end_of_its_article_whatever_its_place(signed):
    article = signed.articles[1]
    extra = replace(article.sections[0].clause, slot="scope.new_thing", title="A New Thing",
                    blocks=(Paragraph((Text("A new obligation."),)),))
    sections = list(article.sections)
    sections.insert(1, Section("x", extra))  # in the middle of the article in today's build
    now = replace(signed, articles=tuple(replace(a, sections=tuple(sections)) if a is article else a
                                         for a in signed.articles))
    plan = plan_amendment(signed, now, number=1, policy=POLICY)
    [change] = plan.changes
    last = article.sections[-1]
    number = f"{article.number}.{len(article.sections) + 1}"
    assert (change.kind, change.label, change.after) == ("add", f"Section {number}", last.label)
    assert plan.conformed.articles[1].sections[-1].number == number


def test_a_new_schedule_takes_the_next_letter(signed):
    extra = replace(signed.schedules[0].clause, slot="schedule.new_thing", title="New Thing")
    now = replace(signed, schedules=(*signed.schedules, Schedule("Z", extra)))
    plan = plan_amendment(signed, now, number=1, policy=POLICY)
    [change] = plan.changes
    letter = chr(ord(signed.schedules[-1].letter) + 1)
    assert (change.kind, change.unit, change.label, change.after) == (
        "add", "schedule", f"Schedule {letter}", signed.schedules[-1].label)


def test_renumbered_cross_references_are_not_a_change(signed):
    """Today's build may number a referenced section differently; the amendment prints the signed number."""
    target = signed.articles[0].sections[0]
    ref = Ref(target.clause.slot, "Section 99.9")
    section = signed.articles[3].sections[0]
    with_ref = replace(section.clause, blocks=(*section.clause.blocks, Paragraph((Text("See "), ref))))
    before = _with_section(signed, 3, 0, replace(section, clause=replace(with_ref, blocks=relabel(
        with_ref.blocks, signed.labels()))))
    now = _with_section(signed, 3, 0, replace(section, clause=with_ref))
    assert plan_amendment(before, now, number=1, policy=POLICY).changes == ()


def test_a_new_tier_or_too_many_changes_need_a_restatement(signed):
    tiered = replace(signed, tier="security_plus", provenance=replace(signed.provenance, tier_name="Security Plus"))
    plan = plan_amendment(signed, tiered, number=1, policy=POLICY)
    assert plan.restate and plan.restate[0].startswith("the tier changes")
    changed = replace(signed, articles=tuple(replace(a, sections=tuple(
        replace(s, clause=replace(s.clause, blocks=(Paragraph((Text("Changed."),)),))) for s in a.sections))
        for a in signed.articles))
    many = plan_amendment(signed, changed, number=1, policy=AmendmentPolicy(max_changes=3))
    assert any("more than the 3 an amendment may change" in r for r in many.restate)
    assert not plan_amendment(signed, tiered, number=1, policy=AmendmentPolicy(restate_when=[])).restate


def test_a_new_article_is_a_restatement_unless_the_policy_allows_it(signed):
    extra = Article(99, "New Matters", (Section("99.1", replace(signed.articles[0].sections[0].clause,
                                                                slot="new.matter", title="New Matter")),))
    now = replace(signed, articles=(*signed.articles, extra))
    assert any("articles change (added: New Matters)" in r for r in
               plan_amendment(signed, now, number=1, policy=POLICY).restate)
    plan = plan_amendment(signed, now, number=1, policy=AmendmentPolicy(restate_when=["tier"]))
    [change] = plan.changes
    number = signed.articles[-1].number + 1
    assert change.label == f"Section {number}.1" and change.article == f"Article {number} (New Matters)"
