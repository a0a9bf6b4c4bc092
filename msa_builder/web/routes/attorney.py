"""The attorney's pages: the review queue, a draft's memo with its redlines, approve or send back."""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ... import api
from ...errors import LifecycleError, MsaError
from ...users import User
from ..errors import problems_json
from ._common import ATTORNEY, by, config, page_router, render

router = page_router()


@router.get("/review")
def queue(request: Request, user: User = Depends(ATTORNEY)) -> Response:
    ledger = config(request).ledger
    waiting = api.review_queue(ledger=ledger) if ledger.exists() else []
    return render(request, "review_queue.html", {"waiting": waiting})


def _review_page(request: Request, record: int, *, problems: list[dict[str, str]] | None = None,
                 status: int = 200) -> Response:
    where = config(request)
    review = api.review_draft(record, ledger=where.ledger, library_dir=where.library, provider=where.provider)
    return render(request, "review.html", {"rv": review, "a": review.agreement, "r": review.record,
                                           "problems": problems or [], "files": api.file_kinds(review.record)},
                  status=status)


@router.get("/review/{record}")
def review(record: int, request: Request, user: User = Depends(ATTORNEY)) -> Response:
    return _review_page(request, record)


@router.post("/review/{record}/approve")
def approve(record: int, request: Request, note: str = Form(""), accept_deviations: str = Form(""),
            user: User = Depends(ATTORNEY)) -> Response:
    """Approve: the lifecycle's checks, then the execution version is archived; refused with its reasons."""
    where = config(request)
    found, _ = api.agreement_record(record, ledger=where.ledger)
    try:
        api.approve(found.slug, ledger=where.ledger, by=by(user), note=note.strip() or None,
                    accept_deviations=accept_deviations == "1", record=found.id)
    except LifecycleError as exc:
        return _review_page(request, record, problems=problems_json(exc), status=422)
    return RedirectResponse(f"/drafts/{record}", 303)


@router.post("/review/{record}/send-back")
def send_back(record: int, request: Request, note: str = Form(""), user: User = Depends(ATTORNEY)) -> Response:
    """Send back to the sales engineer with the attorney's comment (the draft returns to `draft`)."""
    where = config(request)
    found, _ = api.agreement_record(record, ledger=where.ledger)
    if not note.strip():
        return _review_page(request, record, problems=[{"field": "note", "message": "say what must change"}],
                            status=422)
    try:
        api.send_back(found.slug, ledger=where.ledger, by=by(user), note=note.strip(), record=found.id)
    except MsaError as exc:
        return _review_page(request, record, problems=problems_json(exc), status=422)
    return RedirectResponse("/review", 303)
