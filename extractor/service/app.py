"""The FastAPI application: the API and the review page over one store, behind a bearer
token when one is set, with an upload limit, and every error as ``{"message": ...}``
— never a stack trace."""

from __future__ import annotations

import hmac
import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from ..errors import InputError, NianbaoError
from ..resources import nianbao_version
from ..store.api import NotFound, ReviewConflict, Store
from . import api, web
from .settings import ServiceSettings

log = logging.getLogger("nianbao.service")
_STATIC = Path(__file__).with_name("static")
#: Scripts and styles only from this server: a report's text can never run as code.
_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
#: Swagger UI starts itself with an inline script; that page shows no report content.
_DOCS_CSP = _CSP + "; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'"
_COOKIE = "nianbao_token"


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"message": message, **extra}, status_code=status)


class UploadLimit:
    """Refuse a request body over ``limit`` bytes with 413 before the app reads it: by its
    Content-Length, or, when it streams without one, as soon as it passes the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        too_big = _error(413, f"request body larger than the limit of {self.limit} bytes (serve --max-upload)")
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await too_big(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await too_big(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _authorised(request: Request, token: str) -> bool:
    given = request.headers.get("authorization", "")
    bearer = given[7:] if given[:7].lower() == "bearer " else ""
    cookie = request.cookies.get(_COOKIE, "")
    return any(hmac.compare_digest(x.encode(), token.encode()) for x in (bearer, cookie) if x)


def create_app(settings: ServiceSettings) -> FastAPI:
    """The app over the store at ``settings.db`` (opened, and migrated if need be, here)."""
    app = FastAPI(
        title="nianbao",
        version=nianbao_version(),
        description="Extract and verify government information disclosure annual reports; review the findings.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = Store.open(settings.db)
    app.include_router(api.router)
    app.include_router(web.router)
    # Swagger UI from the swagger-ui-bundle package, not a CDN: /docs works offline
    app.mount("/static/docs", StaticFiles(directory=swagger_ui_path), name="docs-assets")
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json", title="nianbao API", swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css", swagger_favicon_url="/static/docs/favicon-32x32.png",
        )
        page.headers["Content-Security-Policy"] = _DOCS_CSP
        return page

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        token = settings.token
        if token is not None and not request.url.path.startswith("/static/"):
            given = request.query_params.get("token")
            if given is not None and request.method == "GET" and hmac.compare_digest(given.encode(), token.encode()):
                # a browser opens the page once with ?token=…; a strict cookie carries it on
                back = RedirectResponse(request.url.remove_query_params("token"), status_code=303)
                back.set_cookie(_COOKIE, token, httponly=True, samesite="strict")
                return back
            if not _authorised(request, token):
                return _error(401, "missing or wrong bearer token (Authorization: Bearer $NIANBAO_TOKEN)")
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    app.add_middleware(UploadLimit, limit=settings.max_upload)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, e: StarletteHTTPException) -> JSONResponse:
        return _error(e.status_code, str(e.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, e: RequestValidationError) -> JSONResponse:
        return _error(422, "invalid request: " + _describe(e.errors()))

    @app.exception_handler(ValidationError)
    async def invalid_body(_: Request, e: ValidationError) -> JSONResponse:
        return _error(422, "invalid request: " + _describe(e.errors()))

    @app.exception_handler(NotFound)
    async def not_found(_: Request, e: NotFound) -> JSONResponse:
        return _error(404, str(e))

    @app.exception_handler(ReviewConflict)
    async def conflict(_: Request, e: ReviewConflict) -> JSONResponse:
        return _error(409, str(e), current=e.current.model_dump(mode="json"))

    @app.exception_handler(NianbaoError)
    async def bad_input(_: Request, e: NianbaoError) -> JSONResponse:
        return _error(422 if isinstance(e, InputError) else 400, str(e))

    @app.exception_handler(Exception)
    async def internal(request: Request, e: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return _error(500, f"internal error ({type(e).__name__}); the server log has the details")

    return app


def _describe(errors: Any) -> str:
    """Pydantic's errors as one line: ``body.reviewer: Field required; …``."""
    parts = []
    for err in list(errors)[:5]:
        where = ".".join(str(x) for x in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return "; ".join(parts) or "invalid"
