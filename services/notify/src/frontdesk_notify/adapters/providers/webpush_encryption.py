"""Message encryption for Web Push (RFC 8291) in the aes128gcm content coding (RFC 8188),
and the VAPID key (RFC 8292). Only the push subscription's browser can read the payload:
the push service in between sees ciphertext."""

from __future__ import annotations

import base64
import os
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

RECORD_SIZE = 4096
# One record, no padding: header (salt 16, rs 4, idlen 1, keyid 65), the 0x02 delimiter and
# the 16-byte tag leave this much for the payload in the 4096 bytes every push service takes.
MAX_PLAINTEXT = RECORD_SIZE - (16 + 4 + 1 + 65) - 1 - 16


class PayloadTooLarge(ValueError):
    pass


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode("ascii")


def public_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def load_vapid_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A PEM private key, or the raw 32-byte P-256 scalar in base64url."""
    if "-----BEGIN" in text:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        key = ec.derive_private_key(int.from_bytes(b64url_decode(text.strip()), "big"), ec.SECP256R1())
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("the VAPID key must be a P-256 (prime256v1) key")
    return key


def encrypt(plaintext: bytes, receiver_key: bytes, auth_secret: bytes) -> bytes:
    """The request body: the aes128gcm header, then a single encrypted record.

    `receiver_key` is the subscription's p256dh (uncompressed point), `auth_secret` its auth."""
    if len(plaintext) > MAX_PLAINTEXT:
        raise PayloadTooLarge(f"{len(plaintext)} bytes; a push message holds at most {MAX_PLAINTEXT}")
    receiver = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), receiver_key)
    sender = ec.generate_private_key(ec.SECP256R1())
    sender_key = public_bytes(sender.public_key())
    shared_secret = sender.exchange(ec.ECDH(), receiver)

    key_info = b"WebPush: info\x00" + receiver_key + sender_key
    ikm = _hkdf(salt=auth_secret, ikm=shared_secret, info=key_info, length=32)
    salt = os.urandom(16)
    content_key = _hkdf(salt=salt, ikm=ikm, info=b"Content-Encoding: aes128gcm\x00", length=16)
    nonce = _hkdf(salt=salt, ikm=ikm, info=b"Content-Encoding: nonce\x00", length=12)

    record = AESGCM(content_key).encrypt(nonce, plaintext + b"\x02", None)
    header = salt + struct.pack("!IB", RECORD_SIZE, len(sender_key)) + sender_key
    return header + record


def _hkdf(*, salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)
