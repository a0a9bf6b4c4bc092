"""An amendment's PDF: LibreOffice's rendering, finished like the agreement's (outline, metadata, marks).

Its execution version carries signature fields where the parties sign the amendment, and, when it
replaces or adds the declined-controls schedule, where the client initials each declined control
and signs that schedule again: those acknowledgements are part of what the amendment changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..lock import bom_hash
from ..marks import is_execution, stage
from ..pdf import DECLINED_SCHEDULE, acknowledgement_places, convert_docx, signature_page_place
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
    stamp = f"D:{amendment.effective_date:%Y%m%d}000000Z"
    agreement = amendment.conformed
    return {
        "/Title": f"{amendment.title} \u2014 {agreement.client_name}",
        "/Author": agreement.provider.legal_name,
        "/Subject": f"Amendment {amendment.id} for {agreement.client_name}",
        "/Keywords": f"msa-builder; amendment; {agreement.library_name} {agreement.library_version}; "
                     f"lock {bom_hash(bom)}",
        "/Creator": f"msa-builder {agreement.tool_version}",
        "/Producer": f"msa-builder {agreement.tool_version} (LibreOffice, pypdf)",
        "/CreationDate": stamp,
        "/ModDate": stamp,
        "/MsaAgreementId": amendment.id,
        "/MsaAmends": amendment.agreement_id,
        "/MsaClient": agreement.client_name,
        "/MsaLibrary": agreement.library_name,
        "/MsaLibraryVersion": agreement.library_version,
        "/MsaLockSha256": bom_hash(bom),
        "/MsaStatus": stage(bom),
    }


def amendment_pdf(amendment: Amendment, docx: bytes, bom: Mapping[str, Any], *,
                  converter: PdfConverter | None = None) -> bytes:
    """The amendment PDF, reproducible; a draft's watermark, or an execution version's signature fields."""
    raw = convert_docx(docx, amendment.id, expect_text=amendment.client_name, min_pages=2, converter=converter)
    execution = is_execution(bom)
    places = amendment_signing(amendment)
    return finish_pdf(raw, metadata=amendment_metadata(amendment, bom), outline=amendment_outline(amendment),
                      label_plan=lambda pages: [(0, "/D", None, 1)], watermark=not execution,
                      identity=f"{bom_hash(bom)}:{stage(bom)}", signing=places, signing_after=0,
                      signature_fields=execution)
