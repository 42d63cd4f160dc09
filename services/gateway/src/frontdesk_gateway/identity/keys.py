"""The keys of access tokens: one key signs, every configured key verifies.

A token names its key in the `kid` header, so a rotation is three steps: add the new key
everywhere, sign with it, drop the old key once the last token it signed has expired.
Ed25519 (EdDSA) and P-256 (ES256) keys let other services verify tokens with the public
half alone (published as a JWKS); an HS256 secret is kept for single-gateway setups.
Keys are written as a JSON Web Key Set (RFC 7517), the format other services read too.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt import PyJWK
from jwt.algorithms import OKPAlgorithm
from jwt.exceptions import PyJWKError
from jwt.utils import base64url_encode

SIGNING_ALGORITHMS = ("EdDSA", "ES256", "HS256")
MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key is at least as long as the hash
MIN_DISTINCT_BYTES = 10  # "x" * 40 is long but guessable; any random secret has far more
# Secrets once committed to this repository: everyone who has read it knows them.
PUBLISHED_SECRETS = frozenset({b"frontdesk-dev-secret-change-me-in-production-0123456789"})


class KeysRefused(Exception):
    """The configured keys cannot protect tokens; the message says which setting to fix."""


@dataclass(frozen=True)
class TokenKey:
    kid: str
    algorithm: str
    verifier: Any  # a public key, or the secret for HS256
    signer: Any  # the private key or secret; None for a verification-only key
    public_jwk: dict[str, str] | None  # None for a secret: it is never published


@dataclass(frozen=True)
class KeyRing:
    signing: TokenKey
    verifying: Mapping[str, TokenKey]

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [k.public_jwk for k in self.verifying.values() if k.public_jwk is not None]}


def key_ring(jwks: Mapping[str, Any], signing_kid: str = "", setting: str = "FRONTDESK_JWT_KEYS") -> KeyRing:
    """Parse a JWKS; the key named by signing_kid signs, else the first key that can."""
    entries = jwks.get("keys")
    if not isinstance(entries, list) or not entries:
        raise KeysRefused(f'{setting} must be a JSON Web Key Set: {{"keys": [...]}} with at least one key.')
    keys = [_token_key(entry, setting) for entry in entries]
    verifying = {key.kid: key for key in keys}
    if len(verifying) < len(keys):
        raise KeysRefused(f"{setting}: two keys share a kid; every key needs its own.")
    signers = [key for key in keys if key.signer is not None and (key.kid == signing_kid or not signing_kid)]
    if not signers:
        wanted = f"the key {signing_kid!r} (FRONTDESK_JWT_SIGNING_KID)" if signing_kid else "a private key"
        raise KeysRefused(f"{setting} has no signing key: it needs {wanted} with its private part.")
    return KeyRing(signers[0], verifying)


def secret_key_ring(secret: str) -> KeyRing:
    """FRONTDESK_JWT_SECRET alone: one HS256 key."""
    _check_secret(secret.encode(), "FRONTDESK_JWT_SECRET")
    return key_ring({"keys": [secret_jwk(secret.encode(), "secret")]}, setting="FRONTDESK_JWT_SECRET")


def new_private_jwk(algorithm: str = "EdDSA") -> dict[str, str]:
    """A fresh signing key with a random kid (`python -m frontdesk_gateway new-jwt-key`)."""
    kid = secrets.token_hex(8)
    if algorithm == "HS256":
        return secret_jwk(secrets.token_bytes(MIN_SECRET_BYTES), kid)
    if algorithm != "EdDSA":
        raise KeysRefused(f"new keys are EdDSA or HS256, not {algorithm!r}")
    jwk: dict[str, str] = OKPAlgorithm.to_jwk(Ed25519PrivateKey.generate(), as_dict=True)
    return {**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"}


def secret_jwk(secret: bytes, kid: str) -> dict[str, str]:
    return {"kty": "oct", "kid": kid, "alg": "HS256", "k": base64url_encode(secret).decode()}


def _token_key(entry: Any, setting: str) -> TokenKey:
    if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str) or not entry["kid"]:
        raise KeysRefused(f"{setting}: every key needs a kid (a short name tokens carry).")
    kid = entry["kid"]
    try:
        jwk = PyJWK(entry)
    except PyJWKError as exc:
        raise KeysRefused(f"{setting}: key {kid!r} is not a valid JWK ({exc}).") from exc
    curve_ok = jwk.algorithm_name != "ES256" or entry.get("crv") == "P-256"
    if jwk.algorithm_name not in SIGNING_ALGORITHMS or not curve_ok:
        raise KeysRefused(f"{setting}: key {kid!r} must be Ed25519 (EdDSA), P-256 (ES256) or HS256.")
    if jwk.algorithm_name == "HS256":
        _check_secret(jwk.key, f"{setting}: key {kid!r}")
        return TokenKey(kid, "HS256", jwk.key, jwk.key, None)
    private = isinstance(jwk.key, Ed25519PrivateKey | EllipticCurvePrivateKey)
    public_key = jwk.key.public_key() if private else jwk.key
    public: dict[str, str] = json.loads(jwk.Algorithm.to_jwk(public_key))
    public.update(kid=kid, alg=jwk.algorithm_name, use="sig")
    return TokenKey(kid, jwk.algorithm_name, public_key, jwk.key if private else None, public)


def _check_secret(secret: bytes, where: str) -> None:
    if secret in PUBLISHED_SECRETS:
        raise KeysRefused(
            f"{where} is the development secret published in the repository; anyone can sign with it."
        )
    if len(secret) < MIN_SECRET_BYTES:
        raise KeysRefused(f"{where} is too short: an HS256 secret has at least {MIN_SECRET_BYTES} bytes.")
    if len(set(secret)) < MIN_DISTINCT_BYTES:
        raise KeysRefused(f"{where} is too repetitive to be secret; generate it randomly.")
