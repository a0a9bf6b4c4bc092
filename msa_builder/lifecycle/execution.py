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
from ..amendments.build import amendment_template
from ..amendments.model import Amendment, amendment_json
from ..amendments.names import archived_names
from ..amendments.render import render_amendment_docx
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
    kind: str  # agreement | amendment
    files: dict[str, bytes]
    bom: dict[str, Any]

    @property
    def names(self) -> dict[str, str]:
        return archived_names(self.agreement_id, self.kind)

    @property
    def pdf_name(self) -> str:
        return self.names["pdf"]


def execution_names(agreement_id: str, kind: str = "agreement") -> dict[str, str]:
    return archived_names(agreement_id, kind)


def _shell(path: Path, reviewed_bom: Mapping[str, Any], template: str):  # type: ignore[no-untyped-def]
    shell = load_shell(path)
    reviewed = dict(reviewed_bom.get("templates") or {}).get(template)
    if reviewed != shell.sha256:
        raise LifecycleError("the Word template changed since this draft was reviewed, so the execution version "
                             "would not be what the attorney read", file=str(path),
                             hint="rebuild the client and review the new draft")
    return shell


def execution_version(model: Agreement | Amendment, reviewed_bom: Mapping[str, Any], templates_dir: Path, *,
                      converter: PdfConverter | None = None) -> ExecutionVersion:
    """Render the execution DOCX and PDF of the reviewed agreement or amendment (the PDF needs LibreOffice)."""
    bom = {**reviewed_bom, "final": True, "execution": True}
    if isinstance(model, Amendment):
        return _amendment_execution(model, bom, templates_dir, converter)
    from ..pdf import agreement_pdf  # pypdf and LibreOffice load only here

    shell = _shell(templates_dir / TEMPLATE_FILES["agreement"], reviewed_bom, "agreement")
    names = execution_names(model.id)
    docx = render_agreement_docx(model, shell, bom)
    files = {names["docx"]: docx,
             names["pdf"]: agreement_pdf(model, docx, bom, converter=converter),
             names["model"]: agreement_json(model)}
    files[names["lock"]] = lock_bytes(lock_document(bom, files, profile_path=model.source))
    return ExecutionVersion(model.id, "agreement", files, bom)


def _amendment_execution(amendment: Amendment, bom: dict[str, Any], templates_dir: Path,
                         converter: PdfConverter | None) -> ExecutionVersion:
    from ..amendments.pdf import amendment_pdf

    shell = _shell(amendment_template(templates_dir), bom, "amendment")
    names = execution_names(amendment.id, "amendment")
    docx = render_amendment_docx(amendment, shell, bom)
    files = {names["docx"]: docx, names["pdf"]: amendment_pdf(amendment, docx, bom, converter=converter),
             names["model"]: amendment_json(amendment)}
    files[names["lock"]] = lock_bytes(lock_document(bom, files, profile_path=amendment.conformed.source))
    return ExecutionVersion(amendment.id, "amendment", files, bom)
