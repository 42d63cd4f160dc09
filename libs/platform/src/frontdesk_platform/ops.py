"""What operators need and the public must not see: metrics and the API's documents.

They are served by a listener of their own (FRONTDESK_OPS_HOST / FRONTDESK_OPS_PORT) that
deployments keep off the public load balancer: Prometheus scrapes it, developers read the
docs there. The public port keeps /health, for the load balancer.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

OPENAPI = "/openapi.json"


def ops_app(app: FastAPI) -> Starlette:
    """The operations listener of a service whose public app is `app`."""

    async def metrics(request: Request) -> Response:
        # Prometheus asks for OpenMetrics, the only format that carries exemplars (trace ids).
        encode, media_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(REGISTRY), media_type=media_type)

    async def openapi(_: Request) -> JSONResponse:
        return JSONResponse(app.openapi())

    async def docs(_: Request) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=OPENAPI, title=f"{app.title} - docs")

    async def redoc(_: Request) -> HTMLResponse:
        return get_redoc_html(openapi_url=OPENAPI, title=f"{app.title} - ReDoc")

    return Starlette(
        routes=[
            Route("/metrics", metrics),
            Route(OPENAPI, openapi),
            Route("/docs", docs),
            Route("/redoc", redoc),
        ]
    )
