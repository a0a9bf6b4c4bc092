"""Signature fields on a small PDF made here (tests/pdf/small_agreement.py): no LibreOffice needed.

The test font's widths are known, so each field's expected rectangle is computed here from the
line's text and compared with what was placed.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pdf.small_agreement import (  # tests/ is on sys.path (rootdir of the test packages)
    ACK_BACKUP,
    ACK_MFA,
    BY,
    CLIENT,
    FIELDS,
    INITIALS,
    PAGES,
    PLACES,
    PROVIDER,
    SCHEDULE,
    SCHEDULE_SIGNATURE,
    SIZE,
    finished,
    raw_pdf,
    underscores,
)
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pypdf import PdfReader

from msa_builder.errors import ConversionError, SigningError
from msa_builder.pdf.fields import SignatureLine, signature_fields
from msa_builder.pdf.finish import SigningPlace

# (field, page index, x where its line starts, baseline, the line's text)
LINES = [
    ("provider_signature", 2, 77.5, 591.9, BY),
    ("client_signature", 2, 311.5, 591.9, BY),
    ("client_ack_mfa", 3, 108, 560, INITIALS),
    ("client_ack_backup", 4, 108, 700, INITIALS),
    ("client_schedule_signature", 4, 108, 600, SCHEDULE_SIGNATURE),
]


@pytest.fixture(scope="module")
def execution() -> bytes:
    return finished()


def _baselines(page: int) -> list[float]:
    return sorted({y for _, y, _ in PAGES[page]})


@pytest.mark.parametrize("name,page,x,baseline,text", LINES, ids=[line[0] for line in LINES])
def test_each_field_lies_exactly_over_its_underscores_within_its_row(execution, name, page, x, baseline, text):
    field = next(f for f in signature_fields(execution) if f.name == name)
    start, end = underscores(text)
    x0, y0, x1, y1 = field.rect
    assert field.page == page
    assert (x0, x1) == pytest.approx((x + start, x + end), abs=0.01), "from the first underscore to the last"
    above = min(y for y in _baselines(page) if y > baseline)
    below = max((y for y in _baselines(page) if y < baseline), default=0)
    assert below < y0 < baseline < y1 < above - 0.25 * SIZE, "inside the line's row, clear of the text above"
    assert y1 - y0 >= 1.5 * SIZE, "tall enough to sign in"


def test_fields_follow_signing_order_and_start_empty(execution):
    fields = signature_fields(execution)
    assert [f.name for f in fields] == [line.field for line in FIELDS]
    assert not any(f.signed for f in fields)


def test_each_field_is_a_signature_widget_a_signer_offers(execution):
    reader = PdfReader(io.BytesIO(execution))
    form = reader.trailer["/Root"]["/AcroForm"]
    assert form["/SigFlags"] == 3, "signature fields exist; save incrementally"
    for ref in form["/Fields"]:
        widget = ref.get_object()
        assert widget["/FT"] == "/Sig" and widget["/Subtype"] == "/Widget" and widget["/Type"] == "/Annot"
        assert widget["/F"] & 4, "printed"
        page = widget["/P"].get_object()
        assert ref.idnum in [a.idnum for a in page["/Annots"]], "the widget is on the page it names"
        assert widget["/AP"]["/N"]["/Subtype"] == "/Form"
        assert "/V" not in widget


def test_pyhanko_lists_the_same_empty_fields_as_pypdf(execution):
    by_pypdf = [f.name for f in signature_fields(execution)]
    by_pyhanko = [name for name, value, _ in enumerate_sig_fields(PdfFileReader(io.BytesIO(execution)))]
    assert by_pyhanko == by_pypdf == [line.field for line in FIELDS]
    assert all(value is None for _, value, _ in enumerate_sig_fields(PdfFileReader(io.BytesIO(execution))))


def test_a_draft_gets_no_fields(execution):
    draft = finished(final=False)
    assert signature_fields(draft) == []
    assert "/AcroForm" not in PdfReader(io.BytesIO(draft)).trailer["/Root"]


def test_the_field_bearing_pdf_is_reproducible(execution):
    assert finished() == execution
    assert finished(title="Another agreement") != execution


def test_the_header_declares_what_the_content_needs(execution):
    assert PdfReader(io.BytesIO(raw_pdf())).pdf_header == "%PDF-1.3"  # what pypdf wrote for the source
    assert execution.startswith(b"%PDF-1.3\n"), "fields and labels need nothing newer than the source"
    assert finished(final=False).startswith(b"%PDF-1.4\n"), "the draft's watermark uses 1.4 transparency"


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_qpdf_finds_no_errors(execution, tmp_path):
    path = tmp_path / "execution.pdf"
    path.write_bytes(execution)
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No syntax or stream encoding errors" in run.stdout


def test_the_client_in_the_running_header_does_not_claim_the_providers_line(execution):
    """The header "Harbor & Finch LLP · …" stands above the provider's column too; the client's
    line is the one under the client's name in the table, the nearest anchor above it."""
    fields = {f.name: f for f in signature_fields(execution)}
    assert fields["provider_signature"].rect[0] < 300 < fields["client_signature"].rect[0]


