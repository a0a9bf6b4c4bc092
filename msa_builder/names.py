"""How legal names compare: NFC, so composed and decomposed accents are one name.

Case stays significant: "ACME LLC" and "Acme LLC" are two legal names, and two clients. Below every
module that keys anything on a client's name (folders, the ledger, batches), so all agree.
"""

from __future__ import annotations

import unicodedata


def normal_name(name: str) -> str:
    """A legal name as identity compares it."""
    return unicodedata.normalize("NFC", name)


def same_client(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and normal_name(a) == normal_name(b)
