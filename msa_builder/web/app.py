"""The app factory: middleware (the gate, security headers), routers by role, error pages."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._version import __version__
from ..errors import MsaError
from .auth import Gate
from .batches import Batches
from .config import WebConfig
from .errors import problems_json
from .routes import api_v1, attorney, files, library, login, operations, sales, users
from .security import SecurityHeaders
from .views import STATIC, Views

log = logging.getLogger("msa_builder.web")


def create_app(config: WebConfig) -> FastAPI:
    """The web app for one workspace."""
    app = FastAPI(title="msa-builder", version=__version__, openapi_url="/api/v1/openapi.json", docs_url=None,
                  redoc_url=None, description="The JSON API of `msa serve`, for PSA and CRM integrations. "
                  "Every call needs `Authorization: Bearer TOKEN` (`msa user token NAME`).")
    app.state.config = config
    app.state.views = Views()
    app.state.batches = Batches()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (login, sales, attorney, library, operations, files, users, api_v1):
        app.include_router(module.router)
    _error_handlers(app)
    app.add_middleware(Gate, ledger=config.ledger, max_body=config.max_upload + 64 * 1024)
    app.add_middleware(SecurityHeaders, https=config.behind_https)
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MsaError)
    async def msa_error(request: Request, exc: MsaError) -> Response:
        if _is_api(request):
            return JSONResponse({"errors": problems_json(exc)}, status_code=422)
        return request.app.state.views.render(request, "error.html", {"status": 422, "error": exc,
                                                                      "problems": problems_json(exc)}, status=422)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or None,
                   "message": str(e.get("msg", "invalid"))} for e in exc.errors()]
        if _is_api(request):
            return JSONResponse({"errors": errors}, status_code=422)
        return PlainTextResponse("The request was not understood.", status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"errors": [{"field": None, "message": str(exc.detail)}]}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        if getattr(request.state, "user", None) is None:
            return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
        return request.app.state.views.render(request, "error.html", {"status": exc.status_code,
                                                                      "message": str(exc.detail), "problems": []},
                                              status=exc.status_code)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        if _is_api(request):
            return JSONResponse({"errors": [{"field": None, "message": "internal error"}]}, status_code=500)
        return PlainTextResponse("Internal error. It has been logged; please report what you were doing.",
                                 status_code=500)
