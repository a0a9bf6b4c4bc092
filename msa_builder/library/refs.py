"""Naming clause versions: `slot[:variant][@version]`, as messages, locks and commands write them."""

from __future__ import annotations

import re

from ..errors import LibraryError
from .model import ClauseVersion, Library

_REF = re.compile(r"^(?P<slot>[a-z][a-z0-9_.]*?)(?::(?P<variant>[a-z][a-z0-9_]*))?(?:@(?P<version>[0-9.]+))?$")


def parse_clause_ref(text: str, variant: str | None = None) -> tuple[str, str | None, str | None]:
    """`slot[:variant][@version]` -> (slot, variant, version); `variant` fills a missing variant."""
    match = _REF.match(text.strip())
    if match is None:
        raise LibraryError(f"{text!r} is not a clause reference", field="SLOT@VERSION",
                           hint="write slot[:variant]@version, e.g. scope.out_of_scope@1.1.0 or "
                                "security.declined_controls:declined@2.0.0")
    return match["slot"], match["variant"] or variant, match["version"]


def find_clause(library: Library, text: str, *, variant: str | None = None) -> ClauseVersion:
    """The clause version a reference names, or an error listing the versions that exist."""
    slot, var, version = parse_clause_ref(text, variant)
    clause = library.find(slot, var, version)
    if clause is not None:
        return clause
    known = library.slots.get(slot)
    if known is None:
        raise LibraryError(f"no slot {slot!r} in library {library.manifest.name} {library.manifest.version}",
                           file=library.location, field="SLOT", allowed=sorted(library.slots))
    allowed = [v.key for var_ in known.variants.values() for v in var_.versions]
    raise LibraryError(f"no clause version {text!r}", file=library.location, field="SLOT@VERSION", allowed=allowed,
                       hint=f"{slot} has the variants {', '.join(known.variants)}; name one with "
                            f"{slot}:VARIANT@VERSION or --variant")
