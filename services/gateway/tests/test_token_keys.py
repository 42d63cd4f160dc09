"""Token keys: rotation by kid, verification with public keys alone, and no algorithm tricks."""

import base64
import hashlib
import hmac
import json
import stat
from datetime import UTC, datetime
from uuid import uuid4

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from frontdesk_gateway.config import GatewaySettings
from frontdesk_gateway.identity.key_source import configured_key_ring
from frontdesk_gateway.identity.keys import KeysRefused, key_ring, new_private_jwk, secret_jwk
from frontdesk_gateway.identity.tokens import InvalidToken, TokenIssuer
from jwt.algorithms import ECAlgorithm

NOW = datetime.now(UTC)
OLD, NEW = new_private_jwk(), new_private_jwk()
PUBLISHED_DEV_SECRET = "frontdesk-dev-secret-change-me-in-production-0123456789"


def issuer(*keys: dict[str, str], signing_kid: str = "") -> TokenIssuer:
    return TokenIssuer(key_ring({"keys": list(keys)}, signing_kid), 900)


def public(jwk: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in jwk.items() if name != "d"}


def token_of(signer: TokenIssuer) -> str:
    return signer.issue_access(uuid4(), uuid4(), "owner", NOW)[0]


def refused(verifier: TokenIssuer, token: str) -> str:
    with pytest.raises(InvalidToken) as refusal:
        verifier.verify(token)
    return refusal.value.code


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict[str, str], claims: dict[str, object], sign: bytes | None = None) -> str:
    """A token an attacker writes by hand (PyJWT would refuse to sign some of these)."""
    body = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(sign, body.encode(), hashlib.sha256).digest() if sign is not None else b""
    return f"{body}.{b64(signature)}"


def test_a_token_from_the_retiring_key_works_during_a_rotation_and_not_after():
    before = issuer(OLD)
    old_token = token_of(before)
    during = issuer(OLD, NEW, signing_kid=NEW["kid"])
    assert during.verify(old_token)
    new_token = token_of(during)
    assert jwt.get_unverified_header(new_token)["kid"] == NEW["kid"]
    assert issuer(NEW, public(OLD)).verify(old_token)  # the retiring key may stay as its public half
    after = issuer(NEW)
    assert refused(after, old_token) == "invalid_token"
    assert after.verify(new_token)


def test_another_service_verifies_tokens_with_the_published_public_keys_alone():
    gateway = issuer(OLD, NEW, signing_kid=NEW["kid"])
    published = gateway.public_keys()
    assert [k["kid"] for k in published["keys"]] == [OLD["kid"], NEW["kid"]]
    assert all("d" not in k and "k" not in k for k in published["keys"])
    token = token_of(gateway)
    key = jwt.PyJWKSet.from_dict(published)[NEW["kid"]]
    claims = jwt.decode(token, key, algorithms=["EdDSA"], audience="frontdesk")
    assert claims["role"] == "owner"


def test_es256_keys_sign_and_verify_and_other_curves_are_refused():
    p256: dict[str, str] = ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()), as_dict=True)
    gateway = issuer({**p256, "kid": "p256"})
    assert jwt.get_unverified_header(token_of(gateway))["alg"] == "ES256"
    assert gateway.verify(token_of(gateway)).role == "owner"
    p384: dict[str, str] = ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP384R1()), as_dict=True)
    with pytest.raises(KeysRefused, match="P-256"):
        issuer({**p384, "kid": "p384"})


def test_a_token_naming_no_key_or_an_unknown_key_is_refused():
    stranger = token_of(issuer(new_private_jwk()))
    assert refused(issuer(OLD), stranger) == "invalid_token"
    no_kid = jwt.encode({"sub": str(uuid4())}, "x" * 32, algorithm="HS256")
    assert refused(issuer(OLD), no_kid) == "invalid_token"


def test_alg_none_and_a_public_key_used_as_an_hmac_secret_are_refused():
    gateway = issuer(OLD)
    claims = jwt.decode(token_of(gateway), options={"verify_signature": False})
    assert refused(gateway, handmade({"alg": "none", "kid": OLD["kid"]}, claims)) == "invalid_token"
    # The public key is public: an HS256 token keyed with it must not pass as ours.
    published = json.dumps(gateway.public_keys()["keys"][0]).encode()
    raw_public = base64.urlsafe_b64decode(OLD["x"] + "==")
    for secret in (published, raw_public, OLD["x"].encode()):
        forged = handmade({"alg": "HS256", "kid": OLD["kid"], "typ": "JWT"}, claims, secret)
        assert refused(gateway, forged) == "invalid_token"


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        (PUBLISHED_DEV_SECRET, "published in the repository"),
        ("too-short-a-secret", "too short"),
        ("e2e-secret-" + "x" * 40, "too repetitive"),
    ],
)
def test_weak_or_published_secrets_are_refused_in_production(secret, why):
    settings = GatewaySettings(environment="production", jwt_secret=secret)
    with pytest.raises(KeysRefused, match=why) as refusal:
        configured_key_ring(settings)
    assert "FRONTDESK_JWT_SECRET" in str(refusal.value)
    with pytest.raises(KeysRefused, match=why):
        key_ring({"keys": [secret_jwk(secret.encode(), "hs")]})


def test_production_without_keys_refuses_and_names_the_settings(tmp_path):
    settings = GatewaySettings(environment="production", dev_keys_file=str(tmp_path / "dev.json"))
    with pytest.raises(KeysRefused) as refusal:
        configured_key_ring(settings)
    assert "FRONTDESK_JWT_KEYS" in str(refusal.value) and "FRONTDESK_ENVIRONMENT" in str(refusal.value)
    assert not (tmp_path / "dev.json").exists()


def test_the_environment_defaults_to_production(monkeypatch):
    monkeypatch.delenv("FRONTDESK_ENVIRONMENT", raising=False)
    assert GatewaySettings().environment == "production"


def test_development_makes_one_private_key_per_machine_shared_by_every_gateway(tmp_path):
    path = tmp_path / ".local" / "dev-jwt-keys.json"
    settings = GatewaySettings(environment="development", dev_keys_file=str(path))
    first, second = configured_key_ring(settings), configured_key_ring(settings)
    assert first.signing.kid == second.signing.kid and first.signing.algorithm == "EdDSA"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = TokenIssuer(first, 900).issue_access(uuid4(), uuid4(), "staff", NOW)[0]
    assert TokenIssuer(second, 900).verify(token).role == "staff"


def test_configured_keys_come_inline_or_from_a_file_and_a_strong_secret_still_works(tmp_path):
    jwks = json.dumps({"keys": [public(OLD), NEW]})
    inline = configured_key_ring(GatewaySettings(environment="production", jwt_keys=jwks))
    (tmp_path / "keys.json").write_text(jwks)
    from_file = configured_key_ring(
        GatewaySettings(environment="production", jwt_keys_file=str(tmp_path / "keys.json"))
    )
    assert inline.signing.kid == from_file.signing.kid == NEW["kid"]  # OLD is public only: cannot sign
    secret = configured_key_ring(GatewaySettings(environment="production", jwt_secret=b64(bytes(range(40)))))
    assert secret.signing.algorithm == "HS256" and secret.public_jwks() == {"keys": []}
    with pytest.raises(KeysRefused, match="not both"):
        configured_key_ring(GatewaySettings(jwt_keys=jwks, jwt_secret=b64(bytes(range(40)))))
    with pytest.raises(KeysRefused, match="FRONTDESK_JWT_SIGNING_KID"):
        configured_key_ring(GatewaySettings(jwt_keys=jwks, jwt_signing_kid=OLD["kid"]))
