"""Internal APIs answer only other Frontdesk services.

Every path under /internal needs `Authorization: Bearer <service token>` (the
FRONTDESK_SERVICE_TOKEN every service shares; ServiceSettings.service_headers() makes the
header for callers). The check sits in front of the routes, by path, so a new internal
route is protected without anyone remembering to; /health and /metrics stay open.
"""

from __future__ import annotations

import hmac

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import error_body

INTERNAL_PREFIX = "/internal"


class ServiceCredential:
    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_internal(scope["path"]) and not self._holds_token(scope):
            refusal = JSONResponse(
                error_body("service_credential_required", "Internal APIs answer only Frontdesk services."),
                status_code=401,
                headers={"www-authenticate": "Bearer"},
            )
            await refusal(scope, receive, send)
            return
        await self._app(scope, receive, send)

    def _holds_token(self, scope: Scope) -> bool:
        given = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        return hmac.compare_digest(given, self._expected)


def _is_internal(path: str) -> bool:
    return path == INTERNAL_PREFIX or path.startswith(INTERNAL_PREFIX + "/")
