"""Word-level diff of flat paragraphs: tokens, diff-match-patch, and what counts as a change.

A paragraph becomes tokens (words, numbers, punctuation, cross-references, line breaks) followed by
a paragraph mark; a table is one token. Whitespace is not a token: each token carries the spaces
before it, so reflowed Markdown, doubled spaces and the like are never a change on their own, yet
unchanged text is still written exactly as the new version has it. A cross-reference compares by
the slot it points to, not its label, so "Section 3.2" becoming "Section 3.3" after a renumbering
is not a change either.

The diff itself is diff-match-patch's, run on one character per distinct token (its line-mode
trick at word granularity) with semantic clean-up, so that a rewritten sentence reads as one
deletion and one insertion instead of a confetti of matched "the"s. The paragraph mark is the
character "\\n" and words are letters to it, so clean-up prefers edits that end at paragraph
boundaries. The time limit is off: a diff must not depend on how fast the machine is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from diff_match_patch import diff_match_patch

from ..blocks import LineBreak, Ref, Text
from .flat import FlatInline, FlatItem, FlatPara, FlatTable, Label, flat_text

Op = Literal["eq", "del", "ins"]
TokenKind = Literal["word", "ref", "label", "br", "mark", "table"]

_TOKEN = re.compile(r"\s+|\$?\d(?:[\d,.]*\d)?%?|\w+(?:['\u2019]\w+)*|[^\w\s]")
_MARK_CHAR = "\n"
# Letters (str.isalnum) for every other token: diff-match-patch then scores only "\n" as a boundary.
_ALPHABETS = ((0x4E00, 0x9FFF), (0x20000, 0x2A6DF), (0x30000, 0x3134F))


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    key: str  # what the diff compares
    text: str = ""  # what is shown: the word, or a reference's label
    space: str = ""  # whitespace before the token, shown but never compared
    bold: bool = False
    italic: bool = False
    space_format: tuple[bool, bool] = (False, False)  # the whitespace's own (bold, italic)
    target: str | None = None  # slot of a reference or label
    para: FlatPara | None = None  # the paragraph a mark ends
    table: FlatTable | None = None

    @property
    def format(self) -> tuple[bool, bool]:
        return self.bold, self.italic


DiffOp = tuple[Op, "Token | None", "Token | None"]


def inline_tokens(inlines: tuple[FlatInline, ...]) -> tuple[list[Token], str, tuple[bool, bool]]:
    """Tokens of a run of inlines, plus any trailing whitespace and its format."""
    tokens: list[Token] = []
    space, space_format = "", (False, False)
    for item in inlines:
        if isinstance(item, Text):
            for match in _TOKEN.finditer(item.text):
                piece = match.group(0)
                if piece.isspace():
                    if not space:
                        space_format = (item.bold, item.italic)
                    space += piece
                    continue
                tokens.append(Token("word", piece, piece, space, item.bold, item.italic, space_format))
                space = ""
        elif isinstance(item, Ref):
            tokens.append(Token("ref", f"\0ref:{item.target}", item.label, space, space_format=space_format,
                                target=item.target))
            space = ""
        elif isinstance(item, Label):
            tokens.append(Token("label", f"\0label:{item.slot}", item.text, space, space_format=space_format,
                                target=item.slot))
            space = ""
        elif isinstance(item, LineBreak):
            tokens.append(Token("br", "\0br", "\n", space, space_format=space_format))
            space = ""
    return tokens, space, space_format


def item_tokens(items: tuple[FlatItem, ...]) -> list[Token]:
    """A unit's paragraphs and tables as one token stream; every paragraph ends with its mark."""
    out: list[Token] = []
    for item in items:
        if isinstance(item, FlatTable):
            header = "\x1f".join(flat_text(c) for c in item.header)
            out.append(Token("table", f"\0table:{item.style}:{header}", table=item))
            continue
        tokens, space, space_format = inline_tokens(item.inlines)
        out += tokens
        out.append(Token("mark", "\0mark", space=space, space_format=space_format, para=item))
    return out


def _encode(keys: list[str], alphabet: dict[str, str]) -> str:
    chars = []
    for key in keys:
        char = alphabet.get(key)
        if char is None:
            char = _MARK_CHAR if key == "\0mark" else _letter(len(alphabet))
            alphabet[key] = char
        chars.append(char)
    return "".join(chars)


def _letter(index: int) -> str:
    for low, high in _ALPHABETS:
        size = high - low + 1
        if index < size:
            return chr(low + index)
        index -= size
    raise ValueError("too many distinct words for one diff")


