"""An amendment's PDF: LibreOffice's rendering, finished like the agreement's (outline, metadata, marks).

Its execution version carries signature fields where the parties sign the amendment, and, when it
replaces or adds the declined-controls schedule, where the client initials each declined control
and signs that schedule again: those acknowledgements are part of what the amendment changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..lock import bom_hash
from ..marks import has_watermark, is_execution, stage
from ..pdf import DECLINED_SCHEDULE, acknowledgement_places, convert_docx, instrument_metadata, signature_page_place
from ..pdf.finish import OutlineEntry, SigningPlace, finish_pdf
from .model import Amendment

if TYPE_CHECKING:
    from ..pdf.convert import PdfConverter


def amendment_outline(amendment: Amendment) -> list[OutlineEntry]:
    return [OutlineEntry(f"Amendment No. {amendment.number}", 0, amendment.title),
            OutlineEntry("Signatures", 0, "Signatures")]


def amendment_signing(amendment: Amendment) -> list[SigningPlace]:
    """Where the parties sign, in the order they appear: acknowledgements first (if any), then the signatures."""
    schedule_changed = any(c.slot == DECLINED_SCHEDULE and c.new is not None for c in amendment.changes)
    places = acknowledgement_places(amendment.conformed, headed=False) if schedule_changed else []
    return [*places, signature_page_place(amendment.conformed)]


def amendment_metadata(amendment: Amendment, bom: Mapping[str, Any]) -> dict[str, str]:
    return {**instrument_metadata(amendment.conformed, bom, title=amendment.title, instrument=amendment.id,
                                  subject=f"Amendment {amendment.id}", when=amendment.effective_date,
                                  keywords="msa-builder; amendment"),
            "/MsaAmends": amendment.agreement_id}


def amendment_pdf(amendment: Amendment, docx: bytes, bom: Mapping[str, Any], *,
                  converter: PdfConverter | None = None) -> bytes:
    """The amendment PDF, reproducible; a draft's watermark, or an execution version's signature fields."""
    checked = convert_docx(docx, amendment.id, expect_text=amendment.client_name, min_pages=2, converter=converter)
    execution = is_execution(bom)
    places = amendment_signing(amendment)
    return finish_pdf(checked.data, reader=checked.reader, metadata=amendment_metadata(amendment, bom), outline=amendment_outline(amendment),
                      label_plan=lambda pages: [(0, "/D", None, 1)], watermark=has_watermark(bom),
                      identity=f"{bom_hash(bom)}:{stage(bom)}", signing=places, signing_after=0,
                      signature_fields=execution)
