"""Redlines as one self-contained HTML page: old text on the left, new text on the right.

No scripts, fonts or stylesheets are fetched; the page can be mailed or attached to a ticket.
Each row is a paragraph (or table row) of the redline: the left cell shows it as the old version
has it, with deleted words struck through in red, the right cell as the new version has it, with
inserted words underlined in green. A paragraph that exists on one side only leaves the other
cell empty; moved text is tinted blue on both sides.
"""

from __future__ import annotations

from html import escape

from ..blocks import LineBreak
from ..library.refs import describe_version
from .changelog import AgreementChangelog
from .clause_diff import ClauseRedline
from .compare import AgreementRedline
from .flat import flat_text
from .library_diff import LibraryRedline
from .model import DEL, EQ, INS, KEPT_ON_ACCEPT, KEPT_ON_REJECT, MOVE_FROM, MOVE_TO, Piece, Tracked, TrackedPara
from .text import ListLabels

STYLE = """
body{font-family:Calibri,Carlito,Arial,sans-serif;margin:2em;color:#222;max-width:90em}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:2em} h3{font-size:1em;margin:1em 0 .2em}
.meta{color:#555;margin:.2em 0} .changelog li{margin:.3em 0}
table.sbs{border-collapse:collapse;width:100%;table-layout:fixed;margin-top:1em}
table.sbs th{background:#d9e2f3;text-align:left;padding:.4em .6em}
table.sbs td{vertical-align:top;padding:.35em .6em;border-top:1px solid #ddd;line-height:1.4}
tr.same td{color:#555} tr.changed td{background:#fffdf3} td.none{background:#f4f4f4}
del{background:#fdd;color:#a00;text-decoration:line-through}
ins{background:#dfd;color:#060;text-decoration:underline}
.moved{background:#e6f0ff} .legend{font-size:.9em;color:#555}
""".strip()
LEGEND = ('<p class="legend"><del>deleted</del> <ins>inserted</ins> <span class="moved">moved</span>; '
          "list and section numbers as each version numbers them.</p>")


def _pieces(pieces: tuple[Piece, ...], keep: tuple[str, ...]) -> str:
    """One side's text, each run of deleted, inserted or moved words in one element."""
    groups: list[tuple[str, list[str]]] = []
    for piece in pieces:
        if piece.kind not in keep:
            continue
        text = "<br>" if isinstance(piece.inline, LineBreak) else escape(flat_text((piece.inline,)))
        if groups and groups[-1][0] == piece.kind:
            groups[-1][1].append(text)
        else:
            groups.append((piece.kind, [text]))
    out = []
    for kind, texts in groups:
        text = "".join(texts)
        if kind == DEL:
            text = f"<del>{text}</del>"
        elif kind == INS:
            text = f"<ins>{text}</ins>"
        elif kind in (MOVE_FROM, MOVE_TO):
            text = f'<span class="moved">{text}</span>'
        out.append(text)
    return "".join(out)


def rows(items: list[Tracked]) -> str:
    """Table rows (`<tr>`) of one redline, side by side.

    A paragraph whose break exists on one side only (two paragraphs joined, or one split) has its
    text carried, on the side that lacks the break, into the next paragraph, where that side has it.
    """
    old_labels, new_labels = ListLabels(), ListLabels()
    out = []
    carry_old = carry_new = ""
    for item in items:
        if isinstance(item, TrackedPara):
            left_text = carry_old + _pieces(item.pieces, KEPT_ON_REJECT)
            right_text = carry_new + _pieces(item.pieces, KEPT_ON_ACCEPT)
            left = right = None
            carry_old = carry_new = ""
            if item.mark in KEPT_ON_REJECT:
                left = escape(old_labels.label(item.was or item.para, "old")) + left_text
            else:
                carry_old = left_text
            if item.mark in KEPT_ON_ACCEPT:
                right = escape(new_labels.label(item.para, "new")) + right_text
            else:
                carry_new = right_text
            out.append(_row(item.changed, left, right))
            continue
        for row in ([item.header] if item.header else []) + list(item.rows):
            changed = row.kind != EQ or any(p.kind != EQ for c in row.cells for p in c)
            left = _cells(row.cells, KEPT_ON_REJECT) if row.kind in KEPT_ON_REJECT else None
            right = _cells(row.cells, KEPT_ON_ACCEPT) if row.kind in KEPT_ON_ACCEPT else None
            out.append(_row(changed, left, right))
    return "".join(out)


def _cells(cells: tuple[tuple[Piece, ...], ...], keep: tuple[str, ...]) -> str:
    return " \u2502 ".join(_pieces(c, keep) for c in cells)


def _row(changed: bool, left: str | None, right: str | None) -> str:
    def cell(html: str | None) -> str:
        return '<td class="none"></td>' if html is None else f"<td>{html}</td>"

    return f'<tr class="{"changed" if changed else "same"}">{cell(left)}{cell(right)}</tr>'


