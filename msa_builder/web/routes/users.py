"""The admin's page: who may sign in, with which role; and the audit trail."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from ... import api
from ...users import User
from ._common import ADMIN, config, page_router, render

router = page_router()


@router.get("/users")
def users(request: Request, user: User = Depends(ADMIN)) -> Response:
    ledger = config(request).ledger
    return render(request, "users.html", {"users": api.list_users(ledger=ledger),
                                          "audit": api.audit_log(ledger=ledger, limit=100)})
