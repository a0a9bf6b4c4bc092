"""The agreement .docx, read back with python-docx and lxml for every sample.

Each test reads what an attorney would see in Word (styles, numbering, fields, tables), not the
bytes we wrote: a change in how a thing is written passes as long as Word sees the same document.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest
from lxml import etree

from msa_builder.blocks import ListBlock
from msa_builder.blocks import Paragraph as BlockParagraph
from msa_builder.ooxml.package import read_parts
from msa_builder.ooxml.props import read_custom
from msa_builder.marks import DRAFT_MARK
from msa_builder.ooxml.layout import bookmark_name

from .docx_reading import (
    CLIENT_SAMPLES,
    NS,
    W,
    body_texts,
    bookmarks,
    expected_docx_texts,
    fields,
    open_docx,
    paragraph_text,
    part_xml,
    tables_with_header,
)

CORE_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
MATRIX_HEADER = ["Control", "Status", "Responsible", "Provider", "Client"]


def _docx(build) -> bytes:
    return build.files[f"{build.slug}-msa.docx"]


def _memo(build) -> bytes:
    return build.files[f"{build.slug}-review.docx"]


def _cover(document) -> list:
    """Cover paragraphs: everything before the table of contents heading."""
    out = []
    for p in document.paragraphs:
        if p.style.name == "TOC Heading":
            return out
        out.append(p)
    raise AssertionError("no table of contents heading found")


def _ordered_lists(blocks) -> list[ListBlock]:
    out = []
    for block in blocks:
        if isinstance(block, ListBlock):
            if block.ordered:
                out.append(block)
            for item in block.items:
                out += _ordered_lists(item)
    return out


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_cover_names_both_parties_and_carries_the_draft_mark(name, rendered_sample):
    build = rendered_sample(name)
    agreement = build.agreement
    cover = _cover(open_docx(_docx(build)))
    parties = [p.text for p in cover if p.style.name == "Cover Party"]
    assert parties == [agreement.provider.legal_name, agreement.client_name]
    assert [p.text for p in cover if p.style.name == "Cover Mark"] == [DRAFT_MARK]
    assert DRAFT_MARK == "DRAFT \u2014 FOR ATTORNEY REVIEW"
    assert any(agreement.id in p.text for p in cover)


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_articles_and_sections_use_words_builtin_heading_styles(name, rendered_sample):
    build = rendered_sample(name)
    agreement = build.agreement
    document = open_docx(_docx(build))
    h1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    h2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert h1 == [a.title for a in agreement.articles]
    assert h2 == [s.clause.title for a in agreement.articles for s in a.sections]
    for style_name, style_id in (("Heading 1", "Heading1"), ("Heading 2", "Heading2")):
        style = document.styles[style_name]
        assert style.style_id == style_id
        assert style.builtin
        # Word recognises its built-in headings by the lower-case name in styles.xml.
        assert style.element.name_val == style_name.lower()


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_clause_lists_are_numbered_and_every_ordered_list_restarts(name, rendered_sample):
    build = rendered_sample(name)
    agreement = build.agreement
    data = _docx(build)
    document = open_docx(data)
    blocks = [c.blocks for c in agreement.clauses()]
    lists = [lst for b in blocks for lst in _ordered_lists(b)]
    items = sum(1 for lst in lists for item in lst.items if item and isinstance(item[0], BlockParagraph))
    assert lists, "every sample has ordered lists"

    clause_list = [p for p in document.paragraphs if p.style.name == "Clause List"]
    assert len(clause_list) == items
    used: dict[str, set[str]] = {}
    for p in clause_list:
        num_pr = p._p.find(f"{W}pPr/{W}numPr")
        assert num_pr is not None, f"list item without numbering: {p.text[:60]!r}"
        num_id = num_pr.find(f"{W}numId").get(f"{W}val")
        used.setdefault(num_id, set()).add(num_pr.find(f"{W}ilvl").get(f"{W}val"))
    # One numbering instance per list: Word would otherwise continue (d), (e)... across lists.
    assert len(used) == len(lists)

    numbering = part_xml(data, "word/numbering.xml")
    for num_id, levels in used.items():
        num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
        assert num is not None, f"numId {num_id} is not defined in numbering.xml"
        assert num.find("w:abstractNumId", NS).get(f"{W}val") == "2"
        assert len(levels) == 1
        override = num.find("w:lvlOverride", NS)
        assert override.get(f"{W}ilvl") == next(iter(levels))
        assert override.find("w:startOverride", NS).get(f"{W}val") == "1"


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_table_of_contents_is_a_real_toc_field(name, rendered_sample):
    build = rendered_sample(name)
    agreement = build.agreement
    root = part_xml(_docx(build), "word/document.xml")
    tocs = [f for f in fields(root) if f.instruction.startswith("TOC")]
    assert len(tocs) == 1
    assert "TOC \\o" in tocs[0].instruction
    begin = root.find(".//w:fldChar[@w:fldCharType='begin']", NS)
    assert begin.get(f"{W}dirty") == "true", "Word should rebuild the page numbers on opening"
    entries = [p for p in open_docx(_docx(build)).paragraphs if p.style.name in ("toc 1", "toc 2")]
    sections = sum(len(a.sections) for a in agreement.articles)
    assert len(entries) == len(agreement.articles) + sections + 1 + len(agreement.schedules)
    assert entries[-1].text.startswith(f"SCHEDULE {agreement.schedules[-1].letter}:")


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_cross_references_are_ref_fields_showing_the_target_number(name, rendered_sample):
    build = rendered_sample(name)
    agreement = build.agreement
    root = part_xml(_docx(build), "word/document.xml")
    marks = bookmarks(root)
    sections = {bookmark_name(s.clause.slot): s for a in agreement.articles for s in a.sections}
    schedules = {bookmark_name(s.clause.slot): s for s in agreement.schedules}
    refs = [f for f in fields(root) if f.instruction.startswith("REF ")]
    assert refs
    kinds = set()
    for ref in refs:
        target = ref.instruction.split()[1]
        assert target in marks, f"{ref.instruction!r} points at a bookmark that does not exist"
        if target in sections:
            section = sections[target]
            assert ref.result == section.number
            assert "\\w" in ref.instruction.split()
            heading = marks[target]
            assert heading.find("w:pPr/w:pStyle", NS).get(f"{W}val") == "Heading2"
            assert paragraph_text(heading) == section.clause.title
            kinds.add("section")
        else:
            assert target in schedules, f"{target} is neither a section nor a schedule"
            assert ref.result == schedules[target].label
            assert ref.result.startswith("Schedule ")
            kinds.add("schedule")
    assert kinds == {"section", "schedule"}


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_header_and_footer(name, rendered_sample):
    build = rendered_sample(name)
    agreement = build.agreement
    data = _docx(build)
    document = open_docx(data)
    for section in document.sections:
        header = "\n".join(p.text for p in section.header.paragraphs)
        assert agreement.client_name in header
        assert agreement.id in header
        assert DRAFT_MARK in header
        footer = "\n".join(p.text for p in section.footer.paragraphs)
        assert f"library {agreement.library_version}" in footer
    parts = read_parts(data)
    footers = [n for n in parts if n.startswith("word/footer")]
    assert footers
    instructions = {f.instruction for n in footers for f in fields(part_xml(data, n))}
    assert "PAGE" in instructions


def test_the_body_is_numbered_from_1_after_an_unnumbered_cover_and_contents(rendered_sample):
    data = _docx(rendered_sample("harbor-finch.yaml"))
    document = open_docx(data)
    front, body = document.sections
    assert front.footer.paragraphs[0].text.strip() == body.footer.paragraphs[0].text.split("\t")[0].strip()
    assert not fields(front.footer._element) and "Page" in body.footer.paragraphs[0].text
    restart = body._sectPr.find(f"{W}pgNumType")
    assert restart is not None and restart.get(f"{W}start") == "1"
    assert front._sectPr.find(f"{W}pgNumType") is None


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_signature_table_names_both_signatories(name, rendered_sample):
    build = rendered_sample(name)
    agreement = build.agreement
    client = agreement.client
    provider = agreement.provider
    document = open_docx(_docx(build))
    tables = tables_with_header(document, [provider.legal_name.upper(), client.legal_name.upper()])
    assert len(tables) == 1
    cells = [[c.text for c in row.cells] for row in tables[0].rows]
    assert [f"Name: {provider.signatory.name}", f"Name: {client.signatory.name}"] in cells
    assert [f"Title: {provider.signatory.title}", f"Title: {client.signatory.title}"] in cells


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_responsibility_matrix_is_a_table_with_a_row_per_control(name, rendered_sample):
    build = rendered_sample(name)
    selection = build.agreement
    document = open_docx(_docx(build))
    tables = tables_with_header(document, MATRIX_HEADER)
    assert len(tables) == 1
    rows = [[c.text for c in row.cells] for row in tables[0].rows[1:]]
    assert len(rows) == 7 == len(selection.controls)
    assert [r[0] for r in rows] == [c.name for c in selection.controls]
    for row, control in zip(rows, selection.controls):
        if control.status == "declined":
            assert row[1] == "Declined by the Client"
            assert row[2] == "Client"
    # The header row repeats on every page the table crosses.
    assert tables[0].rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_docx_text_holds_every_line_of_the_agreement_in_order(name, rendered_sample):
    build = rendered_sample(name)
    texts = [t.casefold() for t in body_texts(open_docx(_docx(build)))]
    position = 0
    for line in build.agreement.text_lines():
        if not line:
            continue
        wanted = [c.casefold() for c in expected_docx_texts(line)]
        found = next((i for i in range(position, len(texts)) if texts[i] in wanted), None)
        assert found is not None, f"not in the DOCX (after paragraph {position}): {line!r}"
        position = found + 1


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_core_properties_come_from_the_inputs_not_the_machine(name, rendered_sample):
    build = rendered_sample(name)
    agreement = build.agreement
    midnight = datetime.combine(agreement.effective_date, datetime.min.time(), tzinfo=timezone.utc)
    for data in (_docx(build), _memo(build)):
        core_xml = read_parts(data)["docProps/core.xml"]
        assert b"python-docx" not in core_xml
        props = open_docx(data).core_properties
        assert props.author == agreement.provider.legal_name
        # Read with lxml: importing docxtpl (docxcompose) rebinds python-docx's `cp` prefix to the
        # custom-properties namespace, so python-docx reads cp:lastModifiedBy as empty in this process.
        core = etree.fromstring(core_xml)
        assert core.findtext(f"{{{CORE_NS}}}lastModifiedBy") == agreement.provider.legal_name
        assert props.created == midnight
        assert props.modified == midnight
        assert agreement.client_name in props.title
        assert props.subject == f"Agreement {agreement.id}"


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_custom_properties_carry_the_lock(name, rendered_sample):
    build = rendered_sample(name)
    lock = build.lock
    for data in (_docx(build), _memo(build)):
        props = read_custom(read_parts(data)["docProps/custom.xml"])
        assert props["msa.bom_sha256"] == lock["bom_sha256"]
        assert props["msa.agreement_id"] == build.agreement.id
        assert props["msa.status"] == "draft"
        clause_props = {k for k in props if k.startswith("msa.clause.")}
        assert clause_props == {f"msa.clause.{c['slot']}" for c in lock["bom"]["clauses"]}
        for clause in lock["bom"]["clauses"]:
            value = props[f"msa.clause.{clause['slot']}"]
            assert value == f"{clause['variant']}@{clause['version']} {clause['status']} sha256:{clause['sha256']}"
    for file_name, data in build.files.items():
        if not file_name.endswith("-lock.json"):
            assert lock["outputs"][file_name] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_no_template_marker_reaches_an_output(name, rendered_sample):
    build = rendered_sample(name)
    for file_name, data in build.files.items():
        texts = [data.decode("utf-8")] if file_name.endswith(".json") else [
            content.decode("utf-8") for part, content in read_parts(data).items() if part.endswith(".xml")]
        for text in texts:
            for marker in ("{{", "}}", "{%", "%}", "{#", "<!--msa:"):
                assert marker not in text, f"{marker!r} left in {file_name}"


def test_declined_controls_schedule_lists_each_control_with_its_limits_and_acknowledgement(rendered_sample):
    """Harbor & Finch (a California law firm) declined security awareness training."""
    build = rendered_sample("harbor-finch.yaml")
    consequences = {c.id: c.consequence for c in build.agreement.controls}
    schedule = next(s for s in build.agreement.schedules if s.clause.slot == "schedule.declined_controls")
    paragraphs = open_docx(_docx(build)).paragraphs
    start = next(i for i, p in enumerate(paragraphs)
                 if p.style.name == "Schedule Heading" and p.text.startswith(schedule.label))
    end = next((i for i in range(start + 1, len(paragraphs)) if paragraphs[i].style.name == "Schedule Heading"),
               len(paragraphs))
    part = paragraphs[start:end]
    assert part[0].text == f"{schedule.label}\nDeclined Controls and Risk Acceptance"
    names = ["Security Awareness Training"]
    assert [p.text for p in part if p.style.name == "Heading 3"] == [*names, "Acknowledgement of this schedule"]
    for control_id, name in (("security_training", names[0]),):
        consequence = consequences[control_id]
        assert sum(1 for p in part if p.text.startswith("Consequence: ") and consequence in p.text) == 1
        acknowledgements = [p for p in part if p.text.startswith(f"Client acknowledgement for {name}.")]
        assert len(acknowledgements) == 1
        assert f"The Client declines {name}" in acknowledgements[0].text
        # The acknowledgement is conspicuous: bold capitals by run properties, the words in their own case.
        runs = [r for r in acknowledgements[0].runs if r.text.strip()]
        assert runs and all(r.bold and r.font.all_caps for r in runs)
