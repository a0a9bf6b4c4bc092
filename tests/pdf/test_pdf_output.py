"""The agreement PDF (`--format docx,pdf`): LibreOffice's rendering of the DOCX, finished by pypdf.

The tests share the session's converter (each LibreOffice start costs ~1-2 s; only the "cli"
engine test starts its own), and the Harbor & Finch draft PDF is built once for the module.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from render.docx_reading import (  # tests/ is on sys.path (rootdir of the test packages)
    SAMPLES,
    open_docx,
)

from msa_builder.outputs import build, render_build
from msa_builder.errors import ConversionError
from msa_builder.lifecycle.execution import execution_version
from msa_builder.pdf import finish_agreement_pdf, signing_order
from msa_builder.pdf.finish import WATERMARK
from msa_builder.profile import load_profile

pytestmark = pytest.mark.soffice

HARBOR = SAMPLES / "harbor-finch.yaml"


@pytest.fixture(scope="module")
def pdf_options(build_options):
    return replace(build_options, formats=("docx", "pdf"))


@pytest.fixture(scope="module")
def harbor(pdf_options, pdf_converter):
    """Harbor & Finch (two declined controls, eight schedules) built as DOCX and PDF, once."""
    return render_build(load_profile(HARBOR), pdf_options, converter=pdf_converter)


def _pdf(build_result) -> bytes:
    return build_result.files[f"{build_result.slug}-msa.pdf"]


def _reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _body_text(reader: PdfReader, agreement) -> str:
    """The PDF's text without the watermark and the running header and footer."""
    header = f"{agreement.client_name} \u00b7 {agreement.id} {WATERMARK}"
    footer = f"{agreement.title} \u00b7 {agreement.id} \u00b7 library {agreement.library_version}"
    kept = []
    for page in reader.pages:
        for line in page.extract_text().splitlines():
            if line.strip() in (WATERMARK, header, footer) or re.fullmatch(r"Page \d+", line.strip()):
                continue
            kept.append(line)
    return _norm(" ".join(kept))


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    out = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def _docx_sections(data: bytes) -> list[tuple[str, list[str]]]:
    """(heading, paragraph texts) for every article, section and schedule of the DOCX body."""
    sections: list[tuple[str, list[str]]] = []
    started = False
    for p in open_docx(data).paragraphs:
        style = p.style.name
        if style in ("Heading 1", "Heading 2", "Schedule Heading"):
            started = True
            sections.append((p.text, []))
        elif started and p.text.strip():
            sections[-1][1].append(p.text)
    return sections


def test_pdf_text_matches_the_docx_clause_by_clause(harbor):
    text = _body_text(_reader(_pdf(harbor)), harbor.agreement)
    sections = _docx_sections(harbor.files[f"{harbor.slug}-msa.docx"])
    assert len(sections) > 50
    position = 0
    for heading, paragraphs in sections:
        for needle in [heading, *(p[:60] for p in paragraphs)]:
            found = text.find(_norm(needle), position)
            assert found >= 0, f"{needle!r} (under {heading!r}) is not in the PDF after character {position}"
            position = found + len(_norm(needle))


def test_table_cells_do_not_split_words(harbor):
    reader = _reader(_pdf(harbor))
    pages = {title: page for _, title, page in _outline(reader)}
    schedules = harbor.agreement.schedules
    matrix = next(i for i, s in enumerate(schedules) if s.clause.slot == "schedule.responsibility_matrix")
    first = pages[f"{schedules[matrix].label}: {schedules[matrix].clause.title}"]
    last = pages[f"{schedules[matrix + 1].label}: {schedules[matrix + 1].clause.title}"]
    text = _norm(" ".join(reader.pages[i].extract_text() for i in range(first, last)))
    for word in ("Status", "Responsible"):
        assert f" {_norm(word)} " in text
    for control in harbor.agreement.controls:
        assert _norm(control.name) in text
    assert text.count(_norm("Declined by the Client")) == len(harbor.agreement.declined)


def test_outline_lists_every_article_section_signatures_and_schedule(harbor):
    agreement = harbor.agreement
    outline = _outline(_reader(_pdf(harbor)))
    expected = []
    for article in agreement.articles:
        expected.append((0, f"Article {article.number}. {article.title}"))
        expected += [(1, f"{s.number} {s.clause.title}") for s in article.sections]
    expected.append((0, "Signatures"))
    expected += [(0, f"{s.label}: {s.clause.title}") for s in agreement.schedules]
    assert [(depth, title) for depth, title, _ in outline[:len(expected)]] == expected
    pages = [page for _, _, page in outline[:len(expected)]]
    assert pages == sorted(pages)
    assert pages[0] >= 2  # after the cover and the contents


