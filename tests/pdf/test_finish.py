"""Finishing with pypdf on small PDFs made here: no LibreOffice needed.

The pages carry real text (Helvetica), so pypdf can search them, and bookmarks that we choose,
so the tests can hand finishing LibreOffice-like bookmarks that are right, or wrong.
"""

from __future__ import annotations

import io

import pytest
from pdf.small_agreement import raw_pdf  # tests/ is on sys.path (rootdir of the test packages)
from pypdf import PdfReader

from msa_builder.errors import ConversionError
from msa_builder.pdf.finish import (
    OutlineEntry,
    SigningPlace,
    finish_pdf,
    locate_pages,
    signing_places,
)

PAGES = [
    ["Cover"],
    ["Contents"],
    ["Article One", "Some words"],
    ["More words of article one"],
    ["Article Two", "Client acknowledgement for Backup."],
    ["Schedule A", "Acknowledgement of this schedule"],
]
WANTED = [OutlineEntry("Article 1", 0, "Article One"), OutlineEntry("Article 2", 0, "Article Two"),
          OutlineEntry("Schedule A", 0, "Schedule A")]


def _pdf(bookmarks: list[tuple[str, int]]) -> bytes:
    """A Letter-size PDF with one line of text per entry of PAGES, and the given bookmarks."""
    return raw_pdf([[(72, 720 - 20 * i, line) for i, line in enumerate(lines)] for lines in PAGES],
                   bookmarks=bookmarks)


def _reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def test_headings_come_from_the_bookmarks_when_they_are_consistent():
    reader = _reader(_pdf([("Article One", 2), ("Article Two", 4), ("Schedule A", 5)]))
    assert locate_pages(reader, WANTED) == [2, 4, 5]


@pytest.mark.parametrize("bookmarks", [
    [("Article One", 0), ("Article Two", 0), ("Schedule A", 0)],  # all on the cover
    [("Article One", 4), ("Article Two", 2), ("Schedule A", 5)],  # going backwards
    [("Article One", 2)],  # missing headings
], ids=["all-on-one-page", "backwards", "missing"])
def test_wrong_bookmarks_fall_back_to_the_text(bookmarks):
    assert locate_pages(_reader(_pdf(bookmarks)), WANTED) == [2, 4, 5]


def test_a_heading_nowhere_in_the_text_is_an_error():
    with pytest.raises(ConversionError, match="Article Nine"):
        locate_pages(_reader(_pdf([])), [*WANTED, OutlineEntry("Article Nine", 0, "Article Nine")])


def test_signing_places_start_at_their_heading_and_read_few_pages(text_reads):
    reader = _reader(_pdf([("Article One", 2), ("Article Two", 4), ("Backup", 4), ("Schedule A", 5)]))
    places = [SigningPlace("Client acknowledges Backup", "acknowledgement for Backup", ("Article Two", "Backup")),
              SigningPlace("Client signs Schedule A", "Acknowledgement of this schedule", ("Schedule A",))]
    assert signing_places(reader, places, 2) == [("Client acknowledges Backup", 4), ("Client signs Schedule A", 5)]
    assert len(text_reads) == 2, "one page read per place: the page of its heading"


def test_a_signing_place_without_a_known_heading_is_still_found_by_reading_on():
    reader = _reader(_pdf([]))
    places = [SigningPlace("Client acknowledges Backup", "acknowledgement for Backup", ("No such heading",))]
    assert signing_places(reader, places, 2) == [("Client acknowledges Backup", 4)]
    with pytest.raises(ConversionError, match="where to sign"):
        signing_places(reader, [SigningPlace("Nowhere", "text that is not there")], 0)


def _finish(data: bytes, *, watermark: bool) -> bytes:
    return finish_pdf(data, metadata={"/Title": "Test"}, outline=WANTED,
                      label_plan=lambda pages: [(0, None, "Cover", 0), (pages[0], "/D", None, 1)],
                      watermark=watermark, identity="test")


def test_the_watermark_is_one_shared_form_drawn_first_on_every_page():
    data = _pdf([("Article One", 2), ("Article Two", 4), ("Schedule A", 5)])
    reader = _reader(_finish(data, watermark=True))
    forms = set()
    for page, lines in zip(reader.pages, PAGES):
        content = page.get_contents().get_data()
        assert content.startswith(b"q /MsaWm0 Do Q")
        assert lines[0].encode() in content, "the page's own text is still there, after the watermark"
        forms.add(page["/Resources"]["/XObject"].raw_get("/MsaWm0").idnum)
    assert len(forms) == 1
    assert [item.title for item in reader.outline] == ["Article 1", "Article 2", "Schedule A"]
    assert reader.page_labels == ["Cover", "Cover", "1", "2", "3", "4"]


def test_finishing_is_reproducible_and_a_final_has_no_watermark():
    data = _pdf([("Article One", 2), ("Article Two", 4), ("Schedule A", 5)])
    assert _finish(data, watermark=True) == _finish(data, watermark=True)
    final = _reader(_finish(data, watermark=False))
    for page in final.pages:
        assert b"MsaWm" not in page.get_contents().get_data()
        assert "/XObject" not in page["/Resources"]


def test_a_heading_bookmark_past_the_signing_place_does_not_hide_it():
    reader = _reader(_pdf([("Backup", 5)]))  # wrong: the acknowledgement is on page 4
    places = [SigningPlace("Client acknowledges Backup", "acknowledgement for Backup", ("Backup",))]
    assert signing_places(reader, places, 2) == [("Client acknowledges Backup", 4)]
