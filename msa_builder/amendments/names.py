"""The file names of amendments: a draft's beside the client's agreement, an instrument's in its archive."""

from __future__ import annotations


def amendment_names(slug: str, number: int) -> dict[str, str]:
    """A draft amendment's files, by kind; the lock is written last and names the others."""
    stem = f"{slug}-amendment-{number}"
    return {"docx": f"{stem}.docx", "pdf": f"{stem}.pdf", "memo": f"{stem}-review.docx",
            "model": f"{stem}-amendment.json", "lock": f"{stem}-lock.json"}


def archived_names(instrument: str, kind: str = "agreement") -> dict[str, str]:
    """An archived instrument's files: its content model is `-agreement.json` or `-amendment.json`."""
    return {"docx": f"{instrument}.docx", "pdf": f"{instrument}.pdf", "model": f"{instrument}-{kind}.json",
            "lock": f"{instrument}-lock.json"}