def test_where_to_sign_points_at_the_signature_page_and_each_acknowledgement(harbor):
    reader = _reader(_pdf(harbor))
    outline = _outline(reader)
    pages = {title: page for _, title, page in outline}
    group = [i for i, (depth, title, _) in enumerate(outline) if depth == 0 and title == "Where to sign"]
    assert len(group) == 1
    children = [(title, page) for depth, title, page in outline[group[0] + 1:] if depth == 1]
    assert children[0] == ("Signature page: both Parties", pages["Signatures"])
    declined_schedule = pages["Schedule G: Declined Controls and Risk Acceptance"]
    for name in ("Security Awareness Training",):
        entry = [(t, p) for t, p in children if t == f"Client acknowledges declined {name}"]
        assert len(entry) == 1
        page = entry[0][1]
        assert page >= declined_schedule
        assert _norm(f"Client acknowledgement for {name}.") in _norm(reader.pages[page].extract_text())
    assert children[-1][0] == "Client signs the declined-controls schedule"


def test_finishing_reads_the_text_of_few_pages(harbor, pdf_converter, tmp_path, text_reads):
    """Headings come from LibreOffice's bookmarks and each signing place is searched from its own
    heading, so finishing reads about one page per signing place, not the whole agreement."""
    docx = tmp_path / "agreement.docx"
    docx.write_bytes(harbor.files[f"{harbor.slug}-msa.docx"])
    pdf_converter.convert(docx, tmp_path / "agreement.pdf")
    raw = (tmp_path / "agreement.pdf").read_bytes()
    text_reads.clear()  # the converter's own check read page 1; count finishing only
    finished = finish_agreement_pdf(harbor.agreement, raw, harbor.lock["bom"])
    assert finished == _pdf(harbor), "converting and finishing again gives the build's bytes"
    assert 0 < len(text_reads) <= len(signing_order(harbor.agreement)) < len(_reader(raw).pages) / 5


def test_page_labels_name_cover_contents_signatures_and_schedule_pages(harbor):
    reader = _reader(_pdf(harbor))
    labels = reader.page_labels
    assert labels[0] == "Cover"
    assert labels[1] == "Contents i"
    pages = {title: page for _, title, page in _outline(reader)}
    first_article = next(title for depth, title, _ in _outline(reader) if depth == 0)
    body = pages[first_article]
    assert labels[body] == "1" and labels[body + 1] == "2"
    assert "Page 1" in reader.pages[body].extract_text().splitlines()  # the label is the printed number
    assert labels[pages["Signatures"]] == "Signatures-1"
    for schedule in harbor.agreement.schedules:
        first = pages[f"{schedule.label}: {schedule.clause.title}"]
        assert labels[first] == f"{schedule.letter}-1"
    assert "G-1" in labels and "G-2" in labels


def test_metadata_carries_the_lock_hash_title_author_and_a_fixed_date(harbor):
    agreement = harbor.agreement
    lock = harbor.lock
    data = _pdf(harbor)
    meta = _reader(data).metadata
    assert meta["/MsaLockSha256"] == lock["bom_sha256"]
    assert lock["bom_sha256"] in meta["/Keywords"]
    assert meta["/Title"] == f"{agreement.title} \u2014 {agreement.client_name}"
    assert meta["/Author"] == agreement.provider.legal_name
    assert meta["/CreationDate"] == "D:20261201000000Z" == meta["/ModDate"]
    assert meta["/MsaStatus"] == "draft"
    assert "python-docx" not in str(dict(meta))
    assert lock["outputs"][f"{harbor.slug}-msa.pdf"] == hashlib.sha256(data).hexdigest()


def _watermarks(page) -> list[bytes]:
    """The content of every watermark form XObject the page draws."""
    content = page.get_contents().get_data()
    xobjects = page["/Resources"].get("/XObject", {})
    return [xobjects[name].get_object().get_data() for name in xobjects
            if name.startswith("/MsaWm") and f"{name} Do".encode() in content]


def test_draft_pages_carry_the_watermark(harbor):
    reader = _reader(_pdf(harbor))
    for page in reader.pages:
        content = page.get_contents().get_data()
        assert content.startswith(b"q /MsaWm0 Do Q"), "the watermark is drawn first, under the text"
        [stamp] = _watermarks(page)
        assert b"/MsaWmFont" in stamp
        assert b"FOR ATTORNEY REVIEW) Tj" in stamp
        form = page["/Resources"]["/XObject"]["/MsaWm0"].get_object()
        assert form["/Subtype"] == "/Form"
        assert "/MsaWmFont" in form["/Resources"]["/Font"]


def test_the_watermark_leaves_libreoffices_page_content_alone(harbor, pdf_options, pdf_converter):
    final = render_build(load_profile(HARBOR), replace(pdf_options, final=True), converter=pdf_converter)
    draft, clean = _reader(_pdf(harbor)), _reader(_pdf(final))
    assert len(draft.pages) == len(clean.pages)
    page = draft.pages[3]
    streams = page["/Contents"]
    assert len(streams) == 2, "one small stream for the watermark, then LibreOffice's own"
    assert streams[1].get_object()["/Filter"] == "/FlateDecode"
    # Stamping every page costs a few hundred bytes, not a recompressed copy of every page.
    assert len(_pdf(harbor)) < len(_pdf(final)) * 1.1


