import json
import sys

from frontdesk_platform.cli import run_service
from frontdesk_platform.settings import ServiceSettings

from .bootstrap import MIGRATIONS, create_app
from .config import GatewaySettings
from .identity.key_source import configured_key_ring
from .identity.keys import KeyRing, KeysRefused, new_private_jwk


async def new_jwt_key(_: ServiceSettings) -> None:
    """Print a new Ed25519 signing key as a JWKS (for FRONTDESK_JWT_KEYS; docs/security.md)."""
    print(json.dumps({"keys": [new_private_jwk()]}))


def main() -> None:
    settings = GatewaySettings()
    keys: KeyRing | None = None
    if sys.argv[1:2] in ([], ["serve"]):
        try:  # before migrations: a gateway that cannot protect its tokens does nothing at all
            keys = configured_key_ring(settings)
        except KeysRefused as exc:
            sys.exit(f"gateway refuses to start: {exc}")
    run_service(
        settings, lambda: create_app(settings, keys=keys), MIGRATIONS, extras={"new-jwt-key": new_jwt_key}
    )


if __name__ == "__main__":
    main()
