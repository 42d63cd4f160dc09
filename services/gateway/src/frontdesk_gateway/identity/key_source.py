"""Where the gateway's token keys come from: its settings, or in development a key made
once for the machine (never one committed to the repository)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from ..config import GatewaySettings
from .keys import KeyRing, KeysRefused, key_ring, new_private_jwk, secret_key_ring

log = logging.getLogger(__name__)

NO_KEYS = (
    "no access-token signing key is configured, and FRONTDESK_ENVIRONMENT is production. "
    "Set FRONTDESK_JWT_KEYS (or FRONTDESK_JWT_KEYS_FILE) to a JSON Web Key Set "
    "(`python -m frontdesk_gateway new-jwt-key` prints one), or FRONTDESK_JWT_SECRET to at least "
    "32 random bytes; or set FRONTDESK_ENVIRONMENT=development on a developer machine."
)


def configured_key_ring(settings: GatewaySettings) -> KeyRing:
    """The gateway's keys; raises KeysRefused (naming the setting) for missing or weak keys."""
    given = [
        name
        for name, value in (
            ("FRONTDESK_JWT_KEYS", settings.jwt_keys),
            ("FRONTDESK_JWT_KEYS_FILE", settings.jwt_keys_file),
            ("FRONTDESK_JWT_SECRET", settings.jwt_secret),
        )
        if value
    ]
    if len(given) > 1:
        raise KeysRefused(f"set one of {' and '.join(given)}, not both: which keys count would be a guess.")
    if settings.jwt_keys:
        return key_ring(_parse(settings.jwt_keys, "FRONTDESK_JWT_KEYS"), settings.jwt_signing_kid)
    if settings.jwt_keys_file:
        text = _read(Path(settings.jwt_keys_file))
        return key_ring(
            _parse(text, "FRONTDESK_JWT_KEYS_FILE"), settings.jwt_signing_kid, "FRONTDESK_JWT_KEYS_FILE"
        )
    if settings.jwt_secret:
        return secret_key_ring(settings.jwt_secret)
    if settings.environment == "development":
        path = Path(settings.dev_keys_file)
        log.warning("development: access tokens are signed with the key made for this machine in %s", path)
        return key_ring(development_keys(path), setting=str(path))
    raise KeysRefused(NO_KEYS)


def development_keys(path: Path) -> dict[str, Any]:
    """Made on first start and shared by every gateway on the machine (tokens of one work on
    the other)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.draft")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            json.dump({"keys": [new_private_jwk()]}, out)
        try:
            os.link(draft, path)  # two gateways starting at once: the first key made wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return _parse(path.read_text(), str(path))


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise KeysRefused(f"FRONTDESK_JWT_KEYS_FILE: cannot read {path} ({exc.strerror}).") from exc


def _parse(text: str, setting: str) -> dict[str, Any]:
    try:
        jwks = json.loads(text)
    except ValueError as exc:
        raise KeysRefused(f"{setting} is not valid JSON ({exc}).") from exc
    if not isinstance(jwks, dict):
        raise KeysRefused(f'{setting} must be a JSON Web Key Set: {{"keys": [...]}}.')
    return jwks
