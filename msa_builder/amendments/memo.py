"""The attorney's memo for an amendment: per change the slot, the versions, the changelog, a redline.

The redline of each section is a real tracked change (the same machinery as `msa diff`): Accept
All in Word gives the section as amended, Reject All the section as signed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..library.model import Library
from ..library.refs import changelog_between
from ..lock import custom_properties
from ..marks import mark
from ..ooxml.package import write_package
from ..ooxml.props import core_xml, custom_xml
from ..ooxml.revisions import Revisions
from ..ooxml.shell import ShellTemplate
from ..ooxml.text import paragraph, run
from ..redline.flat import flatten
from ..redline.model import track
from ..redline.wordml import TrackedWriter
from ..render.agreement_docx import shell_context
from .model import Amendment
from .plan import Change

AUTHOR = "msa-builder"


def change_changelog(library: Library, change: Change) -> tuple[tuple[str, str], ...]:
    """The changelog lines between the signed version and the new one (the new library keeps both)."""
    if change.new is None or change.unit not in ("section", "schedule"):
        return ()
    new = library.find(change.new.slot, change.new.variant, change.new.version)
    old = library.find(change.old.slot, change.old.variant, change.old.version) if change.old else None
    if new is None:
        return ()
    if change.old is not None and old is None:
        return ((new.key, new.meta.changelog),)
    if old is not None and old.key == new.key:
        return ()  # the same version prints differently: a parameter or a client fact changed
    return changelog_between(library, old, new)


def _redline(change: Change, writer: TrackedWriter, index: int) -> str:
    old = flatten(change.old.blocks, prefix=f"old{index}") if change.old else ()
    new = flatten(change.new.blocks, prefix=f"new{index}") if change.new else ()
    return writer.items(track(old, new), bookmarks=False)


def memo_body(amendment: Amendment, changelogs: Sequence[tuple[tuple[str, str], ...]], points: Sequence[str],
              writer: TrackedWriter) -> str:
    agreement = amendment.conformed
    out = [paragraph(run(
        f"This memo accompanies draft Amendment No. {amendment.number} ({amendment.id}) to agreement "
        f"{amendment.agreement_id} for {agreement.client_name}. It changes {len(amendment.changes)} part(s) of the "
        "signed agreement, each listed below with its clause versions, the changelog between them and a "
        "tracked-change redline of the text as signed against the text as amended (Accept All gives the amended "
        "text, Reject All the signed one). No other section is restated."), style="BodyText")]
    out.append(paragraph(run("Needs a human decision"), style="MemoHeading"))
    out += ([paragraph(run(point), style="ListBullet") for point in points] if points else
            [paragraph(run("Nothing beyond the changes below."), style="BodyText")])
    for number, (change, changelog) in enumerate(zip(amendment.changes, changelogs), start=1):
        out.append(paragraph(run(f"{number}. {change.label} ({change.title}): {change.kind}"), style="MemoHeading"))
        versions = " \u2192 ".join(v or "(none)" for v in (change.old_version, change.new_version))
        out.append(paragraph(run(f"Slot {change.slot} \u00b7 versions {versions}"), style="BodyText"))
        if changelog:
            out.append(paragraph(run("Changelog:", bold=True), style="BodyText"))
            out += [paragraph(run(f"{key}: {text}"), style="ListBullet") for key, text in changelog]
        elif change.old is not None and change.new is not None:
            out.append(paragraph(run("Same clause version: a value it prints changed (a parameter, a client or "
                                     "provider fact, or a cross-reference)."), style="BodyText"))
        out.append(paragraph(run("Redline (signed \u2192 amended):", bold=True), style="BodyText"))
        out.append(_redline(change, writer, number))
    return "".join(out)


def render_amendment_memo(amendment: Amendment, shell: ShellTemplate, bom: Mapping[str, Any], *,
                          changelogs: Sequence[tuple[tuple[str, str], ...]], points: Sequence[str]) -> bytes:
    """The amendment's review memo .docx, reproducible (revisions dated the amendment's effective date)."""
    writer = TrackedWriter(Revisions(AUTHOR, amendment.effective_date))
    context = {**shell_context(amendment.conformed, bom), "title": amendment.title, "agreement_id": amendment.id,
               "footer_left": f"Review memo \u00b7 {amendment.id}"}
    parts = shell.render(context, {"body": memo_body(amendment, changelogs, points, writer)})
    parts["word/numbering.xml"] = writer.numbering.apply(parts["word/numbering.xml"])
    parts["docProps/core.xml"] = core_xml(
        title=f"Review memo \u2014 {amendment.title}", subject=f"Amendment {amendment.id}",
        author=amendment.conformed.provider.legal_name, keywords="msa-builder; amendment review memo",
        description=mark(bom), when=amendment.effective_date)
    parts["docProps/custom.xml"] = custom_xml(custom_properties(bom))
    return write_package(parts)
