"""The agreement as a Word document: shell from the template, body written as WordprocessingML.

Schedules are part of the agreement document rather than separate files: the client signs one
instrument, cross-references such as "Schedule F" resolve inside it, the table of contents lists
them, and the PDF packet is that same document in signing order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..agreement import Agreement
from ..context import long_date
from ..lock import custom_properties
from ..ooxml.fields import toc_begin, toc_end
from ..ooxml.package import write_package
from ..ooxml.props import core_xml, custom_xml
from ..marks import cover_note, mark, stage
from ..ooxml.layout import bookmark_name
from ..ooxml.text import bookmarked, line_break, paragraph, run
from ..ooxml.shell import ShellTemplate
from .wordml import WordWriter


def toc_entries(agreement: Agreement) -> list[tuple[int, str]]:
    """(level, text) of every table-of-contents line, as Word would build it."""
    entries: list[tuple[int, str]] = []
    for article in agreement.articles:
        entries.append((1, f"Article {article.number}. {article.title.upper()}"))
        entries += [(2, f"{s.number}\t{s.clause.title}") for s in article.sections]
    entries.append((1, "SIGNATURES"))
    entries += [(1, f"{s.label.upper()}: {s.clause.title.upper()}") for s in agreement.schedules]
    return entries


def _toc(entries: list[tuple[int, str]]) -> str:
    out = []
    for index, (level, text) in enumerate(entries):
        content = run(text)
        if index == 0:
            content = toc_begin() + content
        if index == len(entries) - 1:
            content += toc_end()
        out.append(paragraph(content, style=f"TOC{level}"))
    return "".join(out)


def body_xml(agreement: Agreement, writer: WordWriter) -> str:
    """The preamble and every article and section."""
    out = [writer.blocks(agreement.preamble.blocks, style="BodyText")]
    for article in agreement.articles:
        out.append(paragraph(run(article.title), style="Heading1"))
        for section in article.sections:
            bookmark = (writer.next_bookmark(), bookmark_name(section.clause.slot))
            out.append(paragraph(run(section.clause.title), style="Heading2", bookmark=bookmark))
            out.append(writer.blocks(section.clause.blocks))
    return "".join(out)


def schedules_xml(agreement: Agreement, writer: WordWriter) -> str:
    out = []
    for schedule in agreement.schedules:
        label = bookmarked(run(schedule.label), writer.next_bookmark(), bookmark_name(schedule.clause.slot))
        out.append(paragraph(label + line_break() + run(schedule.clause.title), style="ScheduleHeading"))
        out.append(writer.blocks(schedule.clause.blocks))
    return "".join(out)


def shell_context(agreement: Agreement, bom: Mapping[str, Any]) -> dict[str, Any]:
    """The values the Word shell's tags print (cover, header, footer, signature blocks)."""
    client = agreement.client
    provider = agreement.provider
    return {
        "title": agreement.title,
        "provider_name": provider.legal_name,
        "client_name": client.legal_name,
        "provider_name_caps": provider.legal_name.upper(),
        "client_name_caps": client.legal_name.upper(),
        "provider_signatory_name": provider.signatory.name,
        "provider_signatory_title": provider.signatory.title,
        "client_signatory_name": client.signatory.name,
        "client_signatory_title": client.signatory.title,
        "effective_date": long_date(agreement.effective_date),
        "as_of": agreement.as_of.isoformat(),
        "agreement_id": agreement.id,
        "tier_name": agreement.provenance.tier_name,
        "industry_name": agreement.provenance.industry_name,
        "library_name": agreement.library_name,
        "library_version": agreement.library_version,
        "mark": mark(bom),
        "cover_note": cover_note(bom),
        "footer_left": f"{agreement.title} \u00b7 {agreement.id} \u00b7 library {agreement.library_version}",
    }


def render_agreement_docx(agreement: Agreement, shell: ShellTemplate, bom: Mapping[str, Any]) -> bytes:
    """The agreement .docx, byte-for-byte reproducible from the same inputs; the bill says which stage it is."""
    writer = WordWriter(agreement.labels())
    fragments = {
        "toc": _toc(toc_entries(agreement)),
        "body": body_xml(agreement, writer),
        "signature_leadin": writer.blocks(agreement.signature.blocks, style="BodyText"),
        "schedules": schedules_xml(agreement, writer),
    }
    parts = shell.render(shell_context(agreement, bom), fragments)
    parts["word/numbering.xml"] = writer.numbering.apply(parts["word/numbering.xml"])
    parts["docProps/core.xml"] = core_xml(
        title=f"{agreement.title} \u2014 {agreement.client_name}",
        subject=f"Agreement {agreement.id}",
        author=agreement.provider.legal_name,
        keywords=f"msa-builder; {stage(bom)}; {agreement.library_name} {agreement.library_version}",
        description=mark(bom),
        when=agreement.effective_date,
    )
    parts["docProps/custom.xml"] = custom_xml(custom_properties(bom))
    return write_package(parts)
