"""Secret feed URLs, one per staff member: only a hash of the secret is kept, and making a
new one (rotating) is the only way to change it, so the old URL stops at once."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text


def _hash(secret: str) -> str:
    # The secret is 256 random bits: a plain digest is enough (nothing to guess it from).
    return hashlib.sha256(secret.encode()).hexdigest()


class CalendarFeeds:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork], clock: Callable[[], datetime]) -> None:
        self._uow = unit_of_work
        self._clock = clock

    async def rotate(self, shop_id: UUID, staff_id: UUID) -> str:
        """A new secret for the staff member's feed; the previous one no longer works."""
        secret = secrets.token_urlsafe(32)
        async with self._uow() as uow:
            await uow.session.execute(
                text(
                    "INSERT INTO calendar_feeds (shop_id, staff_id, secret_hash, created_at) "
                    "VALUES (:shop, :staff, :hash, :now) ON CONFLICT (shop_id, staff_id) "
                    "DO UPDATE SET secret_hash = EXCLUDED.secret_hash, created_at = EXCLUDED.created_at"
                ),
                {"shop": shop_id, "staff": staff_id, "hash": _hash(secret), "now": self._clock()},
            )
            await uow.commit()
        return secret

    async def owner_of(self, secret: str) -> tuple[UUID, UUID] | None:
        """(shop id, staff id) whose feed this secret opens, if any."""
        async with self._uow() as uow:
            row = (
                await uow.session.execute(
                    text("SELECT shop_id, staff_id FROM calendar_feeds WHERE secret_hash = :hash"),
                    {"hash": _hash(secret)},
                )
            ).first()
        return (row.shop_id, row.staff_id) if row else None
