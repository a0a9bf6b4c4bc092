"""The execution version: exactly the reviewed agreement, marked for signature, with signature fields.

It is rendered from the reviewed draft's content model, not rebuilt from the profile and library:
whatever changed in them since the review, the execution version carries the same clause versions,
hashes, parameters and client facts the attorney approved. Only the marking differs (EXECUTION
VERSION instead of the draft mark and watermark), and the PDF gains one empty signature field per
signing place. The Word template must still be the one the draft was built with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..agreement import Agreement
from ..content import agreement_json
from ..errors import LifecycleError
from ..lock import lock_bytes, lock_document
from ..ooxml.shell import load_shell
from ..outputs import TEMPLATE_FILES
from ..render.agreement_docx import render_agreement_docx

if TYPE_CHECKING:
    from ..pdf.convert import PdfConverter


@dataclass(frozen=True)
class ExecutionVersion:
    """The files of an instrument's execution version, named for its archive, lock last."""

    agreement_id: str
    files: dict[str, bytes]
    bom: dict[str, Any]

    @property
    def names(self) -> dict[str, str]:
        return execution_names(self.agreement_id)

    @property
    def pdf_name(self) -> str:
        return self.names["pdf"]


def execution_names(agreement_id: str) -> dict[str, str]:
    return {"docx": f"{agreement_id}.docx", "pdf": f"{agreement_id}.pdf",
            "agreement": f"{agreement_id}-agreement.json", "lock": f"{agreement_id}-lock.json"}


def execution_version(agreement: Agreement, reviewed_bom: Mapping[str, Any], templates_dir: Path, *,
                      converter: PdfConverter | None = None) -> ExecutionVersion:
    """Render the execution DOCX and PDF of the reviewed agreement (the PDF needs LibreOffice)."""
    from ..pdf import agreement_pdf  # pypdf and LibreOffice load only here

    path = templates_dir / TEMPLATE_FILES["agreement"]
    shell = load_shell(path)
    reviewed = dict(reviewed_bom.get("templates") or {}).get("agreement")
    if reviewed != shell.sha256:
        raise LifecycleError("the agreement's Word template changed since this draft was reviewed, so the "
                             "execution version would not be what the attorney read", file=str(path),
                             hint="rebuild the client and review the new draft")
    bom = {**reviewed_bom, "final": True, "execution": True}
    names = execution_names(agreement.id)
    docx = render_agreement_docx(agreement, shell, bom)
    files = {names["docx"]: docx,
             names["pdf"]: agreement_pdf(agreement, docx, bom, converter=converter),
             names["agreement"]: agreement_json(agreement)}
    files[names["lock"]] = lock_bytes(lock_document(bom, files, profile_path=agreement.source))
    return ExecutionVersion(agreement.id, files, bom)
