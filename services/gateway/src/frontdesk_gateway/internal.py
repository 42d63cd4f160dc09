"""Calls from the gateway to a service's internal API.

The service's own answer for the caller's mistakes (the statuses in `passed_through`,
e.g. 404 or 422) reaches the caller with its code and message; a service that cannot be
reached is 503 `service_unavailable`, any other refusal 502 `upstream_error`.
"""

from __future__ import annotations

from typing import Any

import httpx
from frontdesk_platform.errors import ApiError

from .identity.tokens import Principal


class InternalApi:
    def __init__(
        self, client: httpx.AsyncClient, label: str, passed_through: frozenset[int] = frozenset()
    ) -> None:
        self._client = client
        self._label = label  # how errors name the service: "Booking", "The assistant"
        self._passed_through = passed_through

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(503, "service_unavailable", f"{self._label} is unavailable; retry.") from exc
        if response.status_code in self._passed_through:
            error = response.json().get("error", {})
            raise ApiError(response.status_code, error.get("code", "not_found"), error.get("message", ""))
        if response.status_code >= 400:
            raise ApiError(502, "upstream_error", f"{self._label} refused the request.")
        return response.json()

    async def of_shop(self, caller: Principal, path: str, method: str = "GET", **kwargs: Any) -> Any:
        """A call about the caller's own shop: the shop is always the caller's."""
        return await self.request(method, f"/internal/shops/{caller.shop_id}{path}", **kwargs)
