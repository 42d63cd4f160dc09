"""End-to-end fixtures: the real services as processes, reached like a client app would."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from frontdesk_local.system import System

from .client import Api

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
JWT_SECRET = "e2e-secret-" + "x" * 40
CONSOLE_ORIGIN = "https://console.frontdesk.test"  # the one web app allowed in a browser


@pytest.fixture(scope="session")
def attachments_dir(endpoints) -> Path:
    """Where this run's gateways keep attachment bytes."""
    return ROOT / ".local" / "test-attachments" / endpoints.namespace.rstrip(".")


@pytest.fixture(scope="session")
def system(endpoints, attachments_dir) -> Iterator[System]:
    prefix = endpoints.namespace.rstrip(".")
    system = System(
        env=endpoints.env(
            FRONTDESK_JWT_SECRET=JWT_SECRET,
            FRONTDESK_SENDS_PER_SECOND="1000",
            FRONTDESK_REPLY_TIMEOUT_SECONDS="15",
            FRONTDESK_RECALL_WINDOW_SECONDS="5",
            FRONTDESK_CHAT_ALERT_DELAY_SECONDS="5",
            FRONTDESK_LOG_LEVEL="INFO",
            FRONTDESK_ATTACHMENTS_DIR=str(attachments_dir),
            FRONTDESK_CORS_ORIGINS=CONSOLE_ORIGIN,
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
