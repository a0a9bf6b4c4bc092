"""Operations: coverage (who has no signed agreement), renewals, batch runs with live progress,
mark sent, signed evidence, the archive of an approved instrument."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
from fastapi import Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response, StreamingResponse

import msa_builder

from ... import api
from ...errors import MsaError
from ...users import User
from ..batches import BatchRun
from ..errors import FormField, problems_json
from ._common import OPERATIONS, by, config, page_router, render

router = page_router()
PDF_MAGIC = b"%PDF-"


def batch_config(request: Request, **options: Any) -> Any:
    where = config(request)
    return msa_builder.BatchConfig(out_dir=where.out, library_dir=where.library, provider_path=where.provider,
                                   templates_dir=where.templates, ledger_path=where.ledger, **options)


@router.get("/coverage")
def coverage(request: Request, user: User = Depends(OPERATIONS)) -> Response:
    rows = api.coverage(config(request).clients, batch_config(request))
    counts = {state: sum(1 for r in rows if r.state == state) for state in ("unsigned", "outdated", "current", "error")}
    return render(request, "coverage.html", {"rows": rows, "counts": counts})


@router.get("/renewals")
def renewals(request: Request, user: User = Depends(OPERATIONS)) -> Response:
    where = config(request)
    rows = api.renewals(ledger=where.ledger, library_dir=where.library) if where.ledger.exists() else []
    return render(request, "renewals.html", {"rows": rows})


@router.get("/batch")
def batch_page(request: Request, user: User = Depends(OPERATIONS)) -> Response:
    batches = request.app.state.batches
    return render(request, "batch.html", {"run": batches.running() or batches.latest()})


def _line(result: Any) -> dict[str, Any]:
    why = result.error or ", ".join(result.changes) or result.reason or ""
    return {"kind": "client", "status": result.status, "label": result.label, "client": result.client,
            "why": why.splitlines()[0] if why else ""}


@router.post("/batch")
def start_batch(request: Request, only_stale: str = Form(""), user: User = Depends(OPERATIONS)) -> Response:
    """Start a batch over the workspace's clients; the page then follows it over server-sent events."""
    where = config(request)
    source, settings = where.clients, batch_config(request, by=by(user))

    def work(run: BatchRun) -> dict[str, Any]:
        def started(total: int) -> None:
            run.total = total
            run.add({"kind": "start", "total": total})

        report = api.run_batch(source, settings, jobs=where.batch_jobs, only_stale=only_stale == "1",
                               on_start=started, on_result=lambda result: run.add(_line(result)))
        return {"kind": "done", "counts": report.counts(), "failed": bool(report.failed)}

    api.record_audit(by(user), "batch started", ledger=where.ledger, note="only stale" if only_stale else None)
    run = request.app.state.batches.start(by(user), work)
    return RedirectResponse(f"/batch?run={run.id}", 303)


def _sse(event: str, html: str) -> str:
    return f"event: {event}\n" + "".join(f"data: {line}\n" for line in html.splitlines() or [""]) + "\n"


@router.get("/batch/{run_id}/events")
async def batch_events(run_id: int, request: Request, user: User = Depends(OPERATIONS)) -> Response:
    run = request.app.state.batches.get(run_id)
    if run is None:
        raise HTTPException(404, "no such batch run")
    env = request.app.state.views.env

    async def stream() -> AsyncIterator[str]:
        sent = 0
        while True:
            events, done = run.since(sent)
            for event in events:
                sent += 1
                html = env.get_template("_batch_event.html").render(e=event, run=run, index=sent)
                yield _sse("done" if event["kind"] in ("done", "failed") else "progress", html)
            if done and not events:
                return
            if await request.is_disconnected():
                return
            await anyio.sleep(0.2)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


def _record(request: Request, record: int) -> Any:
    found, _ = api.agreement_record(record, ledger=config(request).ledger)
    return found


@router.get("/agreements/{record}")
def agreement(record: int, request: Request, user: User = Depends(OPERATIONS)) -> Response:
    found, events = api.agreement_record(record, ledger=config(request).ledger)
    return render(request, "agreement.html", {"r": found, "events": events, "problems": []})


@router.post("/agreements/{record}/sent")
def mark_sent(record: int, request: Request, note: str = Form(""), user: User = Depends(OPERATIONS)) -> Response:
    found = _record(request, record)
    api.mark(found.slug, "sent", ledger=config(request).ledger, by=by(user), record=found.id,
             note=note.strip() or None)
    return RedirectResponse(f"/agreements/{record}", 303)


async def _upload(file: UploadFile, limit: int) -> tuple[Path, str]:
    """The upload in a temporary file (deleted by the caller), read in chunks up to `limit` bytes."""
    digest = hashlib.sha256()
    handle = tempfile.NamedTemporaryFile(prefix="msa-evidence-", suffix=".pdf", delete=False)
    size = 0
    try:
        with handle:
            while chunk := await file.read(1 << 16):
                size += len(chunk)
                if size > limit:
                    raise HTTPException(413, f"the file is larger than {limit // (1024 * 1024)} MB")
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return Path(handle.name), digest.hexdigest()


# The upload form's inputs, for the lifecycle's errors that name `msa ledger mark`'s options.
EVIDENCE_FORM = {"--unverified": FormField("unverified", "a reason in “Accept unverified, because”"),
                 "--evidence": FormField("file", "the signed file")}


@router.post("/agreements/{record}/evidence")
async def evidence(record: int, request: Request, file: UploadFile, unverified: str = Form(""),
                   user: User = Depends(OPERATIONS)) -> Response:
    """Upload the signed copy: verified by the lifecycle against the archived execution PDF, then `signed`."""
    where = config(request)
    found = _record(request, record)
    path, _ = await _upload(file, where.max_upload)
    try:
        with path.open("rb") as head:
            if not unverified.strip() and head.read(len(PDF_MAGIC)) != PDF_MAGIC:
                problems = [{"field": "file", "message": "not a PDF; upload the signed PDF, or give the reason "
                             "to accept another file unverified"}]
                _, events = api.agreement_record(record, ledger=where.ledger)
                return render(request, "agreement.html", {"r": found, "events": events, "problems": problems},
                              status=422)
        try:
            await anyio.to_thread.run_sync(lambda: api.mark(
                found.slug, "signed", ledger=where.ledger, by=by(user), record=found.id, evidence=path,
                unverified=unverified.strip() or None, trust=where.trust))
        except MsaError as exc:
            _, events = api.agreement_record(record, ledger=where.ledger)
            return render(request, "agreement.html",
                          {"r": found, "events": events, "problems": problems_json(exc, EVIDENCE_FORM)}, status=422)
    finally:
        path.unlink(missing_ok=True)
    return RedirectResponse(f"/agreements/{record}", 303)
