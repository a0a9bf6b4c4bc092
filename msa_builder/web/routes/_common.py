"""What every router shares: the config, the views, the CSRF guard and the role dependencies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ...users import User
from ..auth import csrf_guard, require
from ..config import WebConfig

SALES = require("sales")
ATTORNEY = require("attorney")
OPERATIONS = require("operations")
ANYONE = require("sales", "attorney", "operations")
ADMIN = require()


def page_router() -> APIRouter:
    """A router of pages: every unsafe request on it must carry the session's CSRF token."""
    return APIRouter(include_in_schema=False, dependencies=[Depends(csrf_guard)])


def config(request: Request) -> WebConfig:
    return request.app.state.config


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    return request.app.state.views.render(request, name, context, status=status, headers=headers)


def by(user: User) -> str:
    """How the ledger names what a user did in the web app."""
    return user.name
