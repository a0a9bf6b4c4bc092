"""The JSON API under /api/v1/: what the pages do, for PSA and CRM integrations.

Bearer tokens only (the gate checks them; `bearer` below documents the scheme in the OpenAPI).
Errors are `{"errors": [{"field": ..., "message": ...}]}`: 422 for our errors (every problem of a
profile at once), 401 without a token, 403 for the wrong role, 404 for what the ledger does not know.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPBearer

import msa_builder

from ... import api
from ..._parse import decode_utf8, parse_json
from ...errors import LedgerError, ProfileError
from ...users import User
from ..api_schema import COMMON, NOT_FOUND, Approved, Draft, Submitted
from ._common import ANYONE, ATTORNEY, SALES, by, config
from .files import attachment

bearer = HTTPBearer(auto_error=False, description="`msa user token NAME` prints one")
router = APIRouter(prefix="/api/v1", tags=["msa"], dependencies=[Depends(bearer)], responses=COMMON)

EXAMPLE = {"client": {"legal_name": "Birch Dental PLLC", "jurisdiction": "Maine",
                      "address": "5 Elm St, Bangor, ME 04401",
                      "signatory": {"name": "Sam Ortiz", "title": "Managing Dentist", "email": "sam@birch.example",
                                    "authority": "owner"},
                      "users": 12},
           "tier": "managed", "industry": "healthcare", "effective_date": "2026-12-15"}
# The body is read by profile_body, not by FastAPI, so the OpenAPI document is told its shape here.
PROFILE_BODY = {"requestBody": {"required": True, "description": "A client profile as JSON: the shape of a profile "
                                "file (see the README).",
                                "content": {"application/json": {"schema": {"type": "object"}, "example": EXAMPLE}}}}
BODY = "the request body"


async def profile_body(request: Request) -> dict[str, Any]:
    """The request's JSON read as a profile file is: duplicate keys, deep nesting, NaN and huge numbers refused.

    FastAPI's own parsing is json.loads, whose last key wins: `"legal_name"` twice would build the
    second name unseen, which a profile file refuses.
    """
    text = decode_utf8(await request.body(), error=ProfileError, what=BODY, source=BODY)
    data = parse_json(text, source=BODY, error=ProfileError)
    if not isinstance(data, dict):
        raise ProfileError(f"a profile is a JSON object, not {type(data).__name__}", file=BODY)
    return data


PROFILE = Depends(profile_body)


def _library(request: Request) -> Any:
    return api.open_library(config(request).library)


@router.post("/profiles/validate", summary="Check a profile: every problem at once", openapi_extra=PROFILE_BODY)
def validate(request: Request, profile: dict[str, Any] = PROFILE, user: User = Depends(ANYONE)) -> dict[str, bool]:
    api.validate_profile(profile, library=_library(request))
    return {"ok": True}


@router.post("/explain", summary="What the agreement would contain and why (`msa explain --json`)",
             openapi_extra=PROFILE_BODY)
def explain(request: Request, profile: dict[str, Any] = PROFILE, user: User = Depends(ANYONE)) -> dict[str, Any]:
    return api.explain_profile(profile, library=_library(request))


def _urls(request: Request, record: Any) -> dict[str, str]:
    kinds = [k for k in api.file_kinds(record) if k in ("docx", "memo", "pdf")]
    return {kind: str(request.url_for("api_file", record=record.id, kind=kind)) for kind in kinds}


@router.post("/drafts", status_code=201, summary="Save the profile in the workspace and build its draft",
             responses={201: {"model": Draft, "description": "Built and recorded"}}, openapi_extra=PROFILE_BODY)
def draft(request: Request, profile: dict[str, Any] = PROFILE, pdf: bool = False,
          user: User = Depends(SALES)) -> JSONResponse:
    """A refused control (a decline the provider's policy forbids) is a 422 naming the control."""
    where = config(request)
    library = _library(request)
    result = api.draft_from_data(profile, folder=where.clients, library=library, out_dir=where.out,
                                 provider=where.provider, templates=where.templates,
                                 formats=("docx", "pdf") if pdf else ("docx",), ledger=where.ledger, by=by(user))
    record = result.record or api.history(ledger=where.ledger, client=result.slug)[-1][0]
    api.record_audit(by(user), "profile saved", ledger=where.ledger, subject=Path(record.source).name)
    return JSONResponse({"agreement_id": result.agreement_id, "client": result.client, "record": record.id,
                         "status": record.status, "files": _urls(request, record)}, status_code=201)


@router.get("/clients", summary="Every client's coverage (`msa status --json`)")
def clients(request: Request, user: User = Depends(ANYONE)) -> list[dict[str, Any]]:
    where = config(request)
    settings = msa_builder.BatchConfig(out_dir=where.out, library_dir=where.library, provider_path=where.provider,
                                       templates_dir=where.templates, ledger_path=where.ledger)
    return [row.as_dict() for row in api.coverage(where.clients, settings)]


@router.post("/agreements/{agreement_id}/submit", summary="Submit a draft for review (sales or admin)",
             response_model=Submitted, responses=NOT_FOUND)
def submit(agreement_id: str, request: Request, user: User = Depends(SALES)) -> dict[str, Any]:
    """The draft moves to `in_review`, by this user, as the draft page's button does; a step the
    ledger does not allow (not a draft) is a 422 saying why."""
    where = config(request)
    try:
        found = api.agreement_by_id(agreement_id, ledger=where.ledger)
    except LedgerError as exc:
        raise HTTPException(404, exc.message) from None
    moved = api.mark(found.slug, "in_review", ledger=where.ledger, by=by(user), record=found.id,
                     note="submitted for review through the API")
    return {"agreement_id": moved.agreement_id, "client": moved.client, "record": moved.id, "status": moved.status}


@router.post("/agreements/{agreement_id}/approve", summary="Approve a draft (attorney or admin)",
             response_model=Approved, responses=NOT_FOUND)
def approve(agreement_id: str, request: Request, body: dict[str, Any] | None = Body(None),
            user: User = Depends(ATTORNEY)) -> dict[str, Any]:
    """Refused (422, every reason) unless the draft is in review and its points are accepted."""
    where = config(request)
    options = body or {}
    try:
        found = api.agreement_by_id(agreement_id, ledger=where.ledger)
    except LedgerError as exc:
        raise HTTPException(404, exc.message) from None
    approved = api.approve(found.agreement_id, ledger=where.ledger, by=by(user), note=options.get("note"),
                           accept_deviations=bool(options.get("accept_deviations")))
    record = approved.record
    return {"agreement_id": record.agreement_id, "client": record.client, "record": record.id,
            "status": record.status, "files": sorted(approved.files)}


@router.get("/files/{record}/{kind}", name="api_file", summary="A file of a recorded build", responses=NOT_FOUND)
def file(record: int, kind: str, request: Request, user: User = Depends(ANYONE)) -> Response:
    try:
        found = api.draft_file(record, kind, ledger=config(request).ledger)
    except LedgerError as exc:
        raise HTTPException(404, exc.message) from None
    return attachment(found.name, found.data, found.media_type)
