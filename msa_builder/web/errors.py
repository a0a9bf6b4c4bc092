"""Our errors as the web shows them: one entry per problem, each naming its field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..errors import MsaError


class FormField(NamedTuple):
    """What a page calls a command's option: its input's name, and words for it in a sentence."""

    name: str
    words: str


def problems_json(exc: MsaError, form: Mapping[str, FormField] | None = None) -> list[dict[str, Any]]:
    """`[{"field": "controls.mfa", "message": "…"}]`, every problem of the error, allowed values appended.

    The library's errors name the command's options (`--unverified REASON`); `form` maps each to
    the page's own input, so a page never tells its user to type an option it does not have.
    """
    out = []
    for problem in exc.problems:
        message = problem.message
        if problem.allowed:
            shown = ", ".join(problem.allowed[:12]) + (", …" if len(problem.allowed) > 12 else "")
            message += f" (allowed: {shown})"
        field = problem.field
        if form and field in form:
            field = form[field].name
        out.append({"field": field, "message": _in_form_words(message, form)})
    if exc.hint and out:
        out[0]["hint"] = _in_form_words(exc.hint, form)
    return out


def _in_form_words(text: str, form: Mapping[str, FormField] | None) -> str:
    for option, field in (form or {}).items():
        # The option and its metavar (`--unverified REASON`, `--evidence FILE`) become the input's words.
        text = re.sub(re.escape(option) + r"(?: [A-Z][A-Z._]*\b)?", field.words, text)
    return text


def by_field(problems: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Messages grouped by field path, for errors shown beside each field of a form."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem["field"] or "", []).append(problem["message"])
    return grouped
