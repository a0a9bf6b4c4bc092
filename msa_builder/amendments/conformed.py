"""The conformed copy: the agreement as amended by every signed amendment, for attorneys and operations.

It is printed from the archives (the last signed amendment's conformed agreement, or the signed
agreement itself), with the agreement's Word template, marked "Conformed copy for reference — not
for signature", without the draft watermark and without signature fields. It is not an
instrument, so the ledger does not record it; `OUT/<slug>/<slug>-conformed.docx` (and `.pdf`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._files import atomic_write_set
from ..errors import LifecycleError
from ..ledger import Ledger
from ..ooxml.shell import load_shell
from ..outputs import TEMPLATE_FILES
from ..render.agreement_docx import render_agreement_docx
from .build import SignedTerms, signed_terms

if TYPE_CHECKING:
    from ..pdf.convert import PdfConverter


@dataclass(frozen=True)
class ConformedCopy:
    client: str
    in_force: str  # `MSA-… + Amendment 1 (signed …)`
    files: tuple[Path, ...]
    written: tuple[Path, ...]


def conformed_names(slug: str) -> dict[str, str]:
    return {"docx": f"{slug}-conformed.docx", "pdf": f"{slug}-conformed.pdf"}


def _bom(ledger: Ledger, terms: SignedTerms) -> dict[str, object]:
    bom = dict(ledger.bom(terms.latest.id))
    bom.pop("amendment", None)
    return {**bom, "agreement_id": terms.agreement.agreement_id, "conformed": True,
            "amendments": [r.agreement_id for r in terms.amendments]}


def write_conformed_copy(ledger: Ledger, client: str, *, out_dir: Path, templates_dir: Path,
                         formats: tuple[str, ...] = ("docx",), converter: PdfConverter | None = None) -> ConformedCopy:
    """Print the client's agreement as amended into its output folder."""
    slug = ledger.resolve_client(client)
    terms = signed_terms(ledger, slug)
    if terms is None:
        raise LifecycleError(f"{client} has no signed agreement, so there is nothing to conform", field="CLIENT")
    bom = _bom(ledger, terms)
    shell = load_shell(templates_dir / TEMPLATE_FILES["agreement"])
    names = conformed_names(slug)
    docx = render_agreement_docx(terms.terms, shell, bom)
    files = {names["docx"]: docx}
    if "pdf" in formats:
        from ..pdf import agreement_pdf

        files[names["pdf"]] = agreement_pdf(terms.terms, docx, bom, converter=converter)
    folder = out_dir / slug
    written = atomic_write_set({folder / name: data for name, data in files.items()}, own_folder=True)
    return ConformedCopy(terms.terms.client_name, terms.describe(), tuple(folder / n for n in files), tuple(written))
