"""An Agreement as compare units: the same flat paragraphs the Word writer lays out, from the model.

`msa compare` reads each build's content model (`<slug>-agreement.json`), so it sees exactly what
the agreement said, however Word or LibreOffice later re-serialised the DOCX. The units mirror what
read_docx.py gets back from our own DOCX: the preamble, each article heading, each section with
its bookmarked heading, the signature lead-in, and each schedule with its lettered label.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..agreement import Agreement, Clause
from ..blocks import LineBreak, Text
from ..lock import custom_properties
from .document import AgreementDocument, Unit
from .flat import FlatItem, FlatPara, FlatTable, Label, ParaFormat, flatten

SIGNATURE_HEADING = "Signatures"
SIGN_LINE = "By: " + "_" * 30
DATE_LINE = "Date: " + "_" * 28


def _body(clause: Clause) -> tuple[FlatItem, ...]:
    # The slot makes list identities unique within one side, as numbering instances are in a DOCX.
    return flatten(clause.blocks, prefix=f"{clause.slot}:")


def _signature_block(agreement: Agreement) -> FlatTable:
    """The parties' signature blocks as the shipped signature page lays them out.

    The page itself is the Word shell's, not clause text; the model gives it the same rows so a
    redline of two builds shows a change of signatory exactly as a redline of their DOCX would.
    """
    provider, client = agreement.provider, agreement.client

    def row(left: str, right: str) -> tuple[tuple[Text], tuple[Text]]:
        return (Text(left),), (Text(right),)

    return FlatTable((), (row(provider.legal_name.upper(), client.legal_name.upper()),
                          row(SIGN_LINE, SIGN_LINE),
                          row(f"Name: {provider.signatory.name}", f"Name: {client.signatory.name}"),
                          row(f"Title: {provider.signatory.title}", f"Title: {client.signatory.title}"),
                          row(DATE_LINE, DATE_LINE)),
                     style="SignatureTable", cell_style="SignatureText")


def agreement_units(agreement: Agreement) -> tuple[Unit, ...]:
    """Every unit of the agreement, in reading order."""
    units: list[Unit] = []
    preamble = agreement.preamble
    if preamble.blocks:
        units.append(Unit(preamble.slot, "preamble", "Preamble", "Preamble", _body(preamble)))
    for article in agreement.articles:
        heading = FlatPara(ParaFormat("Heading1"), (Text(article.title),))
        units.append(Unit(f"article:{article.title}", "article", article.title, f"Article {article.number}",
                          (heading,)))
        for section in article.sections:
            clause = section.clause
            title = FlatPara(ParaFormat("Heading2"), (Text(clause.title),), bookmark=clause.slot)
            units.append(Unit(clause.slot, "section", clause.title, section.label, (title, *_body(clause))))
    signature = agreement.signature
    heading = FlatPara(ParaFormat("ScheduleHeading"), (Text(SIGNATURE_HEADING),))
    units.append(Unit(signature.slot, "signature", SIGNATURE_HEADING, "Signatures",
                      (heading, *_body(signature), _signature_block(agreement))))
    for schedule in agreement.schedules:
        clause = schedule.clause
        title = FlatPara(ParaFormat("ScheduleHeading"), (Label(clause.slot, schedule.label), LineBreak(),
                                                        Text(clause.title)), bookmark=clause.slot)
        units.append(Unit(clause.slot, "schedule", clause.title, schedule.label, (title, *_body(clause))))
    return tuple(units)


def agreement_document(agreement: Agreement, bom: Mapping[str, object], *, where: str) -> AgreementDocument:
    """The agreement with the properties its DOCX carries (the bill of materials, as `msa.*`)."""
    return AgreementDocument(where, custom_properties(bom), agreement_units(agreement))
