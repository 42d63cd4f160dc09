from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import pytest
from frontdesk_gateway.identity.keys import key_ring, new_private_jwk
from frontdesk_gateway.identity.passwords import hash_password, verify_password
from frontdesk_gateway.identity.tokens import InvalidToken, TokenIssuer

NOW = datetime.now(UTC)
OURS = key_ring({"keys": [new_private_jwk()]})
THEIRS = key_ring({"keys": [{**new_private_jwk(), "kid": OURS.signing.kid}]})  # same kid, other key


def test_an_issued_token_names_the_caller_shop_and_role():
    issuer = TokenIssuer(OURS, 900)
    user, shop = uuid4(), uuid4()
    token, expires = issuer.issue_access(user, shop, "staff", NOW)
    principal = issuer.verify(token)
    assert (principal.user_id, principal.shop_id, principal.role) == (user, shop, "staff")
    assert principal.is_staff and expires - NOW == timedelta(seconds=900)


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (
            TokenIssuer(OURS, 900).issue_access(uuid4(), uuid4(), "owner", NOW - timedelta(hours=1))[0],
            "token_expired",
        ),
        (TokenIssuer(THEIRS, 900).issue_access(uuid4(), uuid4(), "owner", NOW)[0], "invalid_token"),
        ("not.a.jwt", "invalid_token"),
    ],
    ids=["expired", "forged", "garbage"],
)
def test_expired_forged_and_garbage_tokens_are_refused(token, code):
    with pytest.raises(InvalidToken) as refused:
        TokenIssuer(OURS, 900).verify(token)
    assert refused.value.code == code


def test_a_tampered_role_claim_breaks_the_signature():
    issuer = TokenIssuer(OURS, 900)
    token, _ = issuer.issue_access(uuid4(), uuid4(), "customer", NOW)
    header, payload, signature = token.split(".")
    forged = ".".join([header, payload[:-4] + "AAAA", signature])
    with pytest.raises(InvalidToken):
        issuer.verify(forged)


def test_a_token_is_checked_once_and_still_expires_on_time(monkeypatch):
    # a client sends the same token with every request: its signature is checked the first
    # time only, and it stops working at its expiry all the same
    now = [NOW]
    issuer = TokenIssuer(OURS, 900, clock=lambda: now[0])
    token, expires = issuer.issue_access(uuid4(), uuid4(), "customer", NOW)
    checked = []
    decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: checked.append(1) or decode(*a, **k))
    first, again = issuer.verify(token), issuer.verify(token)
    assert first == again and len(checked) == 1
    now[0] = expires
    with pytest.raises(InvalidToken) as refused:
        issuer.verify(token)
    assert refused.value.code == "token_expired"


def test_a_token_checked_by_a_key_no_longer_ours_is_checked_again():
    issuer = TokenIssuer(OURS, 900)
    token, _ = issuer.issue_access(uuid4(), uuid4(), "owner", NOW)
    issuer.verify(token)
    issuer._keys = THEIRS  # the key ring changed: same kid, another key
    with pytest.raises(InvalidToken) as refused:
        issuer.verify(token)
    assert refused.value.code == "invalid_token"


def test_passwords_are_hashed_with_argon2id_and_checked():
    stored = hash_password("a long password")
    assert stored.startswith("$argon2id$") and "a long password" not in stored
    assert verify_password(stored, "a long password")
    assert not verify_password(stored, "a wrong password")
    assert not verify_password(None, "a long password")
