"""Campaigns through the gateway: sending one is a command to notify (answered on
notify.replies); previews and reads come from notify's internal API, always scoped to the
caller's own shop."""

from __future__ import annotations

from typing import Any

import httpx
from frontdesk_contracts import notify

from .identity.tokens import Principal
from .internal import InternalApi
from .notifications import Notifications


class Campaigns:
    def __init__(self, client: httpx.AsyncClient, notifications: Notifications) -> None:
        self._api = InternalApi(client, "Notify", frozenset({404, 422}))
        self._notifications = notifications

    async def send(self, caller: Principal, command: notify.SendCampaign) -> Any:
        """Send, wait for notify's verdict (a refusal is an ApiError), and show the outcome."""
        await self._notifications.run(caller, command.shop_id, command)
        return await self.read(caller, f"/campaigns/{command.campaign_id}", recipients=False)

    async def cancel(self, caller: Principal, command: notify.CancelCampaign) -> Any:
        await self._notifications.run(caller, command.shop_id, command)
        return await self.read(caller, f"/campaigns/{command.campaign_id}", recipients=False)

    async def read(self, caller: Principal, path: str, **params: Any) -> Any:
        return await self._api.of_shop(caller, path, params=params)

    async def preview(self, caller: Principal, segment: dict[str, Any], limit: int) -> Any:
        return await self._api.of_shop(
            caller, "/segments/preview", "POST", json={"segment": segment, "limit": limit}
        )
