"""PDF output: the DOCX converted by LibreOffice, then finished with pypdf."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from datetime import date
from typing import Any

from pypdf import PdfReader

from ..agreement import Agreement
from ..errors import ConversionError
from ..lock import bom_hash
from ..marks import has_watermark, is_execution, stage
from .convert import CheckedPdf, PdfConverter
from .fields import SignatureLine
from .finish import OutlineEntry, SigningPlace, finish_pdf
from .tempdirs import WORK_PREFIX, make_owned

DECLINED_SCHEDULE = "schedule.declined_controls"


def _pdf_date(day: date) -> str:
    return f"D:{day:%Y%m%d}000000Z"


def agreement_outline(agreement: Agreement) -> list[OutlineEntry]:
    """Bookmarks for every article, section, the signature page and every schedule."""
    entries: list[OutlineEntry] = []
    for article in agreement.articles:
        entries.append(OutlineEntry(f"Article {article.number}. {article.title}", 0, article.title))
        entries += [OutlineEntry(f"{s.number} {s.clause.title}", 1, s.clause.title) for s in article.sections]
    entries.append(OutlineEntry("Signatures", 0, "Signatures"))
    entries += [OutlineEntry(f"{s.label}: {s.clause.title}", 0, s.clause.title) for s in agreement.schedules]
    return entries


def agreement_labels(agreement: Agreement, outline: list[OutlineEntry]):  # type: ignore[no-untyped-def]
    """Page labels: Cover, Contents i-ii, the body from 1 as printed, Schedule pages A-1, A-2.

    The agreement template restarts its page numbers at the body, so label 1 is the page that
    prints "Page 1".
    """

    def plan(pages: list[int]) -> list[tuple[int, str | None, str | None, int]]:
        first_body = pages[0]
        ranges: list[tuple[int, str | None, str | None, int]] = [(0, None, "Cover", 0)]
        if first_body > 1:
            ranges.append((1, "/r", "Contents ", 1))
        ranges.append((first_body, "/D", None, 1))
        schedule_pages = pages[-len(agreement.schedules):] if agreement.schedules else []
        signature_page = pages[len(outline) - len(agreement.schedules) - 1]
        ranges.append((signature_page, "/D", "Signatures-", 1))
        for schedule, page in zip(agreement.schedules, schedule_pages):
            ranges.append((page, "/D", f"{schedule.letter}-", 1))
        return ranges

    return plan


def agreement_metadata(agreement: Agreement, bom: Mapping[str, Any]) -> dict[str, str]:
    """Document information: what, for whom, from which library, and the lock's hash."""
    return instrument_metadata(agreement, bom, title=agreement.title, instrument=agreement.id,
                               subject=f"Agreement {agreement.id}", when=agreement.effective_date)


def instrument_metadata(agreement: Agreement, bom: Mapping[str, Any], *, title: str, instrument: str, subject: str,
                        when: date, keywords: str = "msa-builder") -> dict[str, str]:
    """An instrument's document information (an agreement's, or an amendment's with `agreement` as amended)."""
    stamp = _pdf_date(when)
    return {
        "/Title": f"{title} \u2014 {agreement.client_name}",
        "/Author": agreement.provider.legal_name,
        "/Subject": f"{subject} for {agreement.client_name}",
        "/Keywords": f"{keywords}; {agreement.library_name} {agreement.library_version}; lock {bom_hash(bom)}",
        "/Creator": f"msa-builder {agreement.tool_version}",
        "/Producer": f"msa-builder {agreement.tool_version} (LibreOffice, pypdf)",
        "/CreationDate": stamp,
        "/ModDate": stamp,
        "/MsaAgreementId": instrument,
        "/MsaClient": agreement.client_name,
        "/MsaLibrary": agreement.library_name,
        "/MsaLibraryVersion": agreement.library_version,
        "/MsaLockSha256": bom_hash(bom),
        "/MsaStatus": stage(bom),
    }


def agreement_pdf(agreement: Agreement, docx: bytes, bom: Mapping[str, Any], *,
                  converter: PdfConverter | None = None) -> bytes:
    """The agreement PDF: LibreOffice's rendering of exactly this DOCX, finished and reproducible."""
    minimum = 3 + len(agreement.schedules)  # cover, contents, signatures, a page per schedule
    checked = convert_docx(docx, agreement.id, expect_text=agreement.client_name, min_pages=minimum,
                           converter=converter)
    return finish_agreement_pdf(agreement, checked.data, bom, reader=checked.reader)


