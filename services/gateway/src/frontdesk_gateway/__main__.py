import json
import sys
from pathlib import Path
from typing import Any

from frontdesk_platform.cli import run_service
from frontdesk_platform.settings import ServiceSettings

from .bootstrap import MIGRATIONS, create_app
from .config import GatewaySettings
from .identity.key_source import configured_key_ring
from .identity.keys import KeyRing, KeysRefused, key_ring, new_private_jwk
from .memory_trace import trace_memory_on_signal


async def new_jwt_key(_: ServiceSettings) -> None:
    """Print a new Ed25519 signing key as a JWKS (for FRONTDESK_JWT_KEYS; docs/security.md)."""
    print(json.dumps({"keys": [new_private_jwk()]}))


async def openapi(settings: ServiceSettings) -> None:
    """Print the public API's OpenAPI document, as the ops port serves it, without starting
    anything (clients/typescript generates its REST types from it)."""
    assert isinstance(settings, GatewaySettings)
    # Nothing is served or connected, so no secrets are needed: development settings and a
    # throwaway key (the document depends on neither, and no key file is written).
    local = settings.model_copy(update={"environment": "development"})
    keys = key_ring({"keys": [new_private_jwk()]})
    print(json.dumps(create_app(local, keys=keys).openapi(), ensure_ascii=False, indent=2))


def main() -> None:
    settings = GatewaySettings()
    if settings.trace_memory_file:
        trace_memory_on_signal(Path(settings.trace_memory_file))
    keys: KeyRing | None = None
    if sys.argv[1:2] in ([], ["serve"]):
        try:  # before migrations: a gateway that cannot protect its tokens does nothing at all
            keys = configured_key_ring(settings)
        except KeysRefused as exc:
            sys.exit(f"gateway refuses to start: {exc}")
    run_service(
        settings,
        lambda: create_app(settings, keys=keys),
        MIGRATIONS,
        extras={"new-jwt-key": new_jwt_key, "openapi": openapi},
        server_options=socket_server_options(settings),
    )


def socket_server_options(settings: GatewaySettings) -> dict[str, Any]:
    """How uvicorn holds the sockets, chosen for many idle ones: the sans-I/O websockets
    protocol runs one task per socket and pings from a timer (the legacy one runs four
    tasks); no per-message compression, whose zlib state costs far more than the small
    JSON frames it would save."""
    return {
        "ws": "websockets-sansio",
        "ws_per_message_deflate": False,
        "ws_ping_interval": settings.socket_ping_seconds,
        "ws_ping_timeout": settings.socket_ping_timeout_seconds,
    }


if __name__ == "__main__":
    main()
