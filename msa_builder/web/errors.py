"""Our errors as the web shows them: one entry per problem, each naming its field."""

from __future__ import annotations

from typing import Any

from ..errors import MsaError


def problems_json(exc: MsaError) -> list[dict[str, Any]]:
    """`[{"field": "controls.mfa", "message": "…"}]`, every problem of the error, allowed values appended."""
    out = []
    for problem in exc.problems:
        message = problem.message
        if problem.allowed:
            shown = ", ".join(problem.allowed[:12]) + (", …" if len(problem.allowed) > 12 else "")
            message += f" (allowed: {shown})"
        out.append({"field": problem.field, "message": message})
    if exc.hint and out:
        out[0]["hint"] = exc.hint
    return out


def by_field(problems: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Messages grouped by field path, for errors shown beside each field of a form."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem["field"] or "", []).append(problem["message"])
    return grouped
