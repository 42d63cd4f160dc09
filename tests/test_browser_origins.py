"""Only the web apps on FRONTDESK_CORS_ORIGINS may use the API from a browser; native apps
(no Origin) are not concerned. The run's gateways allow CONSOLE_ORIGIN (and the staff console the browser test serves)."""

from __future__ import annotations

import json

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from .conftest import CONSOLE_ORIGIN

pytestmark = pytest.mark.e2e
ELSEWHERE = "https://evil.example"


def preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }


async def test_the_console_may_call_the_api_from_a_browser_and_other_pages_may_not(api):
    owner = await api.shop()
    allowed = await api.http.options("/v1/conversations", headers=preflight(CONSOLE_ORIGIN))
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == CONSOLE_ORIGIN
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "POST" in allowed.headers["access-control-allow-methods"]

    refused = await api.http.options("/v1/conversations", headers=preflight(ELSEWHERE))
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers

    listed = await api.http.get("/v1/conversations", headers={**owner.auth, "origin": CONSOLE_ORIGIN})
    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == CONSOLE_ORIGIN
    assert "x-correlation-id" in listed.headers["access-control-expose-headers"]
    # the browser withholds the answer from a page elsewhere: nothing allows it to read it
    elsewhere = await api.http.get("/v1/conversations", headers={**owner.auth, "origin": ELSEWHERE})
    assert "access-control-allow-origin" not in elsewhere.headers


async def socket_ready(api, token: str, origin: str | None) -> dict:
    url = api.base_url.replace("http://", "ws://") + f"/v1/ws?access_token={token}"
    async with websockets.connect(url, origin=origin) as socket:
        return json.loads(await socket.recv())


async def test_a_socket_opens_from_the_console_or_a_native_app_and_not_from_another_page(api):
    owner = await api.shop()
    assert (await socket_ready(api, owner.token, CONSOLE_ORIGIN))["type"] == "ready"
    assert (await socket_ready(api, owner.token, None))["type"] == "ready"
    with pytest.raises(InvalidStatus) as refused:
        await socket_ready(api, owner.token, ELSEWHERE)
    assert refused.value.response.status_code == 403
