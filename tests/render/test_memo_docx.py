"""The attorney's review memo: deviations stand out, every declined control is listed."""

from __future__ import annotations

import pytest
from docx.enum.text import WD_COLOR_INDEX

from msa_builder.marks import DRAFT_MARK

from .docx_reading import CLIENT_SAMPLES, SAMPLES, W, open_docx, tables_with_header

PARAMETER_HEADER = ["Parameter", "Value", "Source", "Library value"]
CONTROL_HEADER = ["Control", "Status", "Decided by", "Consequence of declining"]


def _memo(build):
    return open_docx(build.files[f"{build.slug}-review.docx"])


def _shaded(row) -> bool:
    fills = {shd.get(f"{W}fill") for shd in row._tr.iter(f"{W}shd")}
    return "FFF2CC" in fills


def _highlighted(paragraph) -> bool:
    return any(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in paragraph.runs)


def test_harbor_finch_memo_highlights_the_insurance_deviation(rendered_sample):
    build = rendered_sample("harbor-finch.yaml")
    memo = _memo(build)
    deviations = [p for p in memo.paragraphs if "client_cyber_insurance_minimum" in p.text]
    assert len(deviations) == 2  # the decision list and the deviations section
    assert all(_highlighted(p) for p in deviations)
    assert any("$3,000,000" in p.text and "$2,000,000" in p.text for p in deviations)

    table = tables_with_header(memo, PARAMETER_HEADER)[0]
    rows = {row.cells[0].text: row for row in table.rows[1:]}
    assert _shaded(rows["client_cyber_insurance_minimum"])
    assert [name for name, row in rows.items() if _shaded(row)] == ["client_cyber_insurance_minimum"]


def test_harbor_finch_memo_lists_each_declined_control(rendered_sample):
    build = rendered_sample("harbor-finch.yaml")
    memo = _memo(build)
    declined = ["Security Awareness Training"]
    decisions = [p.text for p in memo.paragraphs if p.text.startswith("Declined control: ")]
    assert [d.split(": ", 1)[1].split(".")[0] for d in decisions] == declined

    table = tables_with_header(memo, CONTROL_HEADER)[0]
    rows = {row.cells[0].text: row for row in table.rows[1:]}
    assert len(rows) == 7
    for name in declined:
        assert rows[name].cells[1].text == "declined"
        assert rows[name].cells[3].text.startswith("The Provider does not")
        assert _shaded(rows[name])
    assert not any(_shaded(row) for name, row in rows.items() if name not in declined)


def test_memo_without_deviations_says_so_and_highlights_nothing(rendered_sample):
    build = rendered_sample("copper-kettle.yaml")
    assert not build.agreement.deviations
    memo = _memo(build)
    assert "None: every parameter is the library's value." in [p.text for p in memo.paragraphs]
    assert [p.text[:16] for p in memo.paragraphs if _highlighted(p)] == ["Sample provider:"]


def test_a_memo_built_with_the_sample_provider_says_so_first(rendered_sample):
    memo = _memo(rendered_sample("copper-kettle.yaml"))
    texts = [p.text for p in memo.paragraphs]
    first = texts[texts.index("Needs a human decision") + 1]
    assert first.startswith("Sample provider: this draft names Lakeshore Managed IT, LLC, the fictional provider")


def test_a_memo_built_with_a_providers_own_file_has_no_sample_note(build_options, tmp_path):
    from dataclasses import replace

    from msa_builder.outputs import render_build
    from msa_builder.profile import load_profile

    own = tmp_path / "provider.yaml"
    own.write_text((build_options.provider_path).read_text(encoding="utf-8").replace("Lakeshore", "Acme"),
                   encoding="utf-8")
    build = render_build(load_profile(SAMPLES / "copper-kettle.yaml"), replace(build_options, provider_path=own))
    texts = [p.text for p in _memo(build).paragraphs]
    assert not any("Sample provider" in t for t in texts)
    assert not any(_highlighted(p) for p in _memo(build).paragraphs)


def test_the_memo_footer_names_the_memo_not_the_agreement(rendered_sample):
    build = rendered_sample("copper-kettle.yaml")
    footer = "\n".join(p.text for s in _memo(build).sections for p in s.footer.paragraphs)
    assert footer.startswith(f"Review memo \u00b7 {build.agreement.id} \u00b7 library ")
    assert build.agreement.title not in footer


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_memo_explains_every_clause_and_carries_the_draft_mark(name, rendered_sample):
    build = rendered_sample(name)
    memo = _memo(build)
    assert DRAFT_MARK in [p.text for p in memo.paragraphs]
    header = "\n".join(p.text for p in memo.sections[0].header.paragraphs)
    assert build.agreement.client_name in header and DRAFT_MARK in header
    table = tables_with_header(memo, ["Where", "Slot", "Variant@version", "Status", "Why"])[0]
    slots = [row.cells[1].text for row in table.rows[1:]]
    assert slots == [c.slot for c in build.agreement.clauses()]
    assert all(row.cells[4].text for row in table.rows[1:])


def test_memo_asks_for_a_decision_on_a_state_without_a_pack_and_lists_a_pack_s_notes(rendered_sample):
    pine = [p.text for p in _memo(rendered_sample("pine-tree-consulting.yaml")).paragraphs]
    assert any(t.startswith("Jurisdiction: Maine has no jurisdiction pack") for t in pine)
    harbor = [p.text for p in _memo(rendered_sample("harbor-finch.yaml")).paragraphs]
    notes = [t for t in harbor if t.startswith("Jurisdiction pack: California")]
    assert len(notes) == 3 and any("Grafton" in t for t in notes) and any("16600" in t for t in notes)
    assert not any(t.startswith("Jurisdiction: ") for t in harbor)
    dental = [p.text for p in _memo(rendered_sample("bluebonnet-dental.yaml")).paragraphs]
    assert any("DTPA" in t for t in dental)
    assert any(t.startswith("Attested control: Multi-Factor Authentication") for t in dental)
