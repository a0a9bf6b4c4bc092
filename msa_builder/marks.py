"""How a document says what it is: a draft for attorney review, or the execution version.

One definition for every renderer (the DOCX header and cover, the memo, the PDF watermark), so
the words a reader sees on a draft cannot drift apart between formats.
"""

from __future__ import annotations

DRAFT_MARK = "DRAFT \u2014 FOR ATTORNEY REVIEW"
FINAL_MARK = "EXECUTION VERSION"
DRAFT_NOTE = ("This draft was assembled by msa-builder from the provider's clause library. It is not legal "
              "advice and must be reviewed by counsel before it is sent to the client. The review memo "
              "explains why each clause is included.")
FINAL_NOTE = "Prepared from approved clause versions only. The review memo records why each clause is included."


def mark(final: bool) -> str:
    return FINAL_MARK if final else DRAFT_MARK
