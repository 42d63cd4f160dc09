"""Every route of the public API is the one its own path reaches: the order the routers
are included in (the busiest first, for speed) never lets one router's route take a path
meant for another's."""

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute, _IncludedRouter
from frontdesk_gateway.bootstrap import create_app
from frontdesk_gateway.config import GatewaySettings
from frontdesk_gateway.identity.keys import key_ring, new_private_jwk

AN_ID = "6f1c2b8e-8a7e-4c59-9f0e-2a7c1d3e4f50"


def routes_with_paths() -> tuple[FastAPI, list[tuple[APIRoute, str]]]:
    app = create_app(
        GatewaySettings(environment="development"), keys=key_ring({"keys": [new_private_jwk()]}, "")
    )
    found: list[tuple[APIRoute, str]] = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            found.append((route, route.path))
        elif isinstance(route, _IncludedRouter):
            for context in route.effective_route_contexts():
                if isinstance(context.original_route, APIRoute):
                    found.append((context.original_route, context.path_format))
    return app, found


def a_path(template: str) -> str:
    """The template with every parameter filled in: ids as a client sends them."""
    samples = {"path": "a/b", "int": "7"}
    return re.sub(r"\{(\w+)(?::(\w+))?\}", lambda m: samples.get(m.group(2) or "", AN_ID), template)


async def reached(app: FastAPI, method: str, path: str) -> object:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"gateway")],
        "client": ("127.0.0.1", 1),
        "server": ("gateway", 80),
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        pass

    try:  # no token, no lifespan: refused or failing once routed, which is all we look at
        await app(scope, receive, send)
    except Exception:
        pass
    return scope.get("route")


async def test_every_route_is_reached_by_its_own_path():
    app, routes = routes_with_paths()
    assert len(routes) > 100
    elsewhere = []
    for route, path in routes:
        for method in sorted(route.methods):
            taken_by = await reached(app, method, a_path(path))
            if taken_by is not route:
                elsewhere.append((method, path, getattr(taken_by, "path", None)))
    assert elsewhere == []
