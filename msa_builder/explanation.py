"""`msa explain`: why each clause is (or is not) in a client's agreement, as data and as text."""

from __future__ import annotations

from typing import Any

from .as_of import describe
from .selection import Selection


def explanation(selection: Selection) -> dict[str, Any]:
    """Everything the selection decided, as JSON-ready data."""
    manifest = selection.library.manifest
    profile = selection.profile
    return {
        "profile": selection.source,
        "client": profile.client.legal_name,
        "tier": profile.tier,
        "industry": profile.industry,
        "effective_date": profile.effective_date.isoformat(),
        "as_of": selection.as_of.isoformat(),
        "as_of_rule": selection.as_of_rule,
        "selected_on": selection.selected_on.isoformat() if selection.selected_on else None,
        "as_of_reason": describe(selection.as_of_rule, selection.as_of, selection.selected_on,
                                 profile.effective_date),
        "allow_drafts": selection.allow_drafts,
        "jurisdiction": {"state": profile.client.jurisdiction,
                         "pack": (manifest.jurisdictions.pack_for(profile.client.jurisdiction) or ("generic",))[0]},
        "library": {"name": manifest.name, "version": manifest.version, "location": selection.library.location},
        "slots": [
            {
                "slot": c.slot,
                "kind": c.kind,
                "included": c.included,
                "variant": c.clause.meta.variant if c.clause else None,
                "version": c.clause.meta.version if c.clause else None,
                "status": c.clause.meta.status if c.clause else None,
                "reason": c.reason,
                "candidates": [
                    {"variant": k.variant, "version": k.version, "rule": k.rule, "precedence": k.precedence,
                     "matched": k.matched, "values": k.values, **({"note": k.note} if k.note else {})}
                    for k in c.candidates
                ],
            }
            for c in selection.choices
        ],
        "parameters": [
            {"name": p.name, "value": p.value, "display": p.display, "source": p.source,
             "library_value": p.library_value, "library_source": p.library_source, "deviation": p.is_deviation}
            for p in selection.params.values()
        ],
        "deviations": [
            {"name": p.name, "value": p.value, "display": p.display, "library_value": p.library_value,
             "library_display": manifest.parameters[p.name].display(p.library_value),
             "library_source": p.library_source}
            for p in selection.deviations
        ],
        "controls": [
            {"id": c.id, "name": c.name, "status": c.status, "source": c.source, "policy": c.policy}
            for c in selection.controls
        ],
        "declined": [
            {"id": c.id, "name": c.name, "policy": c.policy,
             "offered": c.offered.isoformat() if c.offered else None, "reason": c.reason,
             "consequence": c.consequence}
            for c in selection.declined
        ],
        "drafts_used": [v.key for v in selection.drafts_used],
    }


def format_explanation(data: dict[str, Any]) -> str:
    """The explanation as a terminal report."""
    out = [
        f"{data['client']} - {data['tier']} / {data['industry']}, effective {data['effective_date']}"
        f" (clauses as of {data['as_of']})",
        f"library {data['library']['name']} {data['library']['version']}",
        data["as_of_reason"],
        f"jurisdiction {data['jurisdiction']['state']}: "
        + (f"{data['jurisdiction']['pack']} pack" if data["jurisdiction"]["pack"] != "generic"
           else "no pack, generic terms (needs a human decision)"),
        "",
        "CLAUSES",
    ]
    width = max(len(s["slot"]) for s in data["slots"])
    for s in data["slots"]:
        if s["included"]:
            head = f"  + {s['slot']:<{width}}  {s['variant']}@{s['version']}"
            if s["status"] != "approved":
                head += f" [{s['status'].upper()}]"
        else:
            head = f"  - {s['slot']:<{width}}  (left out)"
        out.append(head)
        out.append(f"      {s['reason']}")
        values = {}
        for c in s["candidates"]:
            values.update(c["values"])
        if values:
            out.append("      values: " + ", ".join(f"{k}={v!r}" for k, v in values.items()))
    out += ["", "PARAMETERS"]
    pwidth = max(len(p["name"]) for p in data["parameters"])
    for p in data["parameters"]:
        flag = "  << DEVIATION" if p["deviation"] else ""
        out.append(f"  {p['name']:<{pwidth}}  {p['display']}  ({p['source']}){flag}")
    out += ["", "DEVIATIONS"]
    if data["deviations"]:
        for d in data["deviations"]:
            out.append(f"  {d['name']}: {d['display']} instead of the library's {d['library_display']}"
                       f" ({d['library_source']})")
    else:
        out.append("  none: every parameter is the library's value")
    out += ["", "CONTROLS"]
    for c in data["controls"]:
        out.append(f"  {c['id']:<18} {c['status']:<15} ({c['source']})")
    out += ["", "DECLINED CONTROLS"]
    if data["declined"]:
        for d in data["declined"]:
            out.append(f"  {d['id']} ({d['name']}): policy {d['policy']}: services limited and the risk allocated "
                       "to the client; listed in the declined-controls schedule")
            out.append(f"      consequence: {d['consequence']}")
    else:
        out.append("  none")
    if data["drafts_used"]:
        out += ["", "DRAFT CLAUSES USED (not for signature): " + ", ".join(data["drafts_used"])]
    return "\n".join(out)