def test_a_missing_line_is_an_error_naming_the_field():
    pages = [list(p) for p in PAGES]
    pages[4] = [line for line in pages[4] if line[2] != SCHEDULE_SIGNATURE]
    with pytest.raises(ConversionError, match="client_schedule_signature") as caught:
        finished(raw_pdf(pages))
    assert "Client signature:" in caught.value.message and caught.value.field == "signature fields"


def test_an_acknowledgement_does_not_take_the_next_controls_line():
    """If the MFA line is missing, the backup line below belongs to its own anchor, not to MFA."""
    pages = [list(p) for p in PAGES]
    pages[3] = [line for line in pages[3] if line[2] != INITIALS]
    with pytest.raises(ConversionError, match="client_ack_mfa"):
        finished(raw_pdf(pages))


def test_a_font_without_widths_cannot_be_measured():
    with pytest.raises(ConversionError, match="cannot measure the signature line for .provider_signature."):
        finished(raw_pdf(with_widths=False))


def test_two_fields_with_one_name_are_refused():
    places = [*PLACES[:-1], SigningPlace("again", SCHEDULE.anchor, (SCHEDULE.anchor,),
                                         lines=(SignatureLine(ACK_BACKUP.field, SCHEDULE.anchor, SCHEDULE.label),))]
    with pytest.raises(ConversionError, match="client_ack_backup"):
        finished(places=places)


def test_a_line_that_moved_moves_its_field():
    """A template change that moves the signature table down moves the fields with it."""
    pages = [list(p) for p in PAGES]
    pages[2] = [(x, y - 100 if y < 700 else y, text) for x, y, text in pages[2]]
    moved = {f.name: f for f in signature_fields(finished(raw_pdf(pages)))}
    original = {f.name: f for f in signature_fields(finished())}
    for name in (PROVIDER.field, CLIENT.field):
        assert moved[name].rect[1] == pytest.approx(original[name].rect[1] - 100, abs=0.01)


def test_signature_fields_of_something_that_is_not_a_pdf():
    with pytest.raises(SigningError, match="not a readable PDF"):
        signature_fields(b"hello")


def test_a_line_pushed_onto_the_next_page_is_found_there():
    """The backup acknowledgement starts at the foot of page 4 and its line is on page 5, where
    no signing place begins once the schedule's own place is gone: the search reads on."""
    places = [p for p in PLACES if SCHEDULE not in p.lines]
    pages = [list(p) for p in PAGES]
    pages[4] = [line for line in pages[4] if line[2] != SCHEDULE_SIGNATURE]
    fields = {f.name: f for f in signature_fields(finished(raw_pdf(pages), places=places))}
    assert fields["client_ack_backup"].page == 4
    assert fields["client_ack_mfa"].page == 3


def test_a_cid_font_is_measured_from_its_w_array():
    """LibreOffice may embed a font as Type0 (two-byte codes, widths in /W) instead of /Widths."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

    from msa_builder.pdf._geometry import _FontWidths

    descendant = DictionaryObject({
        NameObject("/DW"): NumberObject(1000),
        NameObject("/W"): ArrayObject([NumberObject(1), ArrayObject([NumberObject(500), NumberObject(600)]),
                                       NumberObject(10), NumberObject(20), NumberObject(700)]),
    })
    font = DictionaryObject({NameObject("/Subtype"): NameObject("/Type0"),
                             NameObject("/Encoding"): NameObject("/Identity-H"),
                             NameObject("/DescendantFonts"): ArrayObject([descendant])})
    widths = _FontWidths(font)
    assert widths.codes(b"\x00\x01\x00\x02\x00\x0f") == [1, 2, 15]
    assert [widths.advance(c) for c in (1, 2, 15, 99)] == pytest.approx([0.5, 0.6, 0.7, 1.0])
