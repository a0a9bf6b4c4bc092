"""The new-client form: its fields as the profile's own paths, and back.

Each input is named by the profile field it fills (`client.signatory.email`, `controls.edr.status`,
`params.payment_terms_days`), so an error's field path from the library is also the id of the
input to show it beside. Empty optional inputs are left out; a control left at "tier default" is
not written, exactly as `msa new` leaves it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONTROL_STATUSES = ("accepted", "declined", "client_managed")


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def profile_from_form(form: Mapping[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The profile mapping a submitted form describes (`fields` is `api.client_form()`)."""
    def text(name: str) -> str:
        value = form.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    data: dict[str, Any] = {}
    for spec in fields["fields"]:
        value = text(spec["path"])
        if value:
            _put(data, spec["path"], value)
    controls: dict[str, Any] = {}
    for control in fields["controls"]:
        cid = control["id"]
        status = text(f"controls.{cid}.status")
        if status == "declined":
            entry = {"status": "declined"}
            for key in ("offered", "reason"):
                if text(f"controls.{cid}.{key}"):
                    entry[key] = text(f"controls.{cid}.{key}")
            controls[cid] = entry
        elif status == "client_managed" and (text(f"controls.{cid}.managed_by") or text(f"controls.{cid}.attestation")):
            entry = {"status": "client_managed"}
            for key in ("managed_by", "attestation"):
                if text(f"controls.{cid}.{key}"):
                    entry[key] = text(f"controls.{cid}.{key}")
            controls[cid] = entry
        elif status:
            controls[cid] = status
    if controls:
        data["controls"] = controls
    params = {p["name"]: text(f"params.{p['name']}") for p in fields["parameters"] if text(f"params.{p['name']}")}
    if params:
        data["params"] = params
    return data


def form_values(profile: Mapping[str, Any]) -> dict[str, str]:
    """A profile's values keyed by input name, to fill the form in for editing."""
    values: dict[str, str] = {}

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(value, f"{prefix}.{key}" if prefix else str(key))
        elif node is not None and not isinstance(node, list):
            values[prefix] = str(node)

    walk({k: v for k, v in profile.items() if k not in ("controls", "params")}, "")
    for cid, entry in (profile.get("controls") or {}).items():
        if isinstance(entry, Mapping):
            walk(entry, f"controls.{cid}")
        else:
            values[f"controls.{cid}.status"] = str(entry)
    for name, value in (profile.get("params") or {}).items():
        values[f"params.{name}"] = str(value)
    return values
