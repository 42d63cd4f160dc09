"""Campaigns through the gateway: sending one is a command to notify (answered on
notify.replies); previews and reads come from notify's internal API, always scoped to the
caller's own shop."""

from __future__ import annotations

from typing import Any

import httpx
from frontdesk_contracts import notify
from frontdesk_platform.errors import ApiError

from .identity.tokens import Principal
from .notifications import Notifications


class Campaigns:
    def __init__(self, client: httpx.AsyncClient, notifications: Notifications) -> None:
        self._client = client
        self._notifications = notifications

    async def send(self, caller: Principal, command: notify.SendCampaign) -> Any:
        """Send, wait for notify's verdict (a refusal is an ApiError), and show the outcome."""
        await self._notifications.run(caller, command.shop_id, command)
        return await self.read(caller, f"/campaigns/{command.campaign_id}", recipients=False)

    async def read(self, caller: Principal, path: str, **params: Any) -> Any:
        return await self._call(caller, "GET", path, params=params)

    async def preview(self, caller: Principal, segment: dict[str, Any], limit: int) -> Any:
        return await self._call(
            caller, "POST", "/segments/preview", json={"segment": segment, "limit": limit}
        )

    async def _call(self, caller: Principal, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._client.request(method, f"/internal/shops/{caller.shop_id}{path}", **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(503, "service_unavailable", "Notify is unavailable; retry.") from exc
        if response.status_code in (404, 422):
            error = response.json().get("error", {})
            raise ApiError(response.status_code, error.get("code", "not_found"), error.get("message", ""))
        if response.status_code >= 400:
            raise ApiError(502, "upstream_error", "Notify refused the request.")
        return response.json()
