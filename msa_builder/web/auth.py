"""Who is asking: the one gate every request passes, role checks and CSRF checks.

Deny by default: `Gate` admits only `/login`, `/healthz`, `/static/` (and an empty `/favicon.ico`)
without a user. Pages
need a session cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS); `/api/v1/` needs
`Authorization: Bearer TOKEN` and never looks at cookies, so a page an attacker hosts cannot make
a signed-in browser call it. Every unsafe request of a session carries its CSRF token, in the form
field `csrf_token` or the `X-CSRF-Token` header htmx sends (`csrf_guard`, on every page router).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import api
from ..errors import MsaError
from ..users import Session, User

SESSION_COOKIE = "msa_session"
LOGIN_CSRF_COOKIE = "msa_login_csrf"
PUBLIC = ("/login", "/healthz", "/favicon.ico")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _cookies(scope: Scope) -> dict[str, str]:
    from http.cookies import SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no session
                return {}
    return {k: m.value for k, m in jar.items()}


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return None


async def _reply(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


class Gate:
    """ASGI middleware: puts the signed-in user (and session) in `scope["state"]`, or turns the request away."""

    def __init__(self, app: ASGIApp, *, ledger: Any, max_body: int) -> None:
        self.app = app
        self.ledger = ledger
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _reply(send, 413, b"The upload is too large.", [(b"content-type", b"text/plain; charset=utf-8")])
            return
        if length is None and scope["method"] in UNSAFE and _header(scope, b"transfer-encoding"):
            # A body without a length (chunked) could not be refused by its size before it is read.
            await _reply(send, 411, b"Send the request with a Content-Length.",
                         [(b"content-type", b"text/plain; charset=utf-8")])
            return
        state = scope.setdefault("state", {})
        if path in PUBLIC or path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        if path.startswith("/api/"):
            user = await self._token_user(scope)
            if user is None:
                body = json.dumps({"errors": [{"field": None, "message": "an API token is needed: "
                                               "Authorization: Bearer TOKEN (`msa user token NAME` makes one)"}]})
                await _reply(send, 401, body.encode(), [(b"content-type", b"application/json"),
                                                        (b"www-authenticate", b'Bearer realm="msa"')])
                return
            state["user"] = user
            await self.app(scope, receive, send)
            return
        session = await self._session(scope)
        if session is None:
            await self._to_login(scope, send)
            return
        state["user"], state["session"] = session.user, session
        await self.app(scope, receive, send)

    async def _token_user(self, scope: Scope) -> User | None:
        header = _header(scope, b"authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return await anyio.to_thread.run_sync(lambda: api.user_for_token(token.strip(), ledger=self.ledger))

    async def _session(self, scope: Scope) -> Session | None:
        token = _cookies(scope).get(SESSION_COOKIE)
        if not token:
            return None
        try:
            return await anyio.to_thread.run_sync(lambda: api.session_for(token, ledger=self.ledger))
        except MsaError:
            return None

    async def _to_login(self, scope: Scope, send: Send) -> None:
        target = scope["path"] + (("?" + scope["query_string"].decode("latin-1")) if scope.get("query_string") else "")
        location = "/login?next=" + quote(target, safe="")
        headers = [(b"location", location.encode()), (b"content-type", b"text/plain; charset=utf-8")]
        if _header(scope, b"hx-request"):
            headers.append((b"hx-redirect", location.encode()))
        await _reply(send, 303 if scope["method"] in ("GET", "HEAD") else 401, b"Sign in first.", headers)


def current_user(request: Request) -> User:
    user = request.state.user if hasattr(request.state, "user") else None
    if user is None:  # the gate lets no such request through; this keeps a mistake from becoming access
        raise HTTPException(401, "sign in first")
    return user


def require(*roles: str) -> Callable[[Request], User]:
    """A dependency: the signed-in user, who must have one of `roles` (an admin has them all); 403 otherwise."""
    def check(request: Request) -> User:
        user = current_user(request)
        if not user.may(*roles):
            raise HTTPException(403, f"this needs the role {' or '.join(roles)}; you are {user.role}")
        return user

    check.__name__ = f"require_{'_'.join(roles)}"
    return check


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))


async def csrf_guard(request: Request) -> None:
    """On every page router: an unsafe request must carry the session's CSRF token."""
    if request.method not in UNSAFE:
        return
    session: Session | None = getattr(request.state, "session", None)
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if session is None or not same_token(given, session.csrf):
        raise HTTPException(403, "the form's security token is missing or out of date; reload the page and try again")

