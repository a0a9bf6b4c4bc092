"""An amendment as a Word document: parties, recitals, one numbered amendment per change, signatures.

Each change names the section or schedule by its number in the signed instrument and gives the
full new text; cross-references inside that text print as the amended agreement numbers them,
as plain text (the sections they point to are in the agreement, not in this document, so a Word
field would have nothing to point at).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..blocks import Ref
from ..context import long_date
from ..lock import custom_properties
from ..marks import mark, stage
from ..ooxml.package import write_package
from ..ooxml.props import core_xml, custom_xml
from ..ooxml.shell import ShellTemplate
from ..ooxml.text import paragraph, run
from ..render.wordml import WordWriter
from .model import Amendment
from .plan import Change

AMENDMENT_TEMPLATE = "amendment.docx"


class _PlainReferences(WordWriter):
    """Cross-references as the text they print: their targets live in the amended agreement."""

    def reference(self, item: Ref, *, conspicuous: bool = False) -> str:
        return run(item.label, bold=conspicuous, caps=conspicuous)


def _agreement_name(amendment: Amendment) -> str:
    return f"the {amendment.conformed.title} {amendment.agreement_id}"


def sentence(change: Change) -> str:
    """The operative words of one numbered amendment (the new text follows it)."""
    if change.unit == "preamble":
        return "The preamble of the Agreement is deleted and replaced in its entirety with the following:"
    if change.unit == "signature":
        return "The text introducing the signatures of the Agreement is deleted and replaced in its entirety with the following:"
    name = f"{change.label} ({change.old.title if change.old else change.title})"
    if change.kind == "delete":
        return f"{name} is deleted."
    if change.kind == "replace":
        return f"{name} is deleted and replaced in its entirety with the following:"
    where = f" after {change.after}" if change.after else ""
    if change.article:
        return f"The following new {change.article} is added{where}, consisting of the following new {name}:"
    return f"The following new {name} is added{where}:"


def _recitals(amendment: Amendment) -> list[str]:
    agreement = amendment.conformed
    provider, client = agreement.provider, agreement.client
    made = (f"This Amendment No. {amendment.number} (this \u201cAmendment\u201d) is made as of "
            f"{long_date(amendment.effective_date)} (the \u201cAmendment Effective Date\u201d) between "
            f"{provider.legal_name}, {provider.organization} (\u201cProvider\u201d), and {client.legal_name}"
            + (f", {client.entity}" if client.entity else "") + " (\u201cClient\u201d).")
    earlier = ""
    if amendment.earlier:
        listed = ", ".join(f"Amendment No. {e.number} ({e.id}, signed {long_date(date.fromisoformat(e.signed_on))})"
                           for e in amendment.earlier)
        earlier = f", as amended by {listed}"
    recital_a = (f"A. Provider and Client are parties to {_agreement_name(amendment)}, effective "
                 f"{long_date(amendment.agreement_date)}{earlier} (the \u201cAgreement\u201d).")
    recital_b = ("B. The Parties wish to amend the Agreement as set out in this Amendment, and agree as follows.")
    return [made, recital_a, recital_b]


def body_xml(amendment: Amendment, writer: WordWriter) -> str:
    out = [paragraph(run(text), style="BodyText") for text in _recitals(amendment)]
    number = 0
    for change in amendment.changes:
        number += 1
        out.append(paragraph(run(f"{number}.\t") + run(sentence(change)), style="AmendmentItem"))
        if change.new is not None and change.kind != "delete":
            numbered = change.label.split(" ", 1)[1] if change.unit == "section" else change.label
            title = f"{numbered} {change.new.title}." if change.unit == "section" else \
                f"{change.label}: {change.new.title}" if change.unit == "schedule" else None
            if title:
                out.append(paragraph(run(title), style="AmendmentClauseTitle"))
            out.append(writer.blocks(change.new.blocks))
    for heading, text in (("Effect", amendment.effect), ("Counterparts", amendment.counterparts)):
        number += 1
        out.append(paragraph(run(f"{number}.\t") + run(f"{heading}. ", bold=True) + run(text), style="AmendmentItem"))
    return "".join(out)


def shell_context(amendment: Amendment, bom: Mapping[str, Any]) -> dict[str, Any]:
    agreement = amendment.conformed
    provider, client = agreement.provider, agreement.client
    return {
        "title": amendment.title,
        "client_name": client.legal_name,
        "client_name_caps": client.legal_name.upper(),
        "provider_name_caps": provider.legal_name.upper(),
        "provider_signatory_name": provider.signatory.name,
        "provider_signatory_title": provider.signatory.title,
        "client_signatory_name": client.signatory.name,
        "client_signatory_title": client.signatory.title,
        "effective_date": long_date(amendment.effective_date),
        "agreement_id": amendment.id,
        "mark": mark(bom),
        "footer_left": f"Amendment No. {amendment.number} \u00b7 {amendment.id}",
    }


SIGNATURE_LEADIN = "The Parties have signed this Amendment by their authorized representatives, effective as of the Amendment Effective Date."


def render_amendment_docx(amendment: Amendment, shell: ShellTemplate, bom: Mapping[str, Any]) -> bytes:
    """The amendment .docx, byte-for-byte reproducible from the same inputs; the bill says its stage."""
    writer = _PlainReferences()
    fragments = {"body": body_xml(amendment, writer),
                 "signature_leadin": paragraph(run(SIGNATURE_LEADIN), style="BodyText")}
    parts = shell.render(shell_context(amendment, bom), fragments)
    parts["word/numbering.xml"] = writer.numbering.apply(parts["word/numbering.xml"])
    agreement = amendment.conformed
    parts["docProps/core.xml"] = core_xml(
        title=f"{amendment.title} \u2014 {agreement.client_name}", subject=f"Amendment {amendment.id}",
        author=agreement.provider.legal_name,
        keywords=f"msa-builder; amendment; {stage(bom)}; {agreement.library_name} {agreement.library_version}",
        description=mark(bom), when=amendment.effective_date)
    parts["docProps/custom.xml"] = custom_xml(custom_properties(bom))
    return write_package(parts)
