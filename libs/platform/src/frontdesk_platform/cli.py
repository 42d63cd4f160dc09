"""The command line every service shares: `serve` (default), `migrate`, and extras."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import uvicorn
from fastapi import FastAPI

from .database import migrate
from .settings import ServiceSettings, UnsafeSettings

Extra = Callable[[ServiceSettings], Coroutine[Any, Any, object]]


def run_service(
    settings: ServiceSettings,
    create_app: Callable[[], FastAPI],
    migrations: str,
    extras: dict[str, Extra] | None = None,
) -> None:
    extras = extras or {}
    parser = argparse.ArgumentParser(prog=f"frontdesk-{settings.service_name}")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate", *extras])
    command = parser.parse_args().command
    if command == "migrate":
        asyncio.run(migrate(settings, migrations))
    elif command == "serve":
        try:
            app = create_app()  # first: refuses unsafe settings before anything is touched
        except UnsafeSettings as exc:
            raise SystemExit(f"frontdesk-{settings.service_name} refuses to start: {exc}") from None
        asyncio.run(migrate(settings, migrations))
        uvicorn.run(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            ws_max_size=1 << 20,
            timeout_graceful_shutdown=10,
        )
    else:
        asyncio.run(extras[command](settings))