def diff_keys(old: list[str], new: list[str], *, semantic: bool = True) -> list[tuple[Op, int]]:
    """(op, count) runs turning the `old` key sequence into `new`; deletions come before insertions."""
    alphabet: dict[str, str] = {}
    a, b = _encode(old, alphabet), _encode(new, alphabet)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # no deadline: the same inputs always give the same diff
    diffs = dmp.diff_main(a, b, False)
    if semantic:
        dmp.diff_cleanupSemantic(diffs)
    names: dict[int, Op] = {0: "eq", -1: "del", 1: "ins"}
    return [(names[op], len(text)) for op, text in diffs if text]


def diff_tokens(old: list[Token], new: list[Token]) -> list[DiffOp]:
    """The token-level edit script, with whitespace changes folded into neighbouring edits."""
    ops: list[DiffOp] = []
    i = j = 0
    for op, count in diff_keys([t.key for t in old], [t.key for t in new]):
        for _ in range(count):
            if op == "eq":
                ops.append(("eq", old[i], new[j]))
                i += 1
                j += 1
            elif op == "del":
                ops.append(("del", old[i], None))
                i += 1
            else:
                ops.append(("ins", None, new[j]))
                j += 1
    return _fold_spaces(_hoist_spaces(_align_paragraphs(ops)))


def _region_end(ops: list[DiffOp], start: int) -> int:
    """Where the run of changed ops starting at `start` ends (the next unchanged op, or the end)."""
    end = start
    while end < len(ops) and ops[end][0] != "eq":
        end += 1
    return end


def _regions(ops: list[DiffOp]) -> Iterator[tuple[DiffOp | None, list[DiffOp]]]:
    """Each unchanged op as (op, []), and each run of changed ops between them as (None, run)."""
    index = 0
    while index < len(ops):
        if ops[index][0] == "eq":
            yield ops[index], []
            index += 1
            continue
        end = _region_end(ops, index)
        yield None, ops[index:end]
        index = end


def _hoist_spaces(ops: list[DiffOp]) -> list[DiffOp]:
    """"within [- 10 days-]{+ 5 Business Days+}" -> "within [-10 days-]{+5 Business Days+}".

    When a replacement's deleted and inserted words start with the same spacing, that spacing is
    unchanged text, not part of the change.
    """
    out: list[DiffOp] = []
    for unchanged, changed in _regions(ops):
        if unchanged is not None:
            out.append(unchanged)
            continue
        region = list(changed)
        first_del = next((k for k, (op, _, _) in enumerate(region) if op == "del"), None)
        first_ins = next((k for k, (op, _, _) in enumerate(region) if op == "ins"), None)
        if first_del is not None and first_ins is not None:
            a, b = region[first_del][1], region[first_ins][2]
            assert a is not None and b is not None
            if a.space and a.space == b.space and "mark" not in (a.kind, b.kind):
                out.append(("eq", Token("word", "", space=a.space, space_format=a.space_format),
                            Token("word", "", space=b.space, space_format=b.space_format)))
                region[first_del] = ("del", replace(a, space=""), None)
                region[first_ins] = ("ins", None, replace(b, space=""))
        out += region
    return out


def _align_paragraphs(ops: list[DiffOp]) -> list[DiffOp]:
    """Lay out each changed region paragraph by paragraph instead of all deletions first.

    diff-match-patch reports a region as "delete all this, insert all that". Where both sides of a
    region contain paragraph breaks, the first old and new paragraphs share one paragraph (its
    break is kept), whole paragraphs in between are deleted or inserted, and the last ones share
    the paragraph that continues after the region; with as many breaks on each side, each old
    paragraph faces its new one. The same tokens are kept, deleted and inserted either way, so
    Accept All and Reject All are unaffected; the redline just reads in place.
    """
    out: list[DiffOp] = []
    index = 0
    while index < len(ops):
        if ops[index][0] == "eq":
            out.append(ops[index])
            index += 1
            continue
        end = _region_end(ops, index)
        region, index = ops[index:end], end
        old = [a for op, a, _ in region if op == "del" and a is not None]
        new = [b for op, _, b in region if op == "ins" and b is not None]
        if any(t.kind == "table" for t in old + new):
            out += region
            continue
        old_parts, old_marks = _split(old)
        new_parts, new_marks = _split(new)
        if not old_marks or not new_marks:
            mid_paragraph = bool(out) and out[-1][1] is not None and out[-1][1].kind != "mark"
            tail = _tail(ops, index)
            early = _close_early(old, new, tail) if (old_marks or new_marks) and mid_paragraph and tail else None
            if early is not None:
                out += early
                index += len(tail)
            else:
                out += region
            continue
        pairs = len(old_marks) if len(old_marks) == len(new_marks) else 1
        for k in range(pairs):
            out += _dels(old_parts[k]) + _inss(new_parts[k]) + [("eq", old_marks[k], new_marks[k])]
        for k in range(pairs, len(old_marks)):
            out += _dels(old_parts[k]) + [("del", old_marks[k], None)]
        for k in range(pairs, len(new_marks)):
            out += _inss(new_parts[k]) + [("ins", None, new_marks[k])]
        out += _dels(old_parts[-1]) + _inss(new_parts[-1])
    return out


