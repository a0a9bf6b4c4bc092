"""The sales engineer's pages: clients, the new-client form with its live explanation, build, drafts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from ... import api, clock
from ...errors import MsaError
from ...users import User
from ..errors import by_field, problems_json
from ..forms import form_values, profile_from_form
from ._common import ANYONE, SALES, by, config, page_router, render

router = page_router()
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.(yaml|yml|json)$")


def _library(request: Request) -> Any:
    return api.open_library(config(request).library)


def _profile_path(request: Request, name: str) -> Path:
    """A saved profile by its file name, which must be one the clients folder lists (never a path)."""
    if not _PROFILE_NAME.match(name):
        raise HTTPException(404, "no such profile")
    for path in api.list_profiles(config(request).clients):
        if path.name == name:
            return path
    raise HTTPException(404, "no such profile")


def _latest_by_source(request: Request) -> dict[str, Any]:
    ledger = config(request).ledger
    if not ledger.exists():
        return {}
    return {str(Path(r.source).resolve()): r for r, _ in api.history(ledger=ledger)}


@router.get("/clients")
def clients(request: Request, user: User = Depends(SALES)) -> Response:
    latest = _latest_by_source(request)
    rows = []
    for path in api.list_profiles(config(request).clients):
        try:
            legal_name = api.read_profile(path)["client"]["legal_name"]
            error = None
        except MsaError as exc:
            legal_name, error = None, exc.message
        rows.append({"name": path.name, "legal_name": legal_name, "error": error,
                     "record": latest.get(str(path.resolve()))})
    return render(request, "clients.html", {"rows": rows})


def _form_page(request: Request, *, values: dict[str, str], editing: str | None, problems: list[dict[str, Any]],
               status: int = 200) -> Response:
    fields = api.client_form(_library(request))
    return render(request, "client_form.html", {"fields": fields, "values": values, "editing": editing,
                                                "errors": by_field(problems), "problems": problems}, status=status)


@router.get("/clients/new")
def new_client(request: Request, user: User = Depends(SALES)) -> Response:
    return _form_page(request, values={"effective_date": clock.today().isoformat()}, editing=None, problems=[])


@router.get("/clients/{name}/edit")
def edit_client(name: str, request: Request, user: User = Depends(SALES)) -> Response:
    path = _profile_path(request, name)
    return _form_page(request, values=form_values(api.read_profile(path)), editing=path.name, problems=[])


@router.post("/clients/explain")
async def explain(request: Request, user: User = Depends(SALES)) -> Response:
    """The live panel: what this agreement would contain and why, or every problem of the form so far."""
    form = await request.form()
    library = _library(request)
    data = profile_from_form(form, api.client_form(library))
    try:
        explained = api.explain_profile(data, library=library)
        problems: list[dict[str, Any]] = []
    except MsaError as exc:
        explained, problems = None, problems_json(exc)
    return render(request, "_explain.html", {"x": explained, "problems": problems,
                                             "refused": [p for p in problems if "may not be declined" in p["message"]]})


@router.post("/clients/save")
async def save(request: Request, user: User = Depends(SALES)) -> Response:
    """Save the form as a profile (new, or over the one being edited), then build it when asked."""
    form = await request.form()
    library = _library(request)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    editing = values.get("editing") or None
    data = profile_from_form(form, api.client_form(library))
    try:
        if editing:
            path = api.save_profile(data, library=library, path=_profile_path(request, editing), replace=True)
        else:
            path = api.save_profile(data, library=library, folder=config(request).clients)
    except MsaError as exc:
        return _form_page(request, values=values, editing=editing, problems=problems_json(exc), status=422)
    api.record_audit(by(user), "profile saved", ledger=config(request).ledger, subject=path.name)
    if values.get("action") != "build":
        return RedirectResponse(f"/clients/{path.name}/edit?saved=1", 303)
    return _build(request, user, path, pdf=values.get("pdf") == "1")


def _build(request: Request, user: User, path: Path, *, pdf: bool) -> Response:
    where = config(request)
    result = api.build(path, out_dir=where.out, library=_library(request), provider=where.provider,
                       templates=where.templates, formats=("docx", "pdf") if pdf else ("docx",), ledger=where.ledger,
                       by=by(user))
    record = result.record
    if record is None:  # an unchanged rebuild: the ledger's latest record is this build
        record = api.history(ledger=where.ledger, client=result.slug)[-1][0]
    return RedirectResponse(f"/drafts/{record.id}", 303)


@router.post("/clients/{name}/build")
async def build(name: str, request: Request, user: User = Depends(SALES)) -> Response:
    form = await request.form()
    return _build(request, user, _profile_path(request, name), pdf=form.get("pdf") == "1")


@router.get("/drafts/{record}")
def draft(record: int, request: Request, user: User = Depends(ANYONE)) -> Response:
    found, events = api.agreement_record(record, ledger=config(request).ledger)
    return render(request, "draft.html", {"r": found, "events": events, "files": api.file_kinds(found)})


@router.post("/drafts/{record}/submit")
def submit(record: int, request: Request, user: User = Depends(SALES)) -> Response:
    """Submit for review: the draft moves to `in_review` in the ledger, by this user."""
    found, _ = api.agreement_record(record, ledger=config(request).ledger)
    api.mark(found.slug, "in_review", ledger=config(request).ledger, by=by(user), record=found.id,
             note="submitted for review in msa serve")
    return RedirectResponse(f"/drafts/{record}", 303)
