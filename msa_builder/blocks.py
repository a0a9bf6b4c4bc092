"""The intermediate document model between clause Markdown and every renderer.

Markdown is parsed once by markdown-it-py into a few block and inline types; the DOCX writer,
the plain-text extractor and the redline all consume these, never Markdown or Word XML.

One block attribute is ours: `{.conspicuous}` on the line before a paragraph or a list (the
attrs syntax of mdit-py-plugins) marks a disclaimer, limitation, waiver or risk acceptance that
the law wants conspicuous (UCC 2-316(2), Texas's fair-notice rule). Its text is carried as bold
capitals (`Text.caps`), so Word prints it with run properties and the plain-text extraction shows
it in capitals; the drafter never types capitals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Union

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin

from .errors import LibraryError


@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False
    italic: bool = False
    caps: bool = False  # printed in capitals (conspicuous text); the text itself keeps its case


@dataclass(frozen=True)
class Ref:
    """A cross-reference to a slot; `label` ("Section 3.2", "Schedule C") is set at assembly."""

    target: str
    label: str = ""


@dataclass(frozen=True)
class LineBreak:
    pass


Inline = Union[Text, Ref, LineBreak]


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]
    conspicuous: bool = False


@dataclass(frozen=True)
class Heading:
    level: int
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[tuple[Block, ...], ...]
    conspicuous: bool = False


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]


Block = Union[Paragraph, Heading, ListBlock, Table]

_md = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
       .use(attrs_block_plugin))

CONSPICUOUS = "conspicuous"


def _conspicuous(token: Token) -> bool:
    """Whether a block carries our `{.conspicuous}` attribute; any other attribute is a mistake."""
    if not token.attrs:
        return False
    classes = str(token.attrs.get("class", "")).split()
    # `start` is markdown-it's own (an ordered list that does not begin at 1), not an attribute of ours.
    unknown = [k for k in token.attrs if k not in ("class", "start")] + [f".{c}" for c in classes
                                                                          if c != CONSPICUOUS]
    if unknown:
        raise _BadAttribute(", ".join(unknown))
    return CONSPICUOUS in classes


def _inlines(token: Token | None, caps: bool = False) -> tuple[Inline, ...]:
    out: list[Inline] = []
    bold = italic = False
    ref: str | None = None
    for child in (token.children or []) if token is not None else []:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
            if href.startswith("#"):
                ref = href[1:]
                out.append(Ref(ref))
        elif kind == "link_close":
            ref = None
        elif kind in ("text", "code_inline"):
            if ref is not None:
                if child.content.strip():
                    raise _LinkText(child.content, ref)
                continue
            if child.content:
                out.append(Text(child.content, bold or caps, italic, caps))
        elif kind == "softbreak":
            out.append(Text(" ", bold or caps, italic, caps))
        elif kind == "hardbreak":
            out.append(LineBreak())
        elif kind == "image":
            out.append(Text(child.content, bold or caps, italic, caps))
    return tuple(_merge(out))


def _merge(inlines: list[Inline]) -> list[Inline]:
    """Join neighbouring runs with the same formatting, so text compares and renders simply."""
    merged: list[Inline] = []
    for item in inlines:
        last = merged[-1] if merged else None
        if (isinstance(item, Text) and isinstance(last, Text)
                and (last.bold, last.italic, last.caps) == (item.bold, item.italic, item.caps)):
            merged[-1] = replace(last, text=last.text + item.text)
        else:
            merged.append(item)
    return merged


def _parse(tokens: list[Token], pos: int, end_type: str | None,
           conspicuous: bool = False) -> tuple[list[Block], int]:
    """Blocks from `pos` to `end_type`; inside a conspicuous list every paragraph is conspicuous."""
    blocks: list[Block] = []
    while pos < len(tokens):
        tok = tokens[pos]
        if end_type is not None and tok.type == end_type:
            return blocks, pos + 1
        if tok.type == "paragraph_open":
            marked = conspicuous or _conspicuous(tok)
            blocks.append(Paragraph(_inlines(tokens[pos + 1], marked), marked))
            pos += 3
        elif tok.type == "heading_open":
            blocks.append(Heading(int(tok.tag[1:]), _inlines(tokens[pos + 1])))
            pos += 3
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            close = tok.type.replace("_open", "_close")
            marked = conspicuous or _conspicuous(tok)
            items: list[tuple[Block, ...]] = []
            pos += 1
            while tokens[pos].type != close:
                item, pos = _parse(tokens, pos + 1, "list_item_close", marked)
                items.append(tuple(item))
            blocks.append(ListBlock(tok.type == "ordered_list_open", tuple(items), marked))
            pos += 1
        elif tok.type == "table_open":
            table, pos = _table(tokens, pos + 1)
            blocks.append(table)
        elif tok.type in ("fence", "code_block"):
            blocks.extend(Paragraph((Text(line),)) for line in tok.content.splitlines() if line.strip())
            pos += 1
        elif tok.type == "hr":
            pos += 1
        elif tok.type == "blockquote_open":
            inner, pos = _parse(tokens, pos + 1, "blockquote_close")
            blocks.extend(inner)
        else:
            pos += 1
    return blocks, pos


def _table(tokens: list[Token], pos: int) -> tuple[Table, int]:
    header: list[tuple[Inline, ...]] = []
    rows: list[tuple[tuple[Inline, ...], ...]] = []
    row: list[tuple[Inline, ...]] = []
    in_head = False
    while tokens[pos].type != "table_close":
        kind = tokens[pos].type
        if kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            if in_head:
                header = row
            else:
                rows.append(tuple(row))
        elif kind == "inline":
            row.append(_inlines(tokens[pos]))
        pos += 1
    return Table(tuple(header), tuple(rows)), pos + 1


def parse_markdown(text: str, *, where: str) -> tuple[Block, ...]:
    """Parse rendered clause Markdown into blocks.

    Most clauses render to the same text for every client, so a batch parses each distinct text
    once: parsing is the largest single cost of an in-memory build.
    """
    try:
        return _parse_cached(text)
    except _LinkText as exc:
        raise LibraryError(f"a cross-reference link must have empty text: [{exc.args[0]}](#{exc.args[1]})",
                           file=where) from None
    except _BadAttribute as exc:
        raise LibraryError(f"unknown block attribute {exc.args[0]}; the only one is {{.{CONSPICUOUS}}}",
                           file=where) from None


class _LinkText(Exception):
    pass


class _BadAttribute(Exception):
    pass


@lru_cache(maxsize=1024)  # the texts every client shares stay; a client's own (its name) pass through
def _parse_cached(text: str) -> tuple[Block, ...]:
    """Parsed once per distinct rendered text. Bounded so that a long batch stays flat: with 4,096
    entries a worker grew by ~35 MB over its first 1,000 clients for the same hit rate."""
    blocks, _ = _parse(_md.parse(text), 0, None)
    return tuple(blocks)


def inline_text(inlines: tuple[Inline, ...]) -> str:
    return "".join(i.text if isinstance(i, Text) else i.label if isinstance(i, Ref) else "\n" for i in inlines)


def shown_text(inlines: tuple[Inline, ...], conspicuous: bool = False) -> str:
    """The text as a reader sees it: conspicuous text (and its references) in capitals."""
    return "".join((i.text.upper() if i.caps else i.text) if isinstance(i, Text)
                   else (i.label.upper() if conspicuous else i.label) if isinstance(i, Ref) else "\n"
                   for i in inlines)


def is_conspicuous(block: Block) -> bool:
    return isinstance(block, (Paragraph, ListBlock)) and block.conspicuous


def block_lines(blocks: tuple[Block, ...], depth: int = 0) -> list[str]:
    """Blocks as plain lines (list items numbered (a), (i) / bulleted), for text extraction."""
    from .numbering import item_label

    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            lines.append(shown_text(block.inlines, block.conspicuous))
        elif isinstance(block, Heading):
            lines.append(inline_text(block.inlines))
        elif isinstance(block, ListBlock):
            for index, item in enumerate(block.items):
                label = item_label(depth, index) if block.ordered else "•"
                inner = block_lines(item, depth + 1)
                if inner:
                    lines.append(f"{label} {inner[0]}")
                    lines.extend(inner[1:])
        elif isinstance(block, Table):
            lines.append(" | ".join(inline_text(c) for c in block.header))
            lines.extend(" | ".join(inline_text(c) for c in row) for row in block.rows)
    return lines


def map_refs(blocks: tuple[Block, ...], fix: Callable[[Ref], Inline]) -> tuple[Block, ...]:
    """Return blocks with every Ref replaced by `fix(ref)`."""

    def inl(items: tuple[Inline, ...]) -> tuple[Inline, ...]:
        return tuple(fix(i) if isinstance(i, Ref) else i for i in items)

    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(Paragraph(inl(block.inlines), block.conspicuous))
        elif isinstance(block, Heading):
            out.append(Heading(block.level, inl(block.inlines)))
        elif isinstance(block, ListBlock):
            out.append(ListBlock(block.ordered, tuple(map_refs(item, fix) for item in block.items),
                                 block.conspicuous))
        else:
            out.append(Table(tuple(inl(c) for c in block.header),
                             tuple(tuple(inl(c) for c in row) for row in block.rows)))
    return tuple(out)
