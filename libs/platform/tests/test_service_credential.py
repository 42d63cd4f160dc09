"""Internal APIs answer only callers holding the service token; a service outside
development refuses to start without strong secrets."""

from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from frontdesk_platform.app import build_app
from frontdesk_platform.runtime import Runtime
from frontdesk_platform.settings import ServiceSettings, UnsafeSettings

TOKEN = "s" * 40


@asynccontextmanager
async def no_resources(app: FastAPI):
    yield


def service() -> FastAPI:
    app = build_app(
        service="test",
        title="t",
        description="t",
        lifespan=no_resources,
        health_checks={},
        service_token=TOKEN,
        max_body_bytes=64 * 1024,
    )

    @app.get("/internal/shops/{shop_id}/pets")
    async def pets(shop_id: str) -> list[str]:
        return ["Biscuit"]

    return app


async def get(path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=service())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.get(path, headers=headers)


@pytest.mark.parametrize("credential", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
async def test_an_internal_route_refuses_a_caller_without_the_service_token(credential):
    headers = {"authorization": credential} if credential else {}
    answer = await get("/internal/shops/1/pets", **headers)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "service_credential_required"


async def test_a_service_with_the_token_is_answered_and_health_needs_none():
    assert (await get("/internal/shops/1/pets", authorization=f"Bearer {TOKEN}")).json() == ["Biscuit"]
    assert (await get("/health")).status_code == 200


def test_the_callers_header_is_the_one_the_routes_expect():
    settings = ServiceSettings(environment="production", service_token=TOKEN, command_signing_key="k" * 40)
    assert settings.service_headers() == {"authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    ("settings", "missing"),
    [
        ({"command_signing_key": "k" * 40}, "FRONTDESK_SERVICE_TOKEN is not set"),
        ({"service_token": TOKEN}, "FRONTDESK_COMMAND_SIGNING_KEY is not set"),
        ({"service_token": "short", "command_signing_key": "k" * 40}, "FRONTDESK_SERVICE_TOKEN is too weak"),
    ],
)
def test_outside_development_a_service_refuses_to_start_without_strong_secrets(settings, missing):
    with pytest.raises(UnsafeSettings, match=missing):
        Runtime(ServiceSettings(environment="production", **settings))


def test_in_development_a_lone_service_starts_with_no_setup():
    Runtime(ServiceSettings(environment="development"))
