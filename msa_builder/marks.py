"""How a document says what it is: a draft, a final draft awaiting approval, or the execution version.

One definition for every renderer (the DOCX header and cover, the memo, the PDF watermark and
metadata), so the words a reader sees cannot drift apart between formats. The stage is read from
the bill of materials, which the lock records: what a file says it is and what its lock says it
is are the same fact.

Only approval makes an execution version (lifecycle/approval.py): a `--final` build uses approved
clause versions only, but it is still a draft until an attorney approves it, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Stage = Literal["draft", "final", "execution", "conformed"]

DRAFT_MARK = "DRAFT \u2014 FOR ATTORNEY REVIEW"
FINAL_DRAFT_MARK = "FINAL DRAFT \u2014 FOR ATTORNEY APPROVAL"
EXECUTION_MARK = "EXECUTION VERSION"
CONFORMED_MARK = "CONFORMED COPY FOR REFERENCE \u2014 NOT FOR SIGNATURE"
DRAFT_NOTE = ("This draft was assembled by msa-builder from the provider's clause library. It is not legal "
              "advice and must be reviewed by counsel before it is sent to the client. The review memo "
              "explains why each clause is included.")
FINAL_DRAFT_NOTE = ("This final draft uses approved clause versions only. It is not for signature: counsel "
                    "approves it, and the execution version is issued from exactly what was approved. The "
                    "review memo explains why each clause is included.")
EXECUTION_NOTE = ("This is the execution version of the agreement an attorney approved, prepared from approved "
                  "clause versions only. The review memo records why each clause is included.")
CONFORMED_NOTE = ("This conformed copy shows the agreement as amended by every signed amendment, for reference only. "
                  "It is not an instrument and is not for signature: the signed agreement and its signed "
                  "amendments are. Deleted sections keep their numbers, marked [Deleted].")
_MARKS = {"draft": DRAFT_MARK, "final": FINAL_DRAFT_MARK, "execution": EXECUTION_MARK, "conformed": CONFORMED_MARK}
_NOTES = {"draft": DRAFT_NOTE, "final": FINAL_DRAFT_NOTE, "execution": EXECUTION_NOTE, "conformed": CONFORMED_NOTE}


def stage(bom: Mapping[str, Any]) -> Stage:
    """What the document built from this bill of materials is."""
    if bom.get("conformed"):
        return "conformed"
    if bom.get("execution"):
        return "execution"
    return "final" if bom.get("final") else "draft"


def mark(bom: Mapping[str, Any]) -> str:
    return _MARKS[stage(bom)]


def cover_note(bom: Mapping[str, Any]) -> str:
    return _NOTES[stage(bom)]


def is_execution(bom: Mapping[str, Any]) -> bool:
    """Only an execution version carries signature fields."""
    return stage(bom) == "execution"


def has_watermark(bom: Mapping[str, Any]) -> bool:
    """Drafts (final or not) carry the draft watermark; an execution version and a conformed copy do not."""
    return stage(bom) in ("draft", "final")
