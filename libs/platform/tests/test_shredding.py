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


def test_an_events_nested_fields_and_lists_are_sealed_and_open_as_empty_once_the_key_is_gone():
    from frontdesk_platform.shredding import open_fields, seal_fields, sealed_key_ids

    key = a_key()
    paths = [("note",), ("profile", "name"), ("profile", "allergies"), ("profile", "missing")]
    data = {"note": "怕吹风机", "profile": {"name": "旺财", "allergies": ["chicken"], "species": "dog"}}
    sealed = seal_fields(data, paths, key)
    assert "旺财" not in str(sealed) and "chicken" not in str(sealed) and "dog" in str(sealed)
    assert data["profile"]["name"] == "旺财"  # the event's own data is left as it was
    assert sealed_key_ids(sealed, paths) == {key.key_id}
    lists = [("profile", "allergies")]
    assert open_fields(sealed, paths, {key.key_id: key.key}, lists) == data
    erased = open_fields(sealed, paths, {key.key_id: None}, lists)
    assert erased == {"note": "", "profile": {"name": "", "allergies": [], "species": "dog"}}
    assert seal_fields({"note": ""}, paths, key) == {"note": ""}  # nothing to seal
