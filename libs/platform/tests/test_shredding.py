"""Sealed text opens with its key and only with it; a destroyed key leaves nothing to read."""

from uuid import uuid4

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from frontdesk_platform.shredding import ERASED, CustomerKey, is_sealed, open_sealed


def a_key() -> CustomerKey:
    return CustomerKey(uuid4(), AESGCM.generate_key(bit_length=256))


def test_sealed_text_holds_no_plaintext_and_opens_with_its_key():
    key = a_key()
    sealed = key.seal("我家旺财住在幸福路8号")
    assert is_sealed(sealed) and "旺财" not in sealed
    assert open_sealed(sealed, {key.key_id: key.key}) == "我家旺财住在幸福路8号"
    assert key.seal("same") != key.seal("same")  # a fresh nonce each time


def test_a_destroyed_or_other_key_reads_as_erased():
    key, other = a_key(), a_key()
    sealed = key.seal("旺财")
    assert open_sealed(sealed, {key.key_id: None}) == ERASED
    assert open_sealed(sealed, {}) == ERASED
    assert open_sealed(sealed, {key.key_id: other.key}) == ERASED


def test_text_stored_before_sealing_began_reads_as_it_is():
    assert open_sealed("plain old text", {}) == "plain old text"
