"""Redlines as text for terminals and code review: a word-level unified diff.

One line per paragraph (a table row is a line), prefixed like a unified diff: ` ` unchanged, `-`
deleted, `+` inserted, `~` changed inside, `<` moved away, `>` moved here. Inside a changed line,
deleted words are `[-like this-]` and inserted words `{+like this+}`, as `git diff --word-diff`
writes them. Hunks of changes come with a paragraph of context and `@@ -old +new @@` headers
counting paragraphs. List items carry their labels, (a) (b), as each version numbers them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..blocks import LineBreak
from ..library.refs import describe_version
from ..numbering import item_label
from .changelog import AgreementChangelog
from .clause_diff import ClauseRedline
from .compare import AgreementRedline
from .flat import FlatPara, flat_text
from .library_diff import LibraryRedline
from .model import DEL, EQ, INS, KEPT_ON_ACCEPT, KEPT_ON_REJECT, MOVE_FROM, MOVE_TO, Piece, Tracked, TrackedPara

_OPEN = {DEL: "[-", INS: "{+"}
_CLOSE = {DEL: "-]", INS: "+}"}


@dataclass(frozen=True)
class Line:
    prefix: str
    text: str
    in_old: bool
    in_new: bool

    @property
    def changed(self) -> bool:
        return self.prefix != " "


def pieces_text(pieces: tuple[Piece, ...], *, marked: bool = True) -> str:
    out = []
    for piece in pieces:
        inline = piece.inline
        text = "\u21b5 " if isinstance(inline, LineBreak) else flat_text((inline,))
        out.append((piece.kind, text))
    if not marked:
        return "".join(t for _, t in out)
    result: list[str] = []
    kind_open: str | None = None
    for kind, text in out:
        marked_kind = kind if kind in _OPEN else None
        if marked_kind != kind_open:
            if kind_open:
                result.append(_CLOSE[kind_open])
            if marked_kind:
                result.append(_OPEN[marked_kind])
            kind_open = marked_kind
        result.append(text)
    if kind_open:
        result.append(_CLOSE[kind_open])
    return "".join(result)


class ListLabels:
    """(a), (b)... as one version numbers its lists."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, int], int] = {}

    def label(self, para: FlatPara, side: str) -> str:
        fmt = para.format
        if fmt.level is None:
            return ""
        if not fmt.numbered:
            return "\u2022 "
        key = (f"{side}:{para.list_id}", fmt.level)
        index = self.counts.get(key, 0)
        self.counts[key] = index + 1
        return item_label(fmt.level, index) + " "


def _prefix(kinds: set[str], mark: str) -> str:
    every = kinds | {mark}
    if every <= {EQ}:
        return " "
    if MOVE_FROM in every and every <= {MOVE_FROM, DEL}:
        return "<"
    if MOVE_TO in every and every <= {MOVE_TO, INS}:
        return ">"
    if every == {DEL}:
        return "-"
    if every == {INS}:
        return "+"
    return "~"


def lines(items: list[Tracked]) -> list[Line]:
    """The redline as lines, with list labels from the version each line belongs to."""
    old_labels, new_labels = ListLabels(), ListLabels()
    out: list[Line] = []
    for item in items:
        if isinstance(item, TrackedPara):
            in_old, in_new = item.mark in KEPT_ON_REJECT, item.mark in KEPT_ON_ACCEPT
            old_label = old_labels.label(item.was or item.para, "old") if in_old else ""
            new_label = new_labels.label(item.para, "new") if in_new else ""
            kinds = {p.kind for p in item.pieces}
            restyled = item.was is not None and item.was.format != item.para.format
            if restyled or any(p.was is not None for p in item.pieces):
                kinds.add("format")
            prefix = _prefix(kinds, item.mark)
            whole = prefix in "-+<>"
            text = pieces_text(item.pieces, marked=not whole)
            if not whole and item.mark in _OPEN:
                text += f"{_OPEN[item.mark]}\u00b6{_CLOSE[item.mark]}"
            out.append(Line(prefix, (new_label or old_label) + text, in_old, in_new))
            continue
        rows = ([item.header] if item.header else []) + list(item.rows)
        for row in rows:
            kinds = {p.kind for c in row.cells for p in c} | {row.kind}
            prefix = _prefix(kinds, row.kind)
            whole = prefix in "-+<>"
            text = "| " + " | ".join(pieces_text(c, marked=not whole) for c in row.cells) + " |"
            out.append(Line(prefix, text, row.kind in KEPT_ON_REJECT, row.kind in KEPT_ON_ACCEPT))
    return out


