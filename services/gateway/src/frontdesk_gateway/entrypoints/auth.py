"""Who is calling: the bearer token of a request, or the token a socket presents."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from frontdesk_platform.errors import ApiError

from ..identity.api_keys import PREFIX, ApiKeys
from ..identity.revocations import Revocations
from ..identity.tokens import InvalidToken, Principal, TokenIssuer

_bearer = HTTPBearer(
    auto_error=False, description="The access token from /v1/auth/token, or an integration's API key (fdk_…)."
)


async def verified_principal(issuer: TokenIssuer, revocations: Revocations, token: str) -> Principal:
    """The caller a token names, unless it is forged, expired or its sessions were ended."""
    principal = issuer.verify(token)
    if await revocations.is_revoked(principal.user_id, principal.issued_at):
        raise InvalidToken("token_revoked", "This session was ended; sign in again.")
    return principal


async def principal_from_token(request: Request, token: str | None) -> Principal:
    if not token:
        raise ApiError(401, "unauthorized", "Send an access token: Authorization: Bearer <token>.")
    try:
        if token.startswith(PREFIX):
            keys: ApiKeys = request.app.state.api_keys
            return await keys.principal(token, request.method)
        return await verified_principal(request.app.state.issuer, request.app.state.revocations, token)
    except InvalidToken as exc:
        raise ApiError(403 if exc.code == "api_key_scope" else 401, exc.code, exc.message) from exc


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return await principal_from_token(request, credentials.credentials if credentials else None)


Caller = Annotated[Principal, Depends(current_principal)]


def own_shop(caller: Principal, shop_id: UUID) -> None:
    """A shop's routes answer only its own people; another shop is one that does not exist."""
    if caller.shop_id != shop_id:
        raise ApiError(404, "shop_not_found", "No such shop.")
