"""The real execution PDF (Harbor & Finch, approved) through LibreOffice: fields, signing, verifying.

Harbor & Finch declined two controls, so its execution PDF has five signing places; the fields
must sit on the lines LibreOffice printed, which this module locates independently with pypdf's
`visitor_text` (where each line starts, and its baseline).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pypdf import PdfReader
from render.docx_reading import SAMPLES  # tests/ is on sys.path (rootdir of the test packages)

from msa_builder.lifecycle.execution import execution_version
from msa_builder.outputs import render_build
from msa_builder.pdf import finish_agreement_pdf
from msa_builder.profile import load_profile
from msa_builder.signing import signature_fields, sign_pdf, verify_signed_pdf

from .conftest import PASSPHRASE
from .pki import client_fields, sign_all_client_fields

pytestmark = pytest.mark.soffice

HARBOR = SAMPLES / "harbor-finch.yaml"
NAMES = ["provider_signature", "client_signature", "client_ack_security_training", "client_schedule_signature"]
# field -> the text its line starts with, as the templates print it
LABELS = {"provider_signature": "By:", "client_signature": "By:", "client_ack_security_training": "Initials of",
          "client_schedule_signature": "Client signature:"}


@pytest.fixture(scope="module")
def final_options(build_options):
    return replace(build_options, formats=("docx", "pdf"), final=True)


@pytest.fixture(scope="module")
def final(final_options, pdf_converter):
    return render_build(load_profile(HARBOR), final_options, converter=pdf_converter)


@pytest.fixture(scope="module")
def execution(final, final_options, pdf_converter):
    return execution_version(final.agreement, final.lock["bom"], final_options.templates_dir,
                             converter=pdf_converter)


@pytest.fixture(scope="module")
def pdf(execution) -> bytes:
    return execution.files[execution.pdf_name]


def _lines(reader: PdfReader, page: int) -> list[tuple[str, float, float, float]]:
    """(text, x, baseline, size) of every text run pypdf reports on the page."""
    out: list[tuple[str, float, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((text, tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5], size))

    reader.pages[page].extract_text(visitor_text=visit)
    return out


def _qpdf_check(data: bytes, tmp_path) -> None:
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_signing_place_has_its_field_listed_by_pypdf_and_pyhanko(pdf):
    assert [f.name for f in signature_fields(pdf)] == NAMES
    assert [name for name, _, _ in enumerate_sig_fields(PdfFileReader(io.BytesIO(pdf)))] == NAMES


def test_fields_are_on_the_pages_where_to_sign_points(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    group = next(i for i, item in enumerate(reader.outline) if not isinstance(item, list)
                 and item.title == "Where to sign")
    places = [reader.get_destination_page_number(item) for item in reader.outline[group + 1]]
    pages = [f.page for f in signature_fields(pdf)]
    assert pages[0] == pages[1] == places[0], "both parties sign the signature page"
    assert pages[2:] == places[1:], "each acknowledgement, then the schedule"


@pytest.mark.parametrize("name", NAMES)
def test_each_field_lies_over_its_line_in_its_row_and_column(pdf, name):
    reader = PdfReader(io.BytesIO(pdf))
    field = next(f for f in signature_fields(pdf) if f.name == name)
    x0, y0, x1, y1 = field.rect
    lines = _lines(reader, field.page)
    under = [line for line in lines if y0 < line[2] < y1 and line[1] < x0]
    assert under, "a line of text under the field"
    mine = max(under, key=lambda line: line[1])  # the nearest line starting left of the field
    assert mine[0].startswith(LABELS[name]) and "___" in mine[0], f"it is a {LABELS[name]!r} signature line"
    text, start, baseline, size = mine
    assert x0 > start + len(LABELS[name]) * 0.4 * size, "the label stays outside the field"
    underscores = len(re.search(r"_+", text).group())  # the first run: the initials, not the date
    assert underscores * 0.4 * size < x1 - x0 < underscores * 0.6 * size, "the field spans the underscores only"
    others = [line for line in lines if line is not mine]
    right = min((line[1] for line in others if abs(line[2] - baseline) < 1 and line[1] > start), default=540.5)
    assert x1 <= right, "within its column: it stops before the next column's text"
    above = min(line[2] for line in others if line[2] > baseline + 1)
    below = max(line[2] for line in others if line[2] < baseline - 1)
    assert below < y0 and y1 < above, "within its row"


def test_the_execution_pdf_declares_libreoffices_version_and_passes_qpdf(pdf, tmp_path):
    assert pdf.startswith(b"%PDF-1.6\n")
    if shutil.which("qpdf"):
        _qpdf_check(pdf, tmp_path)


def test_making_it_twice_gives_the_same_bytes(pdf, final, final_options, pdf_converter):
    again = execution_version(final.agreement, final.lock["bom"], final_options.templates_dir,
                              converter=pdf_converter)
    assert again.files[again.pdf_name] == pdf


def test_finishing_a_draft_adds_no_fields(final, execution, pdf_converter, tmp_path):
    docx = tmp_path / "agreement.docx"
    docx.write_bytes(execution.files[execution.names["docx"]])
    pdf_converter.convert(docx, tmp_path / "agreement.pdf")
    draft = finish_agreement_pdf(final.agreement, (tmp_path / "agreement.pdf").read_bytes(), final.lock["bom"])
    assert signature_fields(draft) == []
    assert "/AcroForm" not in PdfReader(io.BytesIO(draft)).trailer["/Root"]
    assert draft.startswith(b"%PDF-1.6\n")


def test_client_signs_every_field_provider_countersigns_and_it_verifies(final, pdf, pki, provider_key, tmp_path):
    client_signed = sign_all_client_fields(pdf, pki.client)
    both = sign_pdf(client_signed, key=provider_key, passphrase=PASSPHRASE)
    signed = client_fields(pdf)
    assert signed == ("client_signature", "client_ack_security_training", "client_schedule_signature")
    report = verify_signed_pdf(both, original=pdf, trust_roots=[pki.ca.cert],
                               required_fields=(*signed, "provider_signature"))
    assert report.valid, report.failures
    assert [s.field for s in report.signatures] == [*signed, "provider_signature"]
    assert all(s.state == "valid" for s in report.signatures)
    assert report.metadata["agreement_id"] == final.agreement.id
    assert report.metadata["status"] == "execution"
    if shutil.which("qpdf"):
        _qpdf_check(client_signed, tmp_path)
        _qpdf_check(both, tmp_path)
