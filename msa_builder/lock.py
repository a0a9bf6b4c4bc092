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

from .agreement import Agreement
from .renewals import renewal_terms

LOCK_VERSION = 1


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def bill_of_materials(agreement: Agreement, *, profile_sha256: str, provider_sha256: str,
                      templates: Mapping[str, str], final: bool) -> dict[str, Any]:
    """Everything that decides the bytes of the outputs (and nothing that doesn't, like paths)."""
    selection = agreement.selection
    # The control catalogue is printed text like a clause, so it is listed with the clauses; the
    # manifest's hash covers the rest of what the library prints (tier names, parameters, state names).
    catalogue = [selection.catalogue.bom_entry()] if getattr(selection, "catalogue", None) is not None else []
    return {
        "tool": {"name": "msa-builder", "version": agreement.tool_version},
        "library": {"name": agreement.library_name, "version": agreement.library_version,
                    "manifest_sha256": selection.library.manifest_sha256},
        "agreement_id": agreement.id,
        "client": agreement.client_name,
        "as_of": agreement.as_of.isoformat(),
        "allow_drafts": selection.allow_drafts,
        "final": final,
        "profile_sha256": profile_sha256,
        "provider_sha256": provider_sha256,
        "templates": dict(sorted(templates.items())),
        # What the renewal calendar (`msa renewals`) needs, fixed at signing: term, notice, reminder.
        "renewal": renewal_terms(selection),
        "clauses": [
            {"slot": c.slot, "variant": c.variant, "version": c.version, "status": c.status, "sha256": c.sha256}
            for c in agreement.clauses()
        ] + catalogue,
    }


def bom_hash(bom: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(bom)).hexdigest()


def lock_document(bom: Mapping[str, Any], outputs: Mapping[str, bytes], *, profile_path: str) -> dict[str, Any]:
    """The lock file's content: the bill, its hash, and the hash of every output file."""
    return {
        "lock_version": LOCK_VERSION,
        "bom_sha256": bom_hash(bom),
        "profile": profile_path,
        "bom": dict(bom),
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(outputs.items())},
    }


def lock_bytes(lock: Mapping[str, Any]) -> bytes:
    return (json.dumps(lock, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


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
        "msa.status": "final" if bom["final"] else "draft",
        "msa.profile_sha256": str(bom["profile_sha256"]),
        "msa.provider_sha256": str(bom["provider_sha256"]),
    }
    for name, digest in bom["templates"].items():
        props[f"msa.template.{name}"] = digest
    for clause in bom["clauses"]:
        props[f"msa.clause.{clause['slot']}"] = (f"{clause['variant']}@{clause['version']} "
                                                 f"{clause['status']} sha256:{clause['sha256']}")
    return props
