"""End-to-end fixtures: the real services as processes, reached like a client app would."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from frontdesk_local.system import System
from jwt.algorithms import OKPAlgorithm

from .client import Api
from .otlp_receiver import OtlpReceiver

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
# The gateways' token key, made for this run (tests sign their own expired or short-lived tokens).
SIGNING_KEY = Ed25519PrivateKey.generate()
KID = f"e2e-{uuid.uuid4().hex[:8]}"
JWT_KEYS = json.dumps({"keys": [{**OKPAlgorithm.to_jwk(SIGNING_KEY, as_dict=True), "kid": KID}]})
CONSOLE_ORIGIN = "https://console.frontdesk.test"  # a web app allowed in a browser
CONSOLE_PORT = 27100  # where tests/test_console.py serves the staff console, also allowed
# The local coturn tests/test_calls.py starts (deploy/local/stack.sh coturn-start) and the
# secret it shares with the gateways, which sign each call's TURN credentials with it.
TURN_PORT = 21300
TURN_SECRET = "frontdesk-test-turn-secret"


def sign_token(claims: dict[str, Any], key: Ed25519PrivateKey = SIGNING_KEY) -> str:
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": KID})


@pytest.fixture(scope="session")
def attachments_dir(endpoints) -> Path:
    """Where this run's gateways keep attachment bytes."""
    return ROOT / ".local" / "test-attachments" / endpoints.namespace.rstrip(".")


@pytest.fixture(scope="session")
def otlp() -> Iterator[OtlpReceiver]:
    """Where every service of the run exports its spans, as to a collector."""
    receiver = OtlpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def system(endpoints, attachments_dir, otlp) -> Iterator[System]:
    prefix = endpoints.namespace.rstrip(".")
    system = System(
        env=endpoints.env(
            FRONTDESK_ENVIRONMENT="development",
            FRONTDESK_JWT_KEYS=JWT_KEYS,
            FRONTDESK_SOCKET_AUTH_SECONDS="10",  # the default: 300 sockets at once on a busy CI machine
            FRONTDESK_SENDS_PER_SECOND="1000",
            FRONTDESK_REPLY_TIMEOUT_SECONDS="15",
            FRONTDESK_RECALL_WINDOW_SECONDS="5",
            FRONTDESK_CHAT_ALERT_DELAY_SECONDS="5",
            FRONTDESK_WAITLIST_HOLD_SECONDS="10",  # a waitlist offer runs out in a test's time
            FRONTDESK_LOG_LEVEL="INFO",
            FRONTDESK_ATTACHMENTS_DIR=str(attachments_dir),
            # every test client comes from 127.0.0.1 and Redis outlives a run
            FRONTDESK_PASSWORD_RESETS_PER_IP_PER_HOUR="10000",
            FRONTDESK_CORS_ORIGINS=f"{CONSOLE_ORIGIN},http://127.0.0.1:{CONSOLE_PORT}",
            FRONTDESK_OTLP_ENDPOINT=otlp.endpoint,
            OTEL_BSP_SCHEDULE_DELAY="200",  # spans reach the receiver within a test's wait
            # test mode: webhook receivers on http://127.0.0.1, retried in seconds rather than a day
            FRONTDESK_WEBHOOKS_ALLOW_LOOPBACK="true",
            FRONTDESK_WEBHOOK_RETRY_SECONDS="[0.5,0.5,0.5]",
            FRONTDESK_TURN_URLS=f"turn:127.0.0.1:{TURN_PORT}?transport=udp",
            FRONTDESK_TURN_SECRET=TURN_SECRET,
            FRONTDESK_CALL_RING_SECONDS="6",  # a call nobody answers is missed within a test's wait
        ),
        log_dir=ROOT / ".local" / "test-logs" / prefix,
        database_prefix=prefix,
        random_ports=True,
    )
    try:
        system.start_all()
        system.start("gateway", instance="2")
        yield system
    finally:
        system.stop_all()
        shutil.rmtree(attachments_dir, ignore_errors=True)


@pytest.fixture
async def api(system) -> AsyncIterator[Api]:
    async with Api(system.url("gateway")) as client:
        yield client


@pytest.fixture
async def api2(system) -> AsyncIterator[Api]:
    """The second gateway instance."""
    async with Api(system.url("gateway-2")) as client:
        yield client
