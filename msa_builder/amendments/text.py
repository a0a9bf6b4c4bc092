"""`msa amend`'s report as a person reads it: per client what was decided, then the totals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .run import AmendResult


def format_amend_results(results: Sequence[AmendResult]) -> str:
    if not results:  # an empty folder or CSV: say so, rather than print nothing and look done
        return "0 client(s): no profile in the source, nothing to amend"
    lines: list[str] = []
    for r in results:
        if r.outcome == "drafted":
            lines.append(f"{r.client}: Amendment No. {r.number} {r.amendment_id} to the signed {r.signed}")
            lines += [f"  {change}" for change in r.changes]
            lines += [f"  {path}" for path in r.files]
            if r.record is not None:
                lines.append(f"  ledger: record #{r.record.id}, status {r.record.status}")
        elif r.outcome == "would draft":
            lines.append(f"{r.client}: would draft Amendment No. {r.number} to the signed {r.signed}")
            lines += [f"  {change}" for change in r.changes]
        elif r.outcome == "current":
            lines.append(f"{r.client}: current ({r.signed}): nothing to amend, nothing written")
        elif r.outcome == "restate":
            lines.append(f"{r.client}: NEEDS A RESTATED AGREEMENT, not an amendment ({r.signed}):")
            lines += [f"  {reason}" for reason in r.reasons]
        elif r.outcome == "awaiting":
            lines.append(f"{r.client}: AN AMENDMENT AWAITS SIGNATURE ({r.signed}):")
            lines += [f"  {reason}" for reason in r.reasons]
        elif r.outcome == "unsigned":
            lines.append(f"{r.client}: no signed agreement to amend")
        else:
            lines.append(f"{r.client}: error: {(r.error or '').splitlines()[0] if r.error else ''}")
    if len(results) > 1:
        counts = Counter(r.outcome for r in results)
        lines.append(", ".join(f"{counts[k]} {k}" for k in ("drafted", "would draft", "current", "restate",
                                                           "awaiting", "unsigned", "error") if counts[k]))
    return "\n".join(lines)
