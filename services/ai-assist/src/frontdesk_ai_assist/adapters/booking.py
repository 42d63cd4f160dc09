"""The booking service as the assistant uses it: free times and a customer's bookings
from its internal API (scoped by shop), and booking commands on Kafka whose verdict is
awaited on booking.replies (every instance reads every reply; the waiting one takes it).

A command that gets no verdict in time counts as refused (`no_answer`); the assistant
then hands the conversation to a person. Commands are safe to repeat: a hold names its
booking id, and confirming, cancelling or moving twice changes nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

import httpx
from frontdesk_contracts import Contract
from frontdesk_platform.command_client import CommandClient, Refusal, Unanswered

log = logging.getLogger(__name__)
SOURCE = "frontdesk.ai-assist"
LIVE = ("held", "confirmed")


class BookingUnavailable(Exception):
    """Booking's internal API did not answer; the caller hands off."""


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    code: str = ""
    alternatives: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class CustomerBooking:
    booking_id: UUID
    service_id: UUID
    starts_at: datetime
    status: str


class BookingDesk:
    def __init__(self, client: httpx.AsyncClient, commands: CommandClient) -> None:
        self._client = client
        self._commands = commands

    async def free_starts(self, shop_id: UUID, service_id: UUID, day: date) -> list[datetime]:
        params = {"service_id": str(service_id), "from_date": day.isoformat(), "to_date": day.isoformat()}
        page = await self._get(f"/internal/shops/{shop_id}/slots", params)
        return [datetime.fromisoformat(slot["starts_at"]) for slot in page["slots"]]

    async def upcoming(self, shop_id: UUID, customer_id: UUID, now: datetime) -> list[CustomerBooking]:
        params = {"customer_id": str(customer_id), "starts_from": now.isoformat(), "limit": "50"}
        found = await self._get(f"/internal/shops/{shop_id}/bookings", params)
        return sorted(
            (
                CustomerBooking(
                    UUID(b["id"]), UUID(b["service_id"]), datetime.fromisoformat(b["starts_at"]), b["status"]
                )
                for b in found
                if b["status"] in LIVE
            ),
            key=lambda b: b.starts_at,
        )

    async def command(self, shop_id: UUID, key: UUID, payload: Contract) -> Verdict:
        command = self._commands.envelope(
            shop_id, shop_id, payload
        )  # keyed by the shop, as the gateway sends
        try:
            await self._commands.verdict(command)
        except Unanswered:
            log.warning("booking did not answer %s for %s in time", command.type, key)
            return Verdict(False, "no_answer")
        except Refusal as refusal:
            log.info("booking refused %s for %s: %s", command.type, key, refusal.code)
            alternatives = [
                datetime.fromisoformat(a["starts_at"]) for a in refusal.details.get("alternatives") or ()
            ]
            return Verdict(False, refusal.code, alternatives)
        return Verdict(True)

    async def _get(self, path: str, params: dict[str, str]) -> Any:
        try:
            response = await self._client.get(path, params=params)
        except httpx.HTTPError as exc:
            raise BookingUnavailable(str(exc)) from exc
        if response.status_code >= 400:
            raise BookingUnavailable(f"{path}: {response.status_code} {response.text[:200]}")
        return response.json()
