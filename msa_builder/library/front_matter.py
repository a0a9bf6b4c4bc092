"""Editing a draft clause file's front matter in place: a few top-level keys, the rest byte for byte.

Attorneys format front matter by hand (folded changelogs, variable lists, comments). Loading the
YAML and dumping it again would reflow all of it, so a reviewer's diff of an approval would show
every line; this replaces only the keys it is given, each written by the YAML dumper so its value
is quoted correctly, and leaves every other line as it was. Callers re-parse the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:")


def _blocks(front: str) -> list[tuple[str | None, list[str]]]:
    """Front matter as (top-level key or None, its lines): continuation lines stay with their key."""
    blocks: list[tuple[str | None, list[str]]] = []
    for line in front.splitlines(keepends=True):
        match = _KEY.match(line)
        if match:
            blocks.append((match.group(1), [line]))
        elif line.startswith("#") or not blocks:
            blocks.append((None, [line]))
        else:
            blocks[-1][1].append(line)
    return blocks


def _entry(key: str, value: Any) -> str:
    return yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, width=100)


def edit(text: str, changes: Mapping[str, Any], *, remove: Iterable[str] = (), comments: Iterable[str] = (),
         drop_comments: Iterable[str] = ()) -> str:
    """The clause file `text` with `changes` set (replaced in place, or appended), `remove` keys gone,
    `comments` (full lines, `# ...`) added first and comment lines starting with a `drop_comments` prefix
    removed. The body is untouched."""
    if not text.startswith("---\n"):
        raise ValueError("a clause file starts with '---' and front matter")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ValueError("front matter is not closed by a '---' line")
    front, rest = text[4:end + 1], text[end + 1:]
    removed, dropped = set(remove), tuple(drop_comments)
    pending = dict(changes)
    out = [f"{line}\n" for line in comments]
    for key, lines in _blocks(front):
        if key is None:
            if not (dropped and lines[0].startswith(dropped)):
                out += lines
        elif key in pending:
            out.append(_entry(key, pending.pop(key)))
        elif key not in removed:
            out += lines
    out += [_entry(key, value) for key, value in pending.items()]
    return "---\n" + "".join(out) + rest
