"""Naming a clause version: `slot[:variant][@version]`, as every command that takes one spells it."""

from __future__ import annotations

import re

from ..errors import LibraryError
from .model import ClauseVersion, Library, semver_key

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


def changelog_between(library: Library, old: ClauseVersion | None,
                      new: ClauseVersion | None) -> tuple[tuple[str, str], ...]:
    """(key, changelog) of every version that leads from `old` to `new`, oldest first.

    With no `old` (a clause new to an agreement or a library), the whole history up to `new`; across
    variants, only `new`'s own; a downgrade lists the versions undone, newest first.
    """
    if new is None:
        return ()
    variant = library.slots[new.meta.id].variants[new.meta.variant]
    if old is None:
        return tuple((v.key, v.meta.changelog) for v in variant.versions
                     if semver_key(v.meta.version) <= semver_key(new.meta.version))
    if (old.meta.id, old.meta.variant) != (new.meta.id, new.meta.variant):
        return ((new.key, new.meta.changelog),)
    low, high = sorted((semver_key(old.meta.version), semver_key(new.meta.version)))
    steps = [v for v in variant.versions if low < semver_key(v.meta.version) <= high]
    if semver_key(new.meta.version) < semver_key(old.meta.version):
        return tuple((f"{v.key} (undone)", v.meta.changelog) for v in reversed(steps))
    return tuple((v.key, v.meta.changelog) for v in steps)


def describe_version(clause: ClauseVersion | None, *, missing: str = "(none)") -> str:
    """`slot:variant@version (status, effective date)`, as redlines and notes name a side."""
    if clause is None:
        return missing
    return f"{clause.key} ({clause.meta.status}, effective {clause.meta.effective.isoformat()})"