def hunks(all_lines: list[Line], *, context: int = 1) -> list[str]:
    """Changed lines with `context` lines around them, under `@@ -old,count +new,count @@` headers."""
    changed = [i for i, line in enumerate(all_lines) if line.changed]
    if not changed:
        return []
    spans: list[list[int]] = []
    for i in changed:
        start, end = max(0, i - context), min(len(all_lines), i + context + 1)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    out = []
    for start, end in spans:
        old_start = sum(1 for line in all_lines[:start] if line.in_old) + 1
        new_start = sum(1 for line in all_lines[:start] if line.in_new) + 1
        old_count = sum(1 for line in all_lines[start:end] if line.in_old)
        new_count = sum(1 for line in all_lines[start:end] if line.in_new)
        out.append(f"@@ -{old_start},{old_count} +{new_start},{new_count} @@")
        out += [f"{line.prefix} {line.text}" for line in all_lines[start:end]]
    return out


def diff_text(items: list[Tracked], *, context: int = 1) -> list[str]:
    """The hunks of one redline, or a note that nothing changed."""
    return hunks(lines(items), context=context) or ["(no change in the text)"]


def clause_text(redline: ClauseRedline, *, context: int = 1) -> str:
    """`msa diff SLOT@V1 SLOT@V2 --format text`."""
    out = [f"--- {describe_version(redline.old)}", f"+++ {describe_version(redline.new)}",
           f"# variables from {redline.context}"]
    out += changelog_lines(redline.changelog)
    out += diff_text(redline.tracked(), context=context)
    return "\n".join(out) + "\n"


def changelog_lines(entries: tuple[tuple[str, str], ...]) -> list[str]:
    """`# slot:variant@version: what changed`, one comment line per version."""
    return [f"# {key}: {text}" for key, text in entries]


def agreement_changelog_lines(changelog: AgreementChangelog) -> list[str]:
    """Where the changelog comes from, then each changed clause's versions and their changelog."""
    if not changelog.clauses:
        return []
    out = ["", changelog.heading()]
    for clause in changelog.clauses:
        out.append(clause.title())
        out += changelog_lines(clause.entries)
        if clause.missing:
            out.append(f"# no changelog: {clause.missing}")
    return out


def library_text(redline: LibraryRedline, *, context: int = 1) -> str:
    """`msa diff --library OLD NEW --format text`: the release note, then each clause's diff."""
    old, new = redline.old.manifest, redline.new.manifest
    out = [f"--- {old.name} {old.version} ({redline.old.location})",
           f"+++ {new.name} {new.version} ({redline.new.location})",
           f"# variables from {redline.context}"]
    for title, slots in (("added", redline.added_slots), ("removed", redline.removed_slots),
                         ("changed", redline.changed_slots)):
        out.append(f"slots {title}: {', '.join(slots) if slots else 'none'}")
    out += [f"parameter {p.describe()}" for p in redline.parameters]
    for change in redline.changes:
        out += ["", f"=== {change.describe()}"]
        out += changelog_lines(change.redline.changelog)
        out += diff_text(change.redline.tracked(), context=context)
    return "\n".join(out) + "\n"


def agreement_text(redline: AgreementRedline, *, context: int = 1) -> str:
    """`msa compare OLD NEW --format text`: the summary, then each changed unit's diff."""
    out = [f"--- {redline.old.describe()}",
           f"+++ {redline.new.describe()}"]
    summary = redline.summary()
    out += summary or ["(no change in the text)"]
    out += agreement_changelog_lines(redline.changelog)
    for step in redline.steps:
        if step.kind == "same":
            continue
        unit = step.new or step.old
        assert unit is not None
        out += ["", f"=== {unit.name} ({step.kind})"]
        out += diff_text(step.tracked(), context=context)
    return "\n".join(out) + "\n"
