"""/health tells a load balancer whether to send traffic, and nothing more: why a check fails
(a host, a user, a driver's message) goes to the service's log."""

from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from frontdesk_platform.app import build_app


@asynccontextmanager
async def no_resources(app: FastAPI):
    yield


async def database_down() -> None:
    raise ConnectionRefusedError("password authentication failed for user frontdesk at 10.0.3.7:5432")


async def kafka_up() -> None:
    return None


async def health() -> httpx.Response:
    app = build_app(
        service="booking",
        title="t",
        description="t",
        lifespan=no_resources,
        health_checks={"database": database_down, "kafka": kafka_up},
        service_token="s" * 40,
        max_body_bytes=64 * 1024,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as client:
        return await client.get("/health")


async def test_a_failing_check_is_named_without_its_exception_text(caplog):
    answer = await health()
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "unavailable",
        "service": "booking",
        "checks": {"database": "failing", "kafka": "ok"},
    }
    assert "10.0.3.7" not in answer.text
    assert "password authentication failed" in caplog.text
