"""Records every successful change a shop's staff or owner makes through the API.

An ASGI middleware rather than a call in each route, so a new route is audited without
anyone remembering to: every POST, PUT, PATCH and DELETE (and any export) answered below
400 whose caller is a staff member or owner becomes an entry, written before the answer
goes out — an action the client saw succeed is in the log. The caller is the bearer
token's; a route without one (sign-in, password reset) names its actor with
`name_actor`. Only the route template and its path ids are kept, never the body.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..identity.tokens import InvalidToken, TokenIssuer
from .log import AuditEntry, AuditLog

log = logging.getLogger(__name__)
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STAFF = frozenset({"owner", "staff"})


@dataclass(frozen=True)
class Actor:
    user_id: UUID
    shop_id: UUID
    role: str


def name_actor(request: Request, user_id: UUID, shop_id: UUID, role: str) -> None:
    """Who acted, for a route that succeeds without a bearer token."""
    request.state.audit_actor = Actor(user_id, shop_id, role)


def client_ip(connection: HTTPConnection) -> str | None:
    return connection.client.host if connection.client else None


class AuditTrail:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _audited(scope):
            await self.app(scope, receive, send)
            return

        async def answering(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                await _record(scope, message)
            await send(message)

        await self.app(scope, receive, answering)


def _audited(scope: Scope) -> bool:
    return scope["method"] in CHANGES or "/export" in scope["path"]


async def _record(scope: Scope, answer: Message) -> None:
    connection = HTTPConnection(scope)
    actor = _actor(connection)
    if actor is None or actor.role not in STAFF:
        return
    route = scope.get("route")
    path = getattr(route, "path", scope["path"])
    target = {name: str(value) for name, value in scope.get("path_params", {}).items()}
    if successor := getattr(route, "successor", None):  # a deprecated alias: one action, one name
        path, target = successor, {"shop_id": str(actor.shop_id), **target}
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in answer.get("headers", [])}
    entry = AuditEntry(
        shop_id=actor.shop_id,
        actor_id=actor.user_id,
        actor_role=actor.role,
        action=f"{scope['method']} {path}",
        operation=getattr(route, "name", ""),
        status=answer["status"],
        at=datetime.now(UTC),
        target=target,
        request_id=headers.get("x-correlation-id"),
        client_ip=client_ip(connection),
    )
    audit: AuditLog = connection.app.state.audit
    try:
        await audit.record(entry)
    except Exception:  # the action is done; losing its entry must not turn it into an error
        log.exception("could not record %s by %s in the audit log", entry.action, entry.actor_id)


def _actor(connection: HTTPConnection) -> Actor | None:
    named: Any = getattr(connection.state, "audit_actor", None)
    if isinstance(named, Actor):
        return named
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    issuer: TokenIssuer = connection.app.state.issuer
    try:
        principal = issuer.verify(token)
    except InvalidToken:
        return None
    return Actor(principal.user_id, principal.shop_id, principal.role)
