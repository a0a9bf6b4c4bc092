"""The bill of materials of a build, and the lock file that records it with the outputs' hashes.

The bill of materials names every input that shaped an agreement (clause versions, templates,
profile, provider file, library and tool versions); its hash is the agreement's fingerprint. A
later build whose bill differs is stale, and the lock says exactly which input changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from ._jsontext import dumps
from ._version import __version__
from .marks import stage
from .renewal_terms import renewal_terms
from .selection import Selection
from .terms import Terms, instrument_id

LOCK_VERSION = 1


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def bill_of_materials(selection: Selection, terms: Terms, *, profile_sha256: str, provider_sha256: str,
                      templates: Mapping[str, str], final: bool, tool_version: str = __version__) -> dict[str, Any]:
    """Everything that decides the bytes of the outputs (and nothing that doesn't, like paths).

    It is a function of the selection alone, so staleness can compute it without rendering.
    """
    manifest = selection.library.manifest
    # The control catalogue is printed text like a clause, so it is listed with the clauses; the
    # manifest's hash covers the rest of what the library prints (tier names, parameters, state names).
    catalogue = [selection.catalogue.bom_entry()] if selection.catalogue is not None else []
    return {
        "tool": {"name": "msa-builder", "version": tool_version},
        "library": {"name": manifest.name, "version": manifest.version,
                    "manifest_sha256": selection.library.manifest_sha256},
        "agreement_id": instrument_id(selection.profile, terms.sha256),
        "terms_sha256": terms.sha256,
        "client": selection.profile.client.legal_name,
        "as_of": selection.as_of.isoformat(),
        "allow_drafts": selection.allow_drafts,
        "final": final,
        "profile_sha256": profile_sha256,
        "provider_sha256": provider_sha256,
        "templates": dict(sorted(templates.items())),
        # What the renewal calendar (`msa renewals`) needs, fixed at signing: term, notice, reminder.
        "renewal": renewal_terms(selection),
        "clauses": [
            {"slot": c.slot, "variant": c.clause.meta.variant, "version": c.clause.meta.version,
             "status": c.clause.meta.status, "sha256": c.clause.sha256}
            for c in selection.included if c.clause is not None
        ] + catalogue,
        # What the agreement says, for telling later whether a signed agreement is still current.
        "terms": terms.data,
    }


def bom_hash(bom: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(bom)).hexdigest()


def lock_document(bom: Mapping[str, Any], outputs: Mapping[str, bytes], *, profile_path: str,
                  sources: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The lock file's content: the bill, its hash, the hash of every output file, and where the inputs were.

    `sources` (library, templates and provider paths, as given; `(shipped)` for the package's own)
    lets `msa status` outside a workspace compare against the same inputs without repeating flags.
    Like the profile path, they are not part of the bill: moving a folder changes no agreement.
    """
    document = {
        "lock_version": LOCK_VERSION,
        "bom_sha256": bom_hash(bom),
        "profile": profile_path,
        "bom": dict(bom),
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(outputs.items())},
    }
    if sources:
        document["sources"] = dict(sources)
    return document


def lock_bytes(lock: Mapping[str, Any]) -> bytes:
    return (dumps(lock, indent=2) + "\n").encode("utf-8")


def custom_properties(bom: Mapping[str, Any]) -> dict[str, str]:
    """The bill of materials as DOCX custom properties (one string each, as Word expects)."""
    props = {
        "msa.agreement_id": str(bom["agreement_id"]),
        "msa.client": str(bom["client"]),
        "msa.bom_sha256": bom_hash(bom),
        "msa.tool_version": str(bom["tool"]["version"]),
        "msa.library": str(bom["library"]["name"]),
        "msa.library_version": str(bom["library"]["version"]),
        "msa.as_of": str(bom["as_of"]),
        "msa.status": stage(bom),
        "msa.profile_sha256": str(bom["profile_sha256"]),
        "msa.provider_sha256": str(bom["provider_sha256"]),
    }
    for name, digest in bom["templates"].items():
        props[f"msa.template.{name}"] = digest
    for clause in bom["clauses"]:
        props[f"msa.clause.{clause['slot']}"] = (f"{clause['variant']}@{clause['version']} "
                                                 f"{clause['status']} sha256:{clause['sha256']}")
    return props
