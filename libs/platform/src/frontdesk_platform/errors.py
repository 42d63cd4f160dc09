"""One error shape for every HTTP API: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .storable import FIELD_CODES, PYDANTIC_ERRORS

log = logging.getLogger(__name__)

TOO_LARGE = "The request body is larger than this route accepts."


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def field_problem(errors: Sequence[Any]) -> tuple[str, str]:
    """The code and message for pydantic errors: a storable-input code (`invalid_text`,
    `out_of_range`, `invalid_time`) when one of them is that, naming its field."""
    for error in errors:
        if error.get("type") in FIELD_CODES:
            return str(error["type"]), _named(error)
        if error.get("type") in PYDANTIC_ERRORS:
            code, problem = PYDANTIC_ERRORS[error["type"]]
            return code, _named({**error, "msg": problem})
    first = errors[0] if errors else {}
    return "invalid_request", f"The request does not match the API ({_named(first)})."


def _named(error: Any) -> str:
    # ("body", "text") or ("query", "after_seq"): the part after where it came from
    loc = [str(p) for p in error.get("loc", ())]
    if loc and loc[0] in ("body", "query", "path", "header"):
        loc = loc[1:]
    context = error.get("ctx") or {}
    if "path" in context:  # found inside a body by StoredBody: the path within it
        return f"{'.'.join([*loc, context['path']])}: {context['problem']}"
    field = ".".join(loc)
    return f"{field}: {error.get('msg')}" if field else str(error.get("msg"))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse(error_body("invalid_json", "The body is not valid JSON."), 400)
        details = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg")} for e in errors
        ]
        code, message = field_problem(errors)
        return JSONResponse(error_body(code, message, details), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 413: "payload_too_large"}
        code = codes.get(exc.status_code, "http_error")
        message = TOO_LARGE if exc.status_code == 413 else str(exc.detail)
        return JSONResponse(error_body(code, message), exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse(error_body("internal_error", "Something went wrong on our side."), 500)
