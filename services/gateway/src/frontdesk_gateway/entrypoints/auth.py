"""Who is calling: the bearer token of a request, or the token a socket presents."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from frontdesk_platform.errors import ApiError

from ..identity.tokens import InvalidToken, Principal, TokenIssuer

_bearer = HTTPBearer(auto_error=False, description="The access token from /v1/auth/token.")


def principal_from_token(issuer: TokenIssuer, token: str | None) -> Principal:
    if not token:
        raise ApiError(401, "unauthorized", "Send an access token: Authorization: Bearer <token>.")
    try:
        return issuer.verify(token)
    except InvalidToken as exc:
        raise ApiError(401, exc.code, exc.message) from exc


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return principal_from_token(request.app.state.issuer, credentials.credentials if credentials else None)


Caller = Annotated[Principal, Depends(current_principal)]
