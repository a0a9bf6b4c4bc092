"""The attorney's review memo: why every clause is there, what deviates, what needs a decision."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..agreement import Agreement
from ..blocks import Paragraph, Table, Text
from ..lock import custom_properties
from ..marks import mark
from ..ooxml.numbering import BULLET_NUM
from ..ooxml.package import write_package
from ..ooxml.props import core_xml, custom_xml
from ..ooxml.text import paragraph, run
from .agreement_docx import shell_context
from ..ooxml.shell import ShellTemplate
from .wordml import WordWriter


def _cells(*values: str) -> tuple[tuple[Text, ...], ...]:
    return tuple((Text(v),) if v else () for v in values)


SAMPLE_PROVIDER = ("Sample provider: this draft names {name}, the fictional provider shipped with msa-builder, "
                   "because no provider file of your own was used. Create a workspace (`msa init`), fill in its "
                   "provider.yaml and build again before anything goes to a client.")


def decisions(agreement: Agreement, *, sample_provider: bool = False) -> list[str]:
    """Points a human must decide or confirm before the draft goes to the client."""
    items = [SAMPLE_PROVIDER.format(name=agreement.provider.legal_name)] if sample_provider else []
    for p in agreement.deviations:
        items.append(f"Deviation: {p.name} is {p.display}, not the library's {p.library_display} "
                     f"({p.library_source} value). Confirm the business reason and that the agreement stays consistent.")
    for c in agreement.declined:
        items.append(f"Declined control: {c.name}. Services are limited and the risk is allocated to the client "
                     "under the declined-controls schedule and the allocation-of-risk clause; the client's signatory "
                     "must initial and sign it, and the Provider countersigns.")
    for c in agreement.controls:
        if c.status == "client_managed" and c.source == "profile":
            items.append(f"Client-managed control: {c.name} is operated by the client. Confirm the client "
                         "understands it keeps responsibility for it.")
    for clause in agreement.clauses():
        if clause.status != "approved":
            items.append(f"Draft clause: {clause.key} is not approved; this draft cannot be made final until it is.")
    return items + list(agreement.review_notes)


def memo_body(agreement: Agreement, writer: WordWriter, *, sample_provider: bool = False) -> str:
    labels = {s.clause.slot: f"{s.number}" for a in agreement.articles for s in a.sections}
    labels.update({s.clause.slot: s.label for s in agreement.schedules})
    labels[agreement.preamble.slot] = "Preamble"
    labels[agreement.signature.slot] = "Signatures"
    out = [paragraph(run(
        f"This memo accompanies draft agreement {agreement.id} for {agreement.client_name}. Every clause was "
        f"selected by the rules of clause library {agreement.library_name} {agreement.library_version}; the "
        "tables below give the reason for each, the parameters and where each value came from, and every "
        "point that needs a human decision."), style="BodyText")]

    out.append(paragraph(run("Needs a human decision"), style="MemoHeading"))
    items = decisions(agreement, sample_provider=sample_provider)
    if items:
        for item in items:
            out.append(paragraph(run(item, highlight=item.startswith(("Deviation", "Draft clause", "Sample"))),
                                 style="ListBullet", num=(BULLET_NUM, 0)))
    else:
        out.append(paragraph(run("Nothing beyond ordinary review: no deviations, no declined controls and no "
                                 "draft clauses."), style="BodyText"))

    out.append(paragraph(run("Clauses and why they were selected"), style="MemoHeading"))
    rows = tuple(_cells(labels.get(c.slot, ""), c.slot, f"{c.variant}@{c.version}", c.status, c.reason)
                 for c in agreement.clauses())
    out.append(writer.table(Table(_cells("Where", "Slot", "Variant@version", "Status", "Why"), rows)))

    if agreement.left_out:
        out.append(paragraph(run("Optional clauses left out"), style="MemoHeading"))
        rows = tuple(_cells(c.slot, c.rules, c.reason) for c in agreement.left_out)
        out.append(writer.table(Table(_cells("Slot", "Rules considered", "Reason"), rows)))

    out.append(paragraph(run("Parameters"), style="MemoHeading"))
    params = agreement.params
    rows = tuple(_cells(p.name, p.display, p.source, f"{p.library_display} ({p.library_source})") for p in params)
    shaded = tuple(i for i, p in enumerate(params) if p.is_deviation)
    out.append(writer.table(Table(_cells("Parameter", "Value", "Source", "Library value"), rows), shaded_rows=shaded))

    out.append(paragraph(run("Deviations from the library"), style="MemoHeading"))
    if agreement.deviations:
        for p in agreement.deviations:
            out.append(paragraph(run(f"{p.name}: {p.display} instead of {p.library_display}. {p.description}",
                                     highlight=True), style="ListBullet", num=(BULLET_NUM, 0)))
    else:
        out.append(paragraph(run("None: every parameter is the library's value."), style="BodyText"))

    out.append(paragraph(run("Security controls"), style="MemoHeading"))
    rows = tuple(_cells(c.name, c.status.replace("_", " "), c.source, c.consequence if c.status == "declined" else "-")
                 for c in agreement.controls)
    out.append(writer.table(Table(_cells("Control", "Status", "Decided by", "Consequence of declining"), rows),
                            shaded_rows=tuple(i for i, c in enumerate(agreement.controls) if c.status == "declined")))
    return "".join(out) + writer.blocks((Paragraph((Text(
        "Generated by msa-builder. Selection, parameters and declined controls can be reproduced with "
        f"`msa explain` on the same profile, library and date ({agreement.as_of.isoformat()})."),)),))


def render_memo_docx(agreement: Agreement, shell: ShellTemplate, bom: Mapping[str, Any], *,
                     sample_provider: bool = False) -> bytes:
    """The review memo .docx (reproducible, like the agreement); `sample_provider` puts that on top of the memo."""
    writer = WordWriter()
    context = {**shell_context(agreement, bom),
               "footer_left": f"Review memo \u00b7 {agreement.id} \u00b7 library {agreement.library_version}"}
    parts = shell.render(context, {"body": memo_body(agreement, writer, sample_provider=sample_provider)})
    parts["word/numbering.xml"] = writer.numbering.apply(parts["word/numbering.xml"])
    parts["docProps/core.xml"] = core_xml(
        title=f"Review memo \u2014 {agreement.client_name}", subject=f"Agreement {agreement.id}",
        author=agreement.provider.legal_name, keywords="msa-builder; review memo",
        description=mark(bom), when=agreement.effective_date)
    parts["docProps/custom.xml"] = custom_xml(custom_properties(bom))
    return write_package(parts)
