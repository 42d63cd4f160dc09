"""Audit entries in the gateway's database, keyed by shop; read newest first, paged."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text


@dataclass(frozen=True)
class AuditEntry:
    """One action. Never the request body: no passwords, codes or message text."""

    shop_id: UUID
    actor_id: UUID
    actor_role: str
    action: str  # method and route template: "PUT /v1/shops/{shop_id}/templates/{template_id}"
    operation: str  # the route's name: "save_template"
    status: int
    at: datetime
    target: dict[str, str] = field(default_factory=dict)  # the route's path ids
    request_id: str | None = None
    client_ip: str | None = None


class AuditLog:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self._uow = unit_of_work

    async def record(self, entry: AuditEntry) -> None:
        async with self._uow() as uow:
            await uow.session.execute(
                text(
                    "INSERT INTO audit_log (shop_id, at, actor_id, actor_role, action, operation, target, "
                    "status, request_id, client_ip) VALUES (:shop_id, :at, :actor_id, :actor_role, :action, "
                    ":operation, CAST(:target AS jsonb), :status, :request_id, :client_ip)"
                ),
                {**asdict(entry), "target": json.dumps(entry.target)},
            )
            await uow.commit()

    async def page(
        self,
        shop_id: UUID,
        *,
        actor_id: UUID | None = None,
        action: str | None = None,
        before: int | None = None,
        limit: int = 50,
    ) -> list[dict[str, Any]]:
        """Newest first; `action` matches the route template or the operation's name."""
        async with self._uow() as uow:
            found = await uow.session.execute(
                text(
                    "SELECT id, at, actor_id, actor_role, action, operation, target, status, request_id, "
                    "client_ip FROM audit_log WHERE shop_id = :shop "
                    "AND (CAST(:actor AS uuid) IS NULL OR actor_id = :actor) "
                    "AND (CAST(:action AS text) IS NULL OR action = :action OR operation = :action) "
                    "AND (CAST(:before AS bigint) IS NULL OR id < :before) ORDER BY id DESC LIMIT :n"
                ),
                {"shop": shop_id, "actor": actor_id, "action": action, "before": before, "n": limit},
            )
            return [dict(row) for row in found.mappings()]
