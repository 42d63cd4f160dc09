"""The TypeScript SDK (clients/typescript) against the real services: its node tests, and its
REST types checked against the gateway's OpenAPI so they never drift from the server."""

import json
import os
import subprocess

import pytest
from jwt.algorithms import OKPAlgorithm

from .conftest import KID, ROOT, SIGNING_KEY

pytestmark = pytest.mark.e2e
SDK = ROOT / "clients" / "typescript"


def npm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert (SDK / "node_modules").is_dir(), "run `npm ci` in clients/typescript first (make test does)"
    return subprocess.run(
        ["npm", *args],
        cwd=SDK,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_sdk_keeps_its_promises_against_the_real_gateway(system):
    # The node tests sign their own short-lived and expired tokens with this run's key.
    jwk = {**OKPAlgorithm.to_jwk(SIGNING_KEY, as_dict=True), "kid": KID}
    run = npm(
        "test", env={"FRONTDESK_GATEWAY_URL": system.url("gateway"), "FRONTDESK_TEST_JWK": json.dumps(jwk)}
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert "# fail 0" in run.stdout


def test_the_sdk_rest_types_match_the_gateway_openapi(system):
    run = npm("run", "generate", "--", "--check", "--openapi", f"{system.ops_url('gateway')}/openapi.json")
    assert run.returncode == 0, run.stdout + run.stderr
