"""Signing in and out, the health check, and the landing page of each role."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from ... import api
from ...errors import AuthError
from ...users import SESSION_LIFETIME, TOO_MANY, User
from ..auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, current_user, same_token
from ._common import config, page_router, render

router = APIRouter(include_in_schema=False)
pages = page_router()
HOMES = {"sales": "/clients", "attorney": "/review", "operations": "/coverage", "admin": "/clients"}


def _secure(request: Request) -> bool:
    return config(request).behind_https or request.url.scheme == "https"


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never `//evil.example` or `https://…`), so sign-in cannot redirect away."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


@router.get("/healthz")
def healthz() -> PlainTextResponse:
    return PlainTextResponse("ok")


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    # One token per browser while it signs in: a second tab (or a stray request redirected here)
    # must not invalidate the form already on screen.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", {"login_csrf": token, "next": _safe_next(next), "error": None})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request),
                        max_age=3600, path="/login")
    return response


@router.post("/login")
def login(request: Request, name: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
          next: str = Form("/")) -> Response:
    if not same_token(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise HTTPException(403, "the sign-in form's security token is missing or out of date; reload the page")
    client = request.client.host if request.client else "unknown"
    try:
        started = api.authenticate(name, password, ledger=config(request).ledger, client=client)
    except AuthError as exc:
        status = 429 if exc.message == TOO_MANY else 401
        response = render(request, "login.html", {"login_csrf": csrf_token, "next": _safe_next(next),
                                                  "error": exc.message, "name": name}, status=status)
        return response
    response = RedirectResponse(_safe_next(next) if next != "/" else HOMES[started.session.user.role], 303)
    response.set_cookie(SESSION_COOKIE, started.token, httponly=True, samesite="lax", secure=_secure(request),
                        max_age=int(SESSION_LIFETIME.total_seconds()), path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@pages.post("/logout")
def logout(request: Request, user: User = Depends(current_user)) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        api.end_session(token, ledger=config(request).ledger)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


@pages.get("/")
def home(user: User = Depends(current_user)) -> Response:
    return RedirectResponse(HOMES.get(user.role, "/library"), 303)


router.include_router(pages)
