"""Public keys that verify access tokens, for services that trust the gateway's tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["auth"])


@router.get(
    "/v1/.well-known/jwks.json",
    summary="The public keys that verify access tokens (a JSON Web Key Set)",
    response_model=dict[str, list[dict[str, Any]]],
)
async def jwks(request: Request) -> JSONResponse:
    # Short cache: a key added for a rotation reaches verifiers well before it signs.
    return JSONResponse(request.app.state.issuer.public_keys(), headers={"cache-control": "max-age=300"})
