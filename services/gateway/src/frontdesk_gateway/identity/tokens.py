"""Short-lived JWT access tokens and opaque, rotating refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from uuid import UUID

import jwt

from .keys import KeyRing, TokenKey

Role = Literal["owner", "staff", "customer"]
AUDIENCE = "frontdesk"
EPOCH = datetime.fromtimestamp(0, UTC)


@dataclass(frozen=True)
class Principal:
    """The verified caller of a request or socket."""

    user_id: UUID
    shop_id: UUID
    role: Role
    expires_at: datetime
    # When the token was issued, to the microsecond: sessions revoked after it end it.
    issued_at: datetime = EPOCH

    @property
    def is_staff(self) -> bool:
        return self.role in ("owner", "staff")


class InvalidToken(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


VERIFIED_KEPT = 20_000  # tokens whose signature was checked, kept until they expire


class TokenIssuer:
    def __init__(
        self, keys: KeyRing, access_seconds: int, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._keys = keys
        self._access = timedelta(seconds=access_seconds)
        self._clock = clock
        # token -> (principal, the key that verified it): a client sends the same token with
        # every request until it expires, and checking its signature is most of a small
        # request's CPU. A token is kept only as long as the key that signed it.
        self._verified: dict[str, tuple[Principal, TokenKey]] = {}

    def issue_access(self, user_id: UUID, shop_id: UUID, role: Role, now: datetime) -> tuple[str, datetime]:
        expires = now + self._access
        claims = {
            "sub": str(user_id),
            "shop": str(shop_id),
            "role": role,
            # Sub-second, so "sign out everywhere" then signing in again within the same
            # second leaves the new token working (RFC 7519 allows a non-integer NumericDate).
            "iat": now.timestamp(),
            "exp": int(expires.timestamp()),
            "aud": AUDIENCE,
        }
        key = self._keys.signing
        return jwt.encode(claims, key.signer, algorithm=key.algorithm, headers={"kid": key.kid}), expires

    def public_keys(self) -> dict[str, list[dict[str, str]]]:
        """The JWKS other services verify tokens with (an HS256 secret is never in it)."""
        return self._keys.public_jwks()

    def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None:
            principal, checked_by = known
            if self._keys.verifying.get(checked_by.kid) is checked_by:
                if self._clock() >= principal.expires_at:
                    del self._verified[token]
                    raise InvalidToken("token_expired", "The access token has expired; refresh it.")
                return principal
            del self._verified[token]
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.verifying.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise jwt.InvalidTokenError("the token names no key of ours")
            # Only the algorithm of the key the token names: a token cannot pick "none", nor
            # HS256 with a public key as its secret.
            claims = jwt.decode(
                token,
                key.verifier,
                algorithms=[key.algorithm],
                audience=AUDIENCE,
                options={"require": ["exp", "sub", "shop", "role"]},
            )
            principal = Principal(
                UUID(claims["sub"]),
                UUID(claims["shop"]),
                claims["role"],
                datetime.fromtimestamp(claims["exp"], UTC),
                datetime.fromtimestamp(float(claims.get("iat", 0)), UTC),
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token_expired", "The access token has expired; refresh it.") from exc
        except (jwt.InvalidTokenError, ValueError, KeyError) as exc:
            raise InvalidToken("invalid_token", "The access token is not valid.") from exc
        if len(self._verified) >= VERIFIED_KEPT:
            del self._verified[next(iter(self._verified))]  # the oldest goes
        self._verified[token] = (principal, key)
        return principal


def new_refresh_token() -> tuple[str, str]:
    """A refresh token and the hash stored for it (the token itself is never stored)."""
    token = secrets.token_urlsafe(32)
    return token, refresh_token_hash(token)


def refresh_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
