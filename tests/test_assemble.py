"""Assembly: numbering, cross-references, and client data reproduced exactly in the rendered blocks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from msa_builder.assemble import assemble
from msa_builder.blocks import Block, ListBlock, Paragraph, Ref, Table, block_lines, inline_text
from msa_builder.errors import RenderError
from msa_builder.profile import load_profile
from msa_builder.selection import select

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def refs(blocks: tuple[Block, ...]) -> list[Ref]:
    found: list[Ref] = []
    for block in blocks:
        if isinstance(block, ListBlock):
            for item in block.items:
                found += refs(item)
        elif isinstance(block, Table):
            for cells in (block.header, *block.rows):
                found += [i for cell in cells for i in cell if isinstance(i, Ref)]
        else:
            found += [i for i in block.inlines if isinstance(i, Ref)]
    return found


def clause_text(agreement, slot: str) -> str:
    clause = next(c for c in agreement.clauses() if c.slot == slot)
    return "\n".join(block_lines(clause.blocks))


@pytest.fixture(scope="module")
def harbor_agreement(shipped_library, provider):
    return assemble(select(shipped_library, load_profile(SAMPLES / "harbor-finch.yaml")), provider)


def number_slots(selection):
    return selection.library.manifest.outline.labels({c.slot for c in selection.included})


def test_sections_and_schedules_are_numbered_in_outline_order(harbor_agreement):
    labels = harbor_agreement.labels()
    assert labels["definitions.core"] == "Section 1.1"
    assert labels["thirdparty.services"] == "Section 2.5"  # the co-managed split is left out
    assert labels["liability.limitation"] == "Section 9.2"
    assert labels["schedule.services"] == "Schedule A"
    assert labels["liability.declined_risk"] == "Section 9.3"
    assert labels["schedule.covered_assets"] == "Schedule B"
    assert labels["schedule.insurance"] == "Schedule F"
    assert labels["schedule.declined_controls"] == "Schedule G"
    assert labels["schedule.acceptable_use"] == "Schedule J"  # no I or O
    assert labels["addendum.legal_confidentiality"] == "Schedule L"
    assert labels["backup.recovery"] == "Section 3.8"  # backup is accepted (required for a law firm)


def test_numbering_follows_what_is_included(shipped_library, provider):
    selection = select(shipped_library, load_profile(SAMPLES / "saguaro-outdoor.yaml"))
    labels = number_slots(selection)
    assert labels["scope.co_managed_split"] == "Section 2.5"
    assert labels["thirdparty.services"] == "Section 2.6"
    assert labels["backup.recovery"] == "Section 3.8"


def test_every_cross_reference_is_resolved_to_its_label(harbor_agreement):
    labels = harbor_agreement.labels()
    seen = 0
    for clause in harbor_agreement.clauses():
        for ref in refs(clause.blocks):
            assert ref.label == labels[ref.target], (clause.key, ref)
            seen += 1
    assert seen > 20
    assert "meeting the requirements in Schedule F" in clause_text(harbor_agreement, "insurance.client_cyber")
    assert "as Section 6.2 provides" in clause_text(harbor_agreement, "insurance.client_cyber")


def test_parameters_render_formatted(harbor_agreement):
    insurance = clause_text(harbor_agreement, "insurance.client_cyber")
    assert "with limits of at least $3,000,000 per claim and in aggregate" in insurance
    assert "within 30 days after the Effective Date" in insurance


def test_agreement_structure(harbor_agreement):
    assert [a.title for a in harbor_agreement.articles][:2] == ["Definitions and Structure", "Services"]
    assert harbor_agreement.preamble.slot == "agreement.parties"
    assert harbor_agreement.signature.slot == "agreement.signature"
    assert [s.label for s in harbor_agreement.schedules][:2] == ["Schedule A", "Schedule B"]
    assert harbor_agreement.is_final_eligible
    lines = harbor_agreement.text_lines()
    assert lines[0] == "MASTER SERVICES AGREEMENT"
    assert "ARTICLE 9. WARRANTIES, LIABILITY AND INDEMNITIES" in lines


def test_a_reference_to_a_slot_left_out_is_a_render_error(mini, mini_profile, provider):
    mini.clause("terms.service", "basic", applies_when="tier == 'basic'", variables=["params.notice_days"],
                body="Notice is {{ params.notice_days }}, and [](#terms.extra) applies.\n")
    mini.release()
    with pytest.raises(RenderError) as caught:
        assemble(select(mini.load(), mini_profile()), provider)
    error = caught.value
    assert error.message == "terms.service:basic@1.0.0 refers to 'terms.extra', which is not part of this agreement"
    assert error.file == "slots/terms.service/basic/1.0.0.md"
    assert error.field == "cross-reference"


def test_a_guarded_reference_resolves_only_when_its_target_is_in(mini, mini_profile, provider):
    mini.clause("definitions.core", "standard", variables=["declined"],
                body='**"Client Data"** means data the Client gives the Provider.\n\n'
                     "{% if declined %}The controls the Client declined are listed in [](#schedule.declined)."
                     "{% endif %}\n")
    mini.release()
    library = mini.load()
    with_decline = assemble(select(library, mini_profile(controls={"mfa": {"status": "declined",
                                                                            "offered": "2025-12-01"}})), provider)
    assert "are listed in Schedule A." in clause_text(with_decline, "definitions.core")
    without = assemble(select(library, mini_profile()), provider)
    assert "listed in" not in clause_text(without, "definitions.core")
    assert without.schedules == ()


SPECIAL = {
    "legal_name": "Ñandú & <Søn> \"Quoted\" 'Single' *Star* _Under_ |Pipe| \\Back` שלום עולם مرحبا 🎉👩‍⚖️",
    "address": "1 <Main> St & 2nd Ave, Suite #5 *B*, São Paulo | שדרות 🚀",
    "signatory_name": "Zoë O'Brien-Smith *Jr.* [CEO](#x)",
    "reason": "Cost & <complexity>: users said \"no\" — 100% | *firmly* 🙅 لا",
}


def test_client_data_is_reproduced_exactly_in_the_rendered_blocks(harbor_data, make_profile, shipped_library,
                                                                  provider):
    harbor_data["client"]["legal_name"] = SPECIAL["legal_name"]
    harbor_data["client"]["address"] = SPECIAL["address"]
    harbor_data["client"]["signatory"]["name"] = SPECIAL["signatory_name"]
    harbor_data["controls"]["security_training"]["reason"] = SPECIAL["reason"]
    agreement = assemble(select(shipped_library, make_profile(harbor_data)), provider)

    (parties, *_) = agreement.preamble.blocks
    assert isinstance(parties, Paragraph)
    preamble = inline_text(parties.inlines)
    entity = harbor_data["client"]["entity"]
    assert f"and {SPECIAL['legal_name']}, {entity}, with its principal office at {SPECIAL['address']} (the " in preamble

    schedule = clause_text(agreement, "schedule.declined_controls")
    assert f"Reason given by the Client: {SPECIAL['reason']}" in schedule
    assert f"Name: {SPECIAL['signatory_name']}" in schedule
    # The acknowledgement is conspicuous: printed in capitals, but the text itself keeps the name exactly.
    assert f"BY SIGNING BELOW, {SPECIAL['legal_name'].upper()} CONFIRMS" in schedule
    raw = "\n".join(inline_text(b.inlines) for b in next(c for c in agreement.clauses()
                                                          if c.slot == "schedule.declined_controls").blocks
                     if isinstance(b, Paragraph))
    assert f"By signing below, {SPECIAL['legal_name']} confirms" in raw
    # Client data never becomes a cross-reference, a link or formatting.
    assert all(ref.target != "x" for clause in agreement.clauses() for ref in refs(clause.blocks))


def test_a_provider_without_a_website_is_a_render_error_naming_the_clause(shipped_library, provider):
    selection = select(shipped_library, load_profile(SAMPLES / "pine-tree-consulting.yaml"))
    no_site = provider.model_copy(update={"website": None})
    with pytest.raises(RenderError) as caught:
        assemble(selection, no_site)
    error = caught.value
    assert error.message.startswith("schedule.services:essentials@1.0.0: a value rendered empty")
    assert "provider.website" in error.message
    assert error.file == "slots/schedule.services/essentials/1.0.0.md"
    assert error.line is not None


def test_a_defined_term_used_without_its_definition_is_a_render_error(mini, mini_profile, provider):
    mini.clause("terms.extra", "legal", applies_when="industry == 'legal'",
                body='**"Matter Records"** means the files of a legal matter.\n')
    mini.clause("terms.service", "basic", applies_when="tier == 'basic'", variables=["params.notice_days"],
                body="The Provider shall protect Matter Records and give {{ params.notice_days }} of notice.\n")
    mini.release()
    library = mini.load()
    with pytest.raises(RenderError) as caught:
        assemble(select(library, mini_profile()), provider)
    assert "uses the defined term 'Matter Records'" in caught.value.message
    assert "terms.extra:legal@1.0.0" in caught.value.message
    agreement = assemble(select(library, mini_profile(industry="legal")), provider)
    assert "protect Matter Records" in clause_text(agreement, "terms.service")


def test_preamble_names_the_client_entity_only_when_the_profile_gives_one(harbor_data, make_profile,
                                                                         shipped_library, provider):
    with_entity = assemble(select(shipped_library, make_profile(harbor_data)), provider)
    assert "Harbor & Finch LLP, a California limited liability partnership, with its principal office" in \
        inline_text(with_entity.preamble.blocks[0].inlines)
    del harbor_data["client"]["entity"]
    without = assemble(select(shipped_library, make_profile(harbor_data)), provider)
    assert "and Harbor & Finch LLP, with its principal office" in inline_text(without.preamble.blocks[0].inlines)
    older = assemble(select(shipped_library, make_profile(harbor_data), as_of=date(2026, 1, 1)), provider)
    assert older.preamble.key == "agreement.parties:standard@1.0.0"
