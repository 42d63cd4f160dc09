"""The FastAPI application every service starts from: errors, body limits, health, request
metrics and tracing. Metrics and the API docs are served by the ops listener (ops.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any
from uuid import uuid4

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from opentelemetry import trace
from prometheus_client import Counter, Histogram
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .body_limit import install_body_limit
from .errors import install_error_handlers
from .observability import exporting, handling, trace_exemplar
from .service_auth import ServiceCredential

log = logging.getLogger(__name__)
HealthCheck = Callable[[], Awaitable[None]]

REQUESTS = Counter(
    "frontdesk_http_requests_total", "HTTP requests served.", ["service", "method", "route", "status"]
)
LATENCY = Histogram("frontdesk_http_request_seconds", "HTTP request latency.", ["service", "method", "route"])


class ObserveRequests:
    """Every HTTP request: its correlation id (the caller's, or a new one) for the handler
    and in the answer, a server span continuing the caller's trace (when spans are
    exported; else only inside that trace: `handling`), and its count and latency by
    route. A plain ASGI middleware: Starlette's `BaseHTTPMiddleware` runs the app in a
    task group of its own, which cost more per request than the rest of this."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cid = headers.get("x-correlation-id") or str(uuid4())
        started = time.perf_counter()
        status = 500
        stamp = (b"x-correlation-id", cid.encode("latin-1"))

        async def answering(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-correlation-id"]
                message = {**message, "headers": [*kept, stamp]}
            await send(message)

        name = f"{scope['method']} {scope['path']}"
        with handling(name, headers.get("traceparent"), cid, trace.SpanKind.SERVER):
            await self.app(scope, receive, answering)
            exemplar = trace_exemplar()
        route = getattr(scope.get("route"), "path", "unmatched")
        REQUESTS.labels(self.service, scope["method"], route, str(status)).inc()
        LATENCY.labels(self.service, scope["method"], route).observe(time.perf_counter() - started, exemplar)


def build_app(
    *,
    service: str,
    title: str,
    description: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    health_checks: dict[str, HealthCheck],
    service_token: str,
    max_body_bytes: int,
    **fastapi_args: Any,
) -> FastAPI:
    if not exporting():
        # FastAPI's own spans (the request, each dependency, the endpoint, the answer's
        # serialization) would be made for every request and thrown away.
        fastapi_args["telemetry"] = {**fastapi_args.get("telemetry", {}), "tracing": False}
    # No docs on the public port: ops_app serves them from app.openapi().
    app = FastAPI(
        title=title,
        description=description,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        **fastapi_args,
    )
    install_error_handlers(app)
    # Added before `observe`, so refused calls are counted and traced too.
    app.add_middleware(ServiceCredential, token=service_token)
    install_body_limit(app, max_body_bytes)

    app.add_middleware(ObserveRequests, service=service)

    @app.get("/health", tags=["operations"], summary="Liveness and readiness of this service")
    async def health() -> JSONResponse:
        checks: dict[str, str] = {}
        for name, check in health_checks.items():
            try:
                await check()
                checks[name] = "ok"
            except Exception:
                # /health answers anyone who reaches the public port: the reason (hosts, users,
                # driver errors) goes to the log, never into the answer.
                log.exception("health check %s is failing", name)
                checks[name] = "failing"
        healthy = all(state == "ok" for state in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "unavailable", "service": service, "checks": checks},
            status_code=200 if healthy else 503,
        )

    return app