def _tail(ops: list[DiffOp], index: int) -> list[DiffOp]:
    """The unchanged rest of a paragraph after position `index`, up to and including its mark."""
    end = index
    while end < len(ops) and ops[end][0] == "eq":
        token = ops[end][1]
        assert token is not None
        if token.kind == "mark":
            return ops[index:end + 1]
        if token.kind == "table":
            return []
        end += 1
    return []


def _close_early(old: list[Token], new: list[Token], tail: list[DiffOp]) -> list[DiffOp] | None:
    """Paragraphs added (or removed) after text that continues a kept paragraph.

    "Keep this.{+ Add more. ¶ A new paragraph+}.¶" reads better as the kept paragraph ending at
    "more." and a wholly new paragraph after it. When the tokens just before the region's first
    break are the paragraph's unchanged ending (here "."), that ending and the kept break move up
    to it, and the region's rest takes the old ending's place. The same words are kept, deleted
    and inserted, so Accept All and Reject All are unaffected.
    """
    ending = tail[:-1]
    keys = [a.key for _, a, _ in ending if a is not None]
    marked, inserted = (new, True) if any(t.kind == "mark" for t in new) else (old, False)
    for j, token in enumerate(marked):
        if token.kind != "mark":
            continue
        if j < len(keys) or [t.key for t in marked[j - len(keys):j]] != keys:
            return None
        before, own_ending, after = marked[:j - len(keys)], marked[j - len(keys):j], marked[j + 1:]
        _, old_mark, new_mark = tail[-1]
        assert old_mark is not None and new_mark is not None
        if inserted:
            kept: list[DiffOp] = [("eq", a, b) for (_, a, _), b in zip(ending, own_ending, strict=True)]
            rest = [b for _, _, b in ending if b is not None]
            return (_dels(old) + _inss(before) + kept + [("eq", old_mark, token)] + _inss(after)
                    + _inss(rest) + [("ins", None, new_mark)])
        kept = [("eq", a, b) for a, (_, _, b) in zip(own_ending, ending, strict=True)]
        lost = [a for _, a, _ in ending if a is not None]
        return (_dels(before) + _inss(new) + kept + [("eq", token, new_mark)] + _dels(after) + _dels(lost)
                + [("del", old_mark, None)])
    return None


def _split(tokens: list[Token]) -> tuple[list[list[Token]], list[Token]]:
    parts: list[list[Token]] = [[]]
    marks: list[Token] = []
    for token in tokens:
        if token.kind == "mark":
            marks.append(token)
            parts.append([])
        else:
            parts[-1].append(token)
    return parts, marks


def _dels(tokens: list[Token]) -> list[DiffOp]:
    return [("del", t, None) for t in tokens]


def _inss(tokens: list[Token]) -> list[DiffOp]:
    return [("ins", None, t) for t in tokens]


def _fold_spaces(ops: list[DiffOp]) -> list[DiffOp]:
    """Track a whitespace difference only where it borders a real edit or joins or parts words.

    Next to an edit the spaces belong to it ("x a" -> "a" deletes "x "), so Reject All restores the
    old text exactly; a space that appears or disappears between two words changes the words. Any
    other difference (two spaces for one, a line break for a space) is not a change: the new
    spacing is kept silently.
    """
    out: list[DiffOp] = []
    previous: Op = "eq"
    for op, a, b in ops:
        if op == "eq" and a is not None and b is not None and a.space != b.space and (
                previous != "eq" or not a.space or not b.space):
            if a.space:
                out.append(("del", Token("word", "", "", a.space, *a.space_format, space_format=a.space_format),
                            None))
            if b.space:
                out.append(("ins", None, Token("word", "", "", b.space, *b.space_format,
                                               space_format=b.space_format)))
            a, b = replace(a, space=""), replace(b, space="")
        out.append((op, a, b))
        previous = op
    return out