def test_two_builds_give_byte_identical_pdfs(harbor, pdf_options, pdf_converter, tmp_path):
    again = build(HARBOR, tmp_path / "again", pdf_options, converter=pdf_converter)
    assert again.files[f"{harbor.slug}-msa.pdf"].read_bytes() == _pdf(harbor)
    assert again.files[f"{harbor.slug}-lock.json"].read_bytes() == harbor.files[f"{harbor.slug}-lock.json"]


def test_a_final_draft_is_still_marked_a_draft(pdf_options, pdf_converter):
    """`--final` uses approved clauses only, but only approval makes an execution version."""
    final = render_build(load_profile(HARBOR), replace(pdf_options, final=True), converter=pdf_converter)
    reader = _reader(_pdf(final))
    assert all(_watermarks(page) for page in reader.pages)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "FINAL DRAFT" in text and "EXECUTION VERSION" not in text
    assert reader.metadata["/MsaStatus"] == "final"
    assert "/AcroForm" not in reader.trailer["/Root"]


def test_the_execution_version_has_no_watermark(pdf_options, pdf_converter):
    final = render_build(load_profile(HARBOR), replace(pdf_options, final=True), converter=pdf_converter)
    execution = execution_version(final.agreement, final.lock["bom"], pdf_options.templates_dir,
                                  converter=pdf_converter)
    reader = _reader(execution.files[execution.pdf_name])
    for page in reader.pages:
        assert b"/MsaWm" not in page.get_contents().get_data()
        assert not _watermarks(page)
        assert "/MsaWmFont" not in page["/Resources"].get("/Font", {})
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "FOR ATTORNEY" not in text and "DRAFT" not in text
    assert "EXECUTION VERSION" in text
    assert reader.metadata["/MsaStatus"] == "execution"
    assert reader.metadata["/MsaAgreementId"] == final.agreement.id, "the reviewed draft's instrument id"
    assert reader.metadata["/MsaLockSha256"] == json.loads(execution.files[execution.names["lock"]])["bom_sha256"]


@pytest.mark.parametrize("name", ["harbor-finch.yaml", "riverbend-pediatrics.yaml"])
def test_libreoffice_accepts_the_agreement_and_the_memo(name, rendered_sample, pdf_converter, tmp_path):
    built = rendered_sample(name)
    kinds = ("review",) if name == "harbor-finch.yaml" else ("msa", "review")  # harbor's agreement: above
    for kind in kinds:
        source = tmp_path / f"{built.slug}-{kind}.docx"
        source.write_bytes(built.files[source.name])
        pages = pdf_converter.convert(source, tmp_path / f"{kind}.pdf", expect_text=built.agreement.client_name)
        assert pages > 1


@pytest.mark.parametrize("engine", ["uno", "cli"])
def test_random_bytes_are_not_converted(engine, pdf_converter, tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(random.Random(7).randbytes(8000))  # the cli engine once read this as text
    if engine == pdf_converter.engine:
        converter, own = pdf_converter, None
    else:
        from msa_builder.pdf.convert import PdfConverter

        converter = own = PdfConverter(engine=engine, timeout=60)
    try:
        with pytest.raises(ConversionError) as caught:
            converter.convert(broken, tmp_path / "broken.pdf")
    finally:
        if own is not None:
            own.close()
    assert caught.value.file == str(broken)
    assert str(broken) in caught.value.format()
    assert not (tmp_path / "broken.pdf").exists()


def test_the_shared_converter_still_works_after_a_failure(pdf_converter, rendered_sample, tmp_path):
    built = rendered_sample("copper-kettle.yaml")
    source = tmp_path / "memo.docx"
    source.write_bytes(built.files[f"{built.slug}-review.docx"])
    assert pdf_converter.convert(source, tmp_path / "memo.pdf") >= 1
    assert Path(tmp_path / "memo.pdf").read_bytes().startswith(b"%PDF")


def test_the_uno_worker_reports_its_seconds_and_memory(harbor, pdf_converter, tmp_path):
    """Benchmarks read LibreOffice's own cost per document from these reports."""
    if pdf_converter.engine != "uno":
        pytest.skip("only the uno worker reports timings")
    docx = tmp_path / "agreement.docx"
    docx.write_bytes(harbor.files[f"{harbor.slug}-msa.docx"])
    before = len(pdf_converter.timings), len(pdf_converter.memory_mb)
    pdf_converter.convert(docx, tmp_path / "agreement.pdf")
    assert (len(pdf_converter.timings), len(pdf_converter.memory_mb)) == (before[0] + 1, before[1] + 1)
    seconds = pdf_converter.timings[-1]
    assert set(seconds) == {"load", "contents", "export", "total"}
    assert all(value > 0 for value in seconds.values())
    assert seconds["total"] >= seconds["load"] + seconds["contents"] + seconds["export"] - 0.001
    # soffice.bin itself, not only the wrapper script that started it
    assert pdf_converter.memory_mb[-1] > 50
