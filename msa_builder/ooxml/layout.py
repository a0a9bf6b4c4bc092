"""Page layout facts shared by every Word writer: text width, list indents, bookmarks, column widths.

The agreement writer and the redline writer must lay a clause out identically (a redline of an
unchanged clause looks like the clause), so these live below both, beside the XML they shape.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from .tables import column_widths

TEXT_WIDTH = 9360  # 6.5 in between 1 in margins on US Letter, in twips
LIST_INDENT = 1440
LEVEL_STEP = 720
# Table Text is 9 pt: an average character is about 5 pt (100 twips) wide, a bold capital more.
CHAR_TWIPS = 110
CELL_PADDING = 160


def bookmark_name(slot: str) -> str:
    """A Word bookmark name for a slot: hidden (`_Ref` prefix), at most 40 characters."""
    name = "_Ref_" + slot.replace(".", "_")
    if len(name) > 40:
        name = name[:33] + "_" + hashlib.sha256(slot.encode()).hexdigest()[:6]
    return name


def text_column_widths(rows: Sequence[Sequence[str]]) -> list[int]:
    """Column widths for a table of texts: each at least as wide as its longest word, the rest shared.

    Proportional widths alone squeeze short columns ("Status") until Word and LibreOffice break
    words mid-letter, so every column first gets room for its longest word and cell padding.
    """
    columns = max(len(r) for r in rows)
    floors, weights = [], []
    for col in range(columns):
        texts = [r[col] for r in rows if col < len(r)]
        longest_word = max((len(w) for t in texts for w in t.split()), default=4)
        average = sum(len(t) for t in texts) / max(len(texts), 1)
        floors.append(longest_word * CHAR_TWIPS + CELL_PADDING)
        weights.append(max(int(average), 1))
    spare = TEXT_WIDTH - sum(floors)
    if spare <= 0:  # too many long words to fit: fall back to proportional floors
        return column_widths(TEXT_WIDTH, floors)
    extra = column_widths(spare, weights)
    widths = [f + e for f, e in zip(floors, extra)]
    widths[-1] += TEXT_WIDTH - sum(widths)
    return widths
