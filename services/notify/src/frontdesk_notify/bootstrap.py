"""Wires the notify service. Its features arrive with their own issues; for now it runs,
holds its database and its Kafka connections, and reports its health."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from frontdesk_platform.runtime import Runtime, service_app

from .config import Settings

MIGRATIONS = str(Path(__file__).parent / "migrations")


def create_app(settings: Settings | None = None) -> FastAPI:
    return service_app(
        Runtime(settings or Settings()),
        title="Frontdesk notify (internal)",
        description="The notify service.",
    )
