"""List numbering instances: every ordered list restarts at (a), as drafting expects.

Word continues a list's count across the whole document unless each list has its own `w:num`
with a start override, so the renderer asks for a fresh instance per list and appends them to
the template's numbering part.
"""

from __future__ import annotations

CLAUSE_LIST_ABSTRACT = 2  # (a) / (i) / (A), defined in the template's numbering.xml
BULLET_NUM = 3  # the template's bullet list instance
FIRST_DYNAMIC_NUM = 100


class NumberingPlan:
    """Hands out numbering instances and writes them into the template's numbering part."""

    def __init__(self) -> None:
        self._next = FIRST_DYNAMIC_NUM
        self._instances: list[tuple[int, int]] = []

    def new_ordered(self, level: int) -> int:
        num_id = self._next
        self._next += 1
        self._instances.append((num_id, level))
        return num_id

    def apply(self, numbering_xml: bytes) -> bytes:
        nums = "".join(
            f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{CLAUSE_LIST_ABSTRACT}"/>'
            f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
            for num_id, level in self._instances
        )
        text = numbering_xml.decode("utf-8")
        end = text.rindex("</w:numbering>")
        return (text[:end] + nums + text[end:]).encode("utf-8")
