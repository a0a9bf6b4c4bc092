"""Downloads, by ledger record and kind only: no path ever appears in a URL."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response

from ... import api
from ...users import User
from ._common import ANYONE, OPERATIONS, config, page_router

router = page_router()


def attachment(name: str, data: bytes, media_type: str) -> Response:
    return Response(data, media_type=media_type,
                    headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/files/{record}/{kind}")
def draft_file(record: int, kind: str, request: Request, user: User = Depends(ANYONE)) -> Response:
    found = api.draft_file(record, kind, ledger=config(request).ledger)
    return attachment(found.name, found.data, found.media_type)


@router.get("/archive/{record}/{name}")
def archived_file(record: int, name: str, request: Request, user: User = Depends(OPERATIONS)) -> Response:
    """A file of an approved instrument's archive, by its name in the ledger's list."""
    for archived, path in api.archive(record, ledger=config(request).ledger):
        if archived == name:
            media = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
            return attachment(name, path.read_bytes(), media)
    raise HTTPException(404, "no such file in this instrument's archive")