def side_by_side(items: list[Tracked], old_heading: str, new_heading: str, *, inline_style: bool = True) -> str:
    # A page of one's own (a fragment under a strict CSP) sizes the columns in its stylesheet.
    cols = '<col style="width:50%"><col style="width:50%">' if inline_style else "<col><col>"
    return (f'<table class="sbs"><colgroup>{cols}</colgroup>'
            f"<thead><tr><th>{escape(old_heading)}</th><th>{escape(new_heading)}</th></tr></thead>"
            f"<tbody>{rows(items)}</tbody></table>")


def page(title: str, subtitle: str, body: str) -> str:
    """A complete HTML document."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="generator" content="msa-builder"><title>{escape(title)}: {escape(subtitle)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
            f'<p class="meta">{escape(subtitle)}</p>{LEGEND}{body}</body></html>\n')


def meta(lines: list[str]) -> str:
    return "".join(f'<p class="meta">{escape(line)}</p>' for line in lines)


def changelog_items(entries: tuple[tuple[str, str], ...]) -> str:
    """A list of the versions in a changelog: `slot:variant@version`: what changed."""
    if not entries:
        return ""
    items = "".join(f"<li><b>{escape(key)}</b>: {escape(text)}</li>" for key, text in entries)
    return f'<ul class="changelog">{items}</ul>'


def changelog(entries: tuple[tuple[str, str], ...]) -> str:
    return f"<h2>Changelog</h2>{changelog_items(entries)}" if entries else ""


def agreement_changelog(changelog: AgreementChangelog) -> str:
    """Where the changelog comes from, then each changed clause's versions and their changelog."""
    if not changelog.clauses:
        return ""
    parts = ["<h2>Changelog</h2>", meta([changelog.heading()])]
    for clause in changelog.clauses:
        parts.append(f"<h3>{escape(clause.title())}</h3>{changelog_items(clause.entries)}")
        if clause.missing:
            parts.append(meta([f"No changelog: {clause.missing}."]))
    return "".join(parts)


def clause_html(redline: ClauseRedline) -> str:
    """`msa diff SLOT@V1 SLOT@V2 --format html`."""
    body = (meta([f"Old: {describe_version(redline.old)}", f"New: {describe_version(redline.new)}",
                  f"Variables are filled in from {redline.context}."])
            + changelog(redline.changelog)
            + side_by_side(redline.tracked(), f"Old: {describe_version(redline.old)}", f"New: {describe_version(redline.new)}"))
    return page("Clause redline", f"{redline.title} ({redline.slot})", body)


def library_html(redline: LibraryRedline) -> str:
    """`msa diff --library OLD NEW --format html`: summary, then each changed clause side by side."""
    old, new = redline.old.manifest, redline.new.manifest
    parts = [meta([f"Old: {old.name} {old.version} ({redline.old.location})",
                   f"New: {new.name} {new.version} ({redline.new.location})",
                   f"Variables are filled in from {redline.context}."])]
    for title, slots in (("Slots added", redline.added_slots), ("Slots removed", redline.removed_slots),
                         ("Slots changed", redline.changed_slots)):
        parts.append(f"<h2>{title}</h2><ul>{''.join(f'<li>{escape(s)}</li>' for s in slots) or '<li>None.</li>'}</ul>")
    if redline.parameters:
        items = "".join(f"<li>{escape(p.describe())}</li>" for p in redline.parameters)
        parts.append(f"<h2>Parameters</h2><ul>{items}</ul>")
    for index, change in enumerate(redline.changes, start=1):
        parts.append(f'<h2 id="change-{index}">{escape(change.describe())}</h2>')
        parts.append(changelog_items(change.redline.changelog))
        parts.append(side_by_side(change.redline.tracked(), describe_version(change.old), describe_version(change.new)))
    return page("Clause library release note", redline.title(), "".join(parts))


def agreement_html(redline: AgreementRedline) -> str:
    """`msa compare OLD NEW --format html`: summary, then every changed section side by side."""
    parts = [meta([f"Old: {redline.old.describe()}",
                   f"New: {redline.new.describe()}"])]
    summary = redline.summary()
    parts.append(f"<h2>Changes</h2><ul>{''.join(f'<li>{escape(s)}</li>' for s in summary) or '<li>None.</li>'}</ul>")
    parts.append(agreement_changelog(redline.changelog))
    for step in redline.steps:
        if step.kind == "same":
            continue
        unit = step.new or step.old
        assert unit is not None
        parts.append(f"<h2>{escape(unit.name)} ({escape(step.kind)})</h2>")
        parts.append(side_by_side(step.tracked(), step.old.label if step.old else "(none)",
                                  step.new.label if step.new else "(none)"))
    return page("Agreement redline", redline.new.properties.get("msa.client", ""), "".join(parts))


def clause_fragment(redline: ClauseRedline) -> str:
    """A clause redline as a fragment for a page of one's own (no document, no inline style)."""
    old, new = describe_version(redline.old), describe_version(redline.new)
    return (meta([f"Old: {old}", f"New: {new}", f"Variables are filled in from {redline.context}."])
            + LEGEND + changelog(redline.changelog)
            + side_by_side(redline.tracked(), f"Old: {old}", f"New: {new}", inline_style=False))
