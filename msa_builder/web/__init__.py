"""`msa serve`: the web app on top of the library, for sales engineers, attorneys and operations.

Every route parses a request, calls one function of `msa_builder.api` and presents the result;
no business rule lives here. Everything is behind a sign-in except `/login`, `/healthz` and
`/static/`; roles are checked on the server for every route (auth.py); every form carries a
CSRF token; responses carry a strict CSP (no inline script) and frame denial (security.py).
"""

from __future__ import annotations

from .app import create_app
from .config import WebConfig
from .server import serve

__all__ = ["WebConfig", "create_app", "serve"]
