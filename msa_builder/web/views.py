"""Pages: one Jinja2 environment with autoescaping on for every template, and what every page knows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# What each role sees in the navigation; the routes check the roles again on the server.
NAV = (
    ("/clients", "Clients", ("sales",)),
    ("/review", "Review", ("attorney",)),
    ("/library", "Library", ("sales", "attorney", "operations")),
    ("/coverage", "Coverage", ("operations",)),
    ("/renewals", "Renewals", ("operations",)),
    ("/batch", "Batch", ("operations",)),
    ("/users", "Users", ()),
)


def field_id(path: str | None) -> str:
    """An element id for a field path (`controls.edr.offered` -> `f-controls-edr-offered`)."""
    return "f-" + "".join(ch if ch.isalnum() or ch in "_" else "-" for ch in (path or "form"))


def environment() -> Environment:
    # autoescape=True for every template, whatever its name: client text is never trusted markup.
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["field_id"] = field_id
    env.tests["starts_with"] = lambda value, prefix: isinstance(value, str) and value.startswith(prefix)
    return env


class Views:
    """Renders templates with the signed-in user, the CSRF token and the navigation."""

    def __init__(self) -> None:
        self.env = environment()

    def render(self, request: Request, name: str, context: dict[str, Any] | None = None, *,
               status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
        user = getattr(request.state, "user", None)
        session = getattr(request.state, "session", None)
        nav = [(href, label) for href, label, roles in NAV if user is not None and user.may(*roles)]
        values = {"request": request, "user": user, "csrf": session.csrf if session else "", "nav": nav,
                  "path": request.url.path, **(context or {})}
        html = self.env.get_template(name).render(values)
        return HTMLResponse(html, status_code=status, headers=headers)
