"""Signed commands: writing to a command topic is not a way in.

Every record a service puts on Kafka carries an HMAC-SHA256 of its value (the whole
envelope: type, tenant, the acting principal in `data.actor`, the payload) in the
`ce_signature` header, made with the command-signing key the services share. A command
consumer obeys only a record whose signature matches; anything else is dead-lettered
with the reason and never answered, so a forged command changes nothing and tells its
writer nothing. During a key rotation the previous key is accepted as well.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

from .faults import PermanentError

SIGNATURE_HEADER = "ce_signature"
_SCHEME = b"hmac-sha256="


class Unsigned(PermanentError):
    """A command without a valid signature: never carried out."""


class CommandSigner:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys or not keys[0]:
            raise ValueError("a command signer needs a key")
        self._keys = [key.encode() for key in keys]

    def header(self, value: bytes) -> tuple[str, bytes]:
        """The signature header for a record with this value, made with the current key."""
        return SIGNATURE_HEADER, _SCHEME + self._digest(self._keys[0], value)

    def check(self, value: bytes, headers: Iterable[tuple[str, bytes]] | None) -> None:
        """Raise Unsigned unless the record carries a signature of its value by a known key."""
        given = [v for k, v in headers or () if k == SIGNATURE_HEADER]
        if not given:
            raise Unsigned("the command is not signed")
        if len(given) > 1 or not given[0].startswith(_SCHEME):
            raise Unsigned("the command's signature is malformed")
        digest = given[0][len(_SCHEME) :]
        if not any(hmac.compare_digest(digest, self._digest(key, value)) for key in self._keys):
            raise Unsigned("the command's signature does not match")

    @staticmethod
    def _digest(key: bytes, value: bytes) -> bytes:
        return hmac.new(key, value, hashlib.sha256).hexdigest().encode()