def convert_docx(docx: bytes, name: str, *, expect_text: str, min_pages: int,
                 converter: PdfConverter | None = None) -> CheckedPdf:
    """LibreOffice's PDF of a DOCX, checked to show `expect_text` on at least `min_pages` pages (with the
    reader that checked it, for finishing without a second parse)."""
    try:
        work = make_owned(WORK_PREFIX)  # swept by the next converter if this process is killed
    except OSError as exc:
        raise ConversionError(f"cannot create a temporary folder for the PDF: {exc.strerror or exc}",
                              file=tempfile.gettempdir()) from None
    try:
        source = work / f"{name}.docx"
        target = work / f"{name}.pdf"
        try:
            source.write_bytes(docx)
        except OSError as exc:  # the temporary folder is full
            raise ConversionError(f"cannot write the DOCX for LibreOffice: {exc.strerror or exc}",
                                  file=str(source)) from None
        if converter is None:
            with PdfConverter() as own:
                checked = own.convert_checked(source, target, expect_text=expect_text, min_pages=min_pages)
        else:
            checked = converter.convert_checked(source, target, expect_text=expect_text, min_pages=min_pages)
        return checked
    finally:
        shutil.rmtree(work, ignore_errors=True)


def finish_agreement_pdf(agreement: Agreement, raw: bytes, bom: Mapping[str, Any], *,
                         reader: PdfReader | None = None) -> bytes:
    """LibreOffice's PDF of the agreement with our outline, labels and metadata; a draft's watermark,
    or an execution version's signature fields.

    `reader` is one already parsing `raw` (the converter's check), saving a second parse.
    """
    outline = agreement_outline(agreement)
    execution = is_execution(bom)
    return finish_pdf(raw, reader=reader, metadata=agreement_metadata(agreement, bom), outline=outline,
                      label_plan=agreement_labels(agreement, outline), watermark=has_watermark(bom),
                      identity=f"{bom_hash(bom)}:{stage(bom)}",
                      signing=signing_order(agreement),
                      signing_after=len(outline) - len(agreement.schedules) - 1, signature_fields=execution)


def signing_order(agreement: Agreement) -> list[SigningPlace]:
    """Every place the parties sign, in order: the signature page, then each acknowledgement.

    Each place names its signature lines (field, text printed above the line, the line's label);
    an execution PDF carries a signature field over each.
    """
    return [signature_page_place(agreement), *acknowledgement_places(agreement)]


def signature_page_place(agreement: Agreement) -> SigningPlace:
    """Both parties' "By:" lines under their names in capitals."""
    provider, client = agreement.provider.legal_name.upper(), agreement.client_name.upper()
    return SigningPlace("Signature page: both Parties", provider, ("Signatures",), lines=(
        SignatureLine("provider_signature", provider, "By:", f"Signature of {agreement.provider.legal_name}"),
        SignatureLine("client_signature", client, "By:", f"Signature of {agreement.client_name}")))


def acknowledgement_places(agreement: Agreement, *, headed: bool = True) -> list[SigningPlace]:
    """The client's initials for each declined control and its signature of that schedule.

    `headed`: the schedule is a heading of the document (the agreement), so the search starts there.
    """
    places = []
    declined = agreement.declined
    schedule = next((s.clause.title for s in agreement.schedules if s.clause.slot == DECLINED_SCHEDULE), None)
    lead = (schedule,) if schedule and headed else ()
    for index, control in enumerate(declined):
        near = (lead if index == 0 else ()) + ((control.name,) if headed else ())
        text = f"acknowledgement for {control.name}"
        places.append(SigningPlace(f"Client acknowledges declined {control.name}", text, near, lines=(
            SignatureLine(f"client_ack_{control.id}", text, "Initials of", f"Client declines {control.name}"),)))
    if declined:
        text = "Acknowledgement of this schedule"
        places.append(SigningPlace("Client signs the declined-controls schedule", text, (text,) if headed else (),
                                   lines=(SignatureLine("client_schedule_signature", text, "Client signature:",
                                                        "Client signs the schedule"),)))
    return places


__all__ = ["PdfConverter", "acknowledgement_places", "agreement_metadata", "instrument_metadata", "agreement_outline", "agreement_pdf",
           "convert_docx", "finish_agreement_pdf", "signature_page_place", "signing_order"]
