"""Redline documents: a Word file whose changes are real tracked revisions, and its clean copy.

Each document is the redline shell (the shipped templates/redline.docx: the agreement's styles and numbering,
Track Changes on) with a cover that says what is compared and a body of tracked paragraphs. The
cover is commentary and never tracked; the body is. Like the agreement, the package is written
reproducibly: the revisions' author is fixed and their date comes from the inputs, so the same
comparison gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..library.refs import describe_version
from ..ooxml.package import write_package
from ..ooxml.props import core_xml, custom_xml
from ..ooxml.revisions import Revisions
from ..ooxml.text import paragraph, run
from ..paths import default_templates
from ..ooxml.shell import load_shell
from .changelog import AgreementChangelog
from .clause_diff import ClauseRedline
from .compare import MOVED_AWAY, MOVED_HERE, AgreementRedline, clean_steps
from .library_diff import LibraryRedline
from .paragraph_marks import starts_inserted
from .model import CLEAN, REDLINE
from .wordml import TrackedWriter

DEFAULT_AUTHOR = "msa-builder"
REDLINE_MARK = "REDLINE \u2014 FOR ATTORNEY REVIEW"
CLEAN_MARK = "CLEAN VIEW \u2014 FOR ATTORNEY REVIEW"


@dataclass(frozen=True)
class DocumentText:
    """What the shell prints around the body: title lines, header, footer and document properties."""

    title: str
    subtitle: str
    header: str
    footer: str
    subject: str
    properties: Mapping[str, str]


def note(text: str, style: str = "RedlineNote") -> str:
    """A cover paragraph (commentary, never tracked)."""
    return paragraph(run(text), style=style)


def page_break() -> str:
    """The cover ends here and the compared text starts on a new page (a cover paragraph itself)."""
    return paragraph('<w:r><w:br w:type="page"/></w:r>', style="RedlineNote")


def heading(text: str) -> str:
    """A cover heading (the memo's style, so it is never mistaken for a clause title in the body)."""
    return paragraph(run(text), style="MemoHeading", keep_next=True)


def package(text: DocumentText, cover: str, body: str, writer: TrackedWriter, *, when: date, clean: bool,
            templates: Path | None = None) -> bytes:
    """Render the redline shell around `cover` and `body` and zip it reproducibly."""
    shell = load_shell((templates or default_templates()) / "redline.docx")
    mark = CLEAN_MARK if clean else REDLINE_MARK
    parts = shell.render({"title": text.title, "subtitle": text.subtitle, "header_left": text.header,
                          "footer_left": text.footer, "mark": mark}, {"cover": cover, "body": body})
    parts["word/numbering.xml"] = writer.numbering.apply(parts["word/numbering.xml"])
    author = writer.revisions.author
    keywords = f"msa-builder; {'clean view' if clean else 'redline'}"
    parts["docProps/core.xml"] = core_xml(title=f"{text.title}: {text.subtitle}", subject=text.subject,
                                          author=author, keywords=keywords, description=mark, when=when)
    parts["docProps/custom.xml"] = custom_xml(dict(text.properties))
    return write_package(parts)


def new_writer(author: str, when: date, links: frozenset[str] = frozenset()) -> TrackedWriter:
    return TrackedWriter(Revisions(author, when), links=links)


LEGEND = ("Every change is a tracked revision: use Review > Accept All to get the new text, or Reject All "
          "to get the old one. Section and list numbers are Word's own and renumber themselves.")


def _versions(redline: ClauseRedline) -> str:
    old = redline.old.meta.version if redline.old else "(none)"
    new = redline.new.meta.version if redline.new else "(none)"
    if redline.old and redline.new and redline.old.meta.variant != redline.new.meta.variant:
        old, new = f"{redline.old.meta.variant}@{old}", f"{redline.new.meta.variant}@{new}"
    return f"{old} \u2192 {new}"


NOT_HERE = "(not in this version)"


def clause_cover(redline: ClauseRedline, *, clean: bool) -> str:
    """What is compared, whose values fill the variables, and the changelog in between."""
    out = [note(f"Old: {describe_version(redline.old, missing=NOT_HERE)}"),
           note(f"New: {describe_version(redline.new, missing=NOT_HERE)}"),
           note(f"Variables are filled in from {redline.context}."),
           note("Clean view: the new text without markup." if clean else LEGEND)]
    if redline.changelog:
        out.append(heading("Changelog"))
        out += changelog_notes(redline.changelog)
    return "".join(out)


def changelog_notes(entries: tuple[tuple[str, str], ...], style: str = "RedlineSummary") -> list[str]:
    """Cover paragraphs, one per version in a changelog: `slot:variant@version: what changed`."""
    return [note(f"{key}: {text}", style) for key, text in entries]


def agreement_changelog_notes(changelog: AgreementChangelog) -> list[str]:
    """The cover's changelog: where it comes from, then each clause's versions and their changelog."""
    if not changelog.clauses:
        return []
    out = [heading("Changelog"), note(changelog.heading())]
    for clause in changelog.clauses:
        out.append(note(clause.title(), "RedlineSummary"))
        out += changelog_notes(clause.entries, "RedlineNote")
        if clause.missing:
            out.append(note(f"No changelog: {clause.missing}."))
    return out


def clause_properties(redline: ClauseRedline, author: str) -> dict[str, str]:
    props = {"msa.redline.kind": "clause", "msa.redline.author": author,
             "msa.redline.date": redline.when.isoformat(), "msa.redline.context": redline.context}
    for side, clause in (("old", redline.old), ("new", redline.new)):
        if clause is not None:
            props[f"msa.redline.{side}"] = f"{clause.key} sha256:{clause.sha256}"
    return props


def clause_docx(redline: ClauseRedline, *, clean: bool = False, author: str = DEFAULT_AUTHOR,
                templates: Path | None = None) -> bytes:
    """One clause's redline (or clean view) as a Word document."""
    writer = new_writer(author, redline.when)
    body = writer.items(redline.tracked(CLEAN if clean else REDLINE))
    text = DocumentText(
        title="Clause (clean view)" if clean else "Clause redline",
        subtitle=f"{redline.title} ({redline.slot}) {_versions(redline)}",
        header=f"{redline.slot} {_versions(redline)}",
        footer=f"Clause library {redline.library}",
        subject=f"{redline.slot} {_versions(redline)}",
        properties=clause_properties(redline, author),
    )
    return package(text, clause_cover(redline, clean=clean), body + _end(clean), writer, when=redline.when,
                   clean=clean, templates=templates)


END_NOTE = "End of redline."


def _end(clean: bool) -> str:
    # The body never ends the document: Word keeps the last paragraph mark, so a redline whose last
    # paragraph is deleted still has a paragraph to join when that deletion is accepted.
    return note("End of clean view." if clean else END_NOTE)


def library_docx(redline: LibraryRedline, *, clean: bool = False, author: str = DEFAULT_AUTHOR,
                 templates: Path | None = None) -> bytes:
    """The release note: summary on the cover, then each changed clause as a tracked redline."""
    when = redline.when
    writer = new_writer(author, when)
    view = CLEAN if clean else REDLINE
    cover = [note(f"Old: {redline.old.manifest.name} {redline.old.manifest.version} ({redline.old.location})"),
             note(f"New: {redline.new.manifest.name} {redline.new.manifest.version} ({redline.new.location})"),
             note(f"Variables are filled in from {redline.context}."),
             note("Clean view: the new clause texts without markup." if clean else LEGEND)]
    for title, slots in (("Slots added", redline.added_slots), ("Slots removed", redline.removed_slots),
                         ("Slots changed", redline.changed_slots)):
        cover.append(heading(title))
        cover += [note(s, "RedlineSummary") for s in slots] or [note("None.", "RedlineSummary")]
    cover.append(heading("Clause versions"))
    cover += [note(c.describe(), "RedlineSummary") for c in redline.changes] or [note("None.", "RedlineSummary")]
    if redline.parameters:
        cover.append(heading("Parameters"))
        cover += [note(p.describe(), "RedlineSummary") for p in redline.parameters]
    cover.append(page_break())
    body = []
    for change in redline.changes:
        if clean and change.new is None:
            continue
        body.append(heading(change.describe()))
        body += changelog_notes(change.redline.changelog, "RedlineNote")
        body.append(writer.items(change.redline.tracked(view)))
    text = DocumentText(
        title="Clause library release note (clean view)" if clean else "Clause library release note",
        subtitle=redline.title(), header=redline.title(), footer=f"Clause library {redline.title()}",
        subject=redline.title(),
        properties={"msa.redline.kind": "library", "msa.redline.author": author, "msa.redline.date": when.isoformat(),
                    "msa.redline.old": f"{redline.old.manifest.name} {redline.old.manifest.version}",
                    "msa.redline.new": f"{redline.new.manifest.name} {redline.new.manifest.version}"},
    )
    return package(text, "".join(cover), "".join(body) + _end(clean), writer, when=when, clean=clean,
                   templates=templates)


def agreement_docx(redline: AgreementRedline, *, clean: bool = False, author: str = DEFAULT_AUTHOR,
                   templates: Path | None = None) -> bytes:
    """The full-agreement redline (or the new agreement's clean view) between two builds."""
    # Headings are bookmarked where they stand in the redline (a removed section's in its deleted
    # heading, a moved one's at its new place), so references on either side stay fields.
    links = frozenset(u.key for side in (redline.old, redline.new) for u in side.units
                      if u.kind in ("section", "schedule"))
    writer = new_writer(author, redline.when, links)
    view = CLEAN if clean else REDLINE
    body = []
    steps = clean_steps(redline) if clean else list(redline.steps)
    tracked = [step.tracked(view) for step in steps]
    for index, step in enumerate(steps):
        move = None
        if not clean and step.kind in (MOVED_AWAY, MOVED_HERE):
            move = ("moveFrom" if step.kind == MOVED_AWAY else "moveTo", step.move)
        then_inserted = index + 1 < len(steps) and starts_inserted(tracked[index + 1])
        body.append(writer.items(tracked[index], bookmarks=step.kind != MOVED_AWAY, move=move,
                                 then_inserted=then_inserted))
    summary = redline.summary()
    cover = [note(f"Old: {redline.old.describe()}"),
             note(f"New: {redline.new.describe()}"),
             note("Clean view: the new agreement without markup." if clean else LEGEND + (
                  " Sections are aligned by clause: a moved section shows as moved, and renumbering is not a "
                  "change.")),
             heading("Changes")]
    cover += [note(line, "RedlineSummary") for line in summary] or [note("No change in the text.", "RedlineSummary")]
    cover += agreement_changelog_notes(redline.changelog)
    cover.append(page_break())
    props = redline.new.properties
    client = props.get("msa.client", "?")
    ids = f"{redline.old.properties.get('msa.agreement_id', '?')} \u2192 {props.get('msa.agreement_id', '?')}"
    text = DocumentText(
        title="Agreement (clean view)" if clean else "Agreement redline", subtitle=client,
        header=f"{client} \u00b7 {ids}", footer=f"Redline {ids} \u00b7 library "
        f"{redline.old.properties.get('msa.library_version', '?')} \u2192 {props.get('msa.library_version', '?')}",
        subject=f"Agreement {ids}",
        properties={"msa.redline.kind": "agreement", "msa.redline.author": author,
                    "msa.redline.date": redline.when.isoformat(),
                    "msa.redline.old": redline.old.properties.get("msa.bom_sha256", ""),
                    "msa.redline.new": props.get("msa.bom_sha256", "")},
    )
    return package(text, "".join(cover), "".join(body) + _end(clean), writer, when=redline.when, clean=clean,
                   templates=templates)
