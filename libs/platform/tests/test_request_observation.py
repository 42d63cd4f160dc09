"""Every request of a service's app is observed: its correlation id reaches the handler and
comes back in the answer, and it is counted by its route, in a plain ASGI middleware (no
task group per request)."""

from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from frontdesk_platform.app import build_app
from frontdesk_platform.observability import configure_tracing, correlation_id, current_traceparent, exporting
from opentelemetry import trace
from prometheus_client import REGISTRY
from starlette.middleware.base import BaseHTTPMiddleware

TOKEN = "s" * 40


@asynccontextmanager
async def no_resources(app: FastAPI):
    yield


def app() -> FastAPI:
    built = build_app(
        service="observed",
        title="t",
        description="t",
        lifespan=no_resources,
        health_checks={},
        service_token=TOKEN,
        max_body_bytes=64 * 1024,
    )

    @built.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str | None]:
        return {"thing": thing_id, "correlation_id": correlation_id.get()}

    @built.get("/trace")
    async def in_trace() -> dict[str, str | bool | None]:
        return {"recording": trace.get_current_span().is_recording(), "traceparent": current_traceparent()}

    return built


def counted(route: str, status: str) -> float:
    labels = {"service": "observed", "method": "GET", "route": route, "status": status}
    return REGISTRY.get_sample_value("frontdesk_http_requests_total", labels) or 0.0


async def test_a_request_keeps_its_correlation_id_and_is_counted_by_its_route():
    observed = app()
    before = counted("/things/{thing_id}", "200")
    auth = {"authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=observed), base_url="http://s") as client:
        given = await client.get("/things/7", headers={**auth, "x-correlation-id": "c-123"})
        fresh = await client.get("/things/8", headers=auth)
    assert given.json() == {"thing": "7", "correlation_id": "c-123"}
    assert given.headers.get_list("x-correlation-id") == ["c-123"]
    assert fresh.headers["x-correlation-id"] == fresh.json()["correlation_id"]  # a new one, told back
    assert counted("/things/{thing_id}", "200") - before == 2
    assert not [m for m in observed.user_middleware if m.cls is BaseHTTPMiddleware]


async def test_without_an_exporter_a_request_makes_no_span_yet_stays_in_its_callers_trace():
    """A span nobody exports (ours or FastAPI's own) would cost CPU on every request; what
    the handler sends on must still carry the caller's trace, or a new one."""
    configure_tracing("observed")
    assert not exporting()
    caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    auth = {"authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://s") as client:
        continued = (await client.get("/trace", headers={**auth, "traceparent": caller})).json()
        started = (await client.get("/trace", headers=auth)).json()
    assert continued == {"recording": False, "traceparent": caller}
    assert started["recording"] is False
    assert started["traceparent"].split("-")[1] not in ("0" * 32, caller.split("-")[1])
