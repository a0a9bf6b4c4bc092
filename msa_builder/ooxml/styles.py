"""The paragraph and table styles our Word shells define: the template contract.

Renderers write these ids; a provider's template must keep them (ooxml/shell.py checks). Word
and LibreOffice may rename a style's *id* when they save a document, but keep its *name*, so a
reader maps names back to these ids (`canonical_style`).
"""

from __future__ import annotations

import re

REQUIRED_STYLES = ("Heading1", "Heading2", "Heading3", "BodyText", "ClauseList", "ListBullet", "TableText",
                   "ScheduleHeading", "TOC1", "TOC2", "MsaTable")
SHELL_STYLES = frozenset({"Title", "Subtitle", "CoverParty", "CoverDetail", "CoverMark", "CoverNote", "TOCHeading",
                          "TOC1", "TOC2"})
OUR_STYLES = frozenset({*REQUIRED_STYLES, *SHELL_STYLES, "Normal", "MemoHeading", "SignatureText", "SignatureTable",
                        "TableNormal", "Header", "Footer"})
_BY_KEY = {s.lower(): s for s in OUR_STYLES}
# LibreOffice's own names for Word's built-in table-of-contents styles.
_ALIASES = {"contentsheading": "TOCHeading", "contents1": "TOC1", "contents2": "TOC2", "textbody": "BodyText"}


def canonical_style(style_id: str, name: str | None) -> str:
    """Our id for a style found in a saved document, from its name (else its id)."""
    for candidate in (name, style_id):
        if candidate:
            key = re.sub(r"[\s_-]+", "", candidate).lower()
            found = _BY_KEY.get(key) or _ALIASES.get(key)
            if found:
                return found
    return style_id
