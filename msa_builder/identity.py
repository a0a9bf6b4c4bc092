"""Which client is which: how names compare, and which output folder is each client's own.

A client's folder is a slug of its legal name plus a short hash (`profile.slugify`): readable,
filesystem-safe and stable. Six hex digits are 24 bits, though, and two names that fold to the
same letters ("Acme, LLC" and "ACME LLC.") share them about once in sixteen million pairs; in a
shared folder the second client's build would replace the first client's agreement and supersede
its ledger record. So a folder belongs to the client its lock (or its ledger records) names, and a
client whose short folder name belongs to someone else gets the next longer hash. The search
prefers a folder the client already owns, so its folder never moves once it has one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from ._files import read_regular
from .errors import OutputError
from .names import normal_name, same_client
from .profile import slugify

# Hex digits of the name's sha256 in successive folder names; 64 digits cannot collide.
HASH_LENGTHS = (6, 10, 16, 64)

Owner = Callable[[str], "str | None"]


def folder_candidates(legal_name: str) -> tuple[str, ...]:
    """The folder names a client may have, shortest (the usual `slugify` one) first."""
    first = slugify(legal_name)
    readable = first.rsplit("-", 1)[0]
    digest = hashlib.sha256(normal_name(legal_name).encode("utf-8")).hexdigest()
    longer = [f"{readable}-{digest[:n]}" for n in HASH_LENGTHS[1:]]
    return tuple(dict.fromkeys([first, *longer]))


def lock_owner(out_dir: Path, slug: str) -> str | None:
    """The client named by the lock in OUT/<slug>, or None (no lock, a torn one, or a link)."""
    try:
        lock = json.loads(read_regular(out_dir / slug / f"{slug}-lock.json"))
    except (OSError, ValueError):
        return None
    bom = lock.get("bom") if isinstance(lock, dict) else None
    client = bom.get("client") if isinstance(bom, dict) else None
    return client if isinstance(client, str) else None


def client_folder(out_dir: Path, legal_name: str, *, owners: Iterable[Owner] = ()) -> str:
    """The client's own folder name under OUT: one it already owns, else the first nobody owns.

    A folder's owner is the client its lock names, else whoever `owners` (the ledger's records,
    the clients already placed in this batch) say holds that name.
    """
    lookups: list[Owner] = [lambda slug: lock_owner(out_dir, slug), *owners]

    def owner(slug: str) -> str | None:
        for lookup in lookups:
            found = lookup(slug)
            if found is not None:
                return found
        return None

    seen: list[tuple[str, str | None]] = []
    for slug in folder_candidates(legal_name):
        who = owner(slug)
        if same_client(who, legal_name):
            return slug
        seen.append((slug, who))
    for slug, who in seen:
        if who is None:
            return slug
    taken = ", ".join(f"{slug} ({who})" for slug, who in seen)
    raise OutputError(f"every folder name for client {legal_name!r} belongs to another client: {taken}",
                      file=str(out_dir), field="client.legal_name")
