"""Which browser pages may use the API: the web apps listed in FRONTDESK_CORS_ORIGINS.

A browser sends the page's Origin on every cross-origin request and on every socket
handshake; native apps and servers send none and are not concerned. With the list empty
(the default) no web page elsewhere can call the API or open a socket with a user's token.
"""

from __future__ import annotations

from collections.abc import Collection

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware

# What the apps send and read: the bearer token, JSON, and the id to quote to support.
ALLOWED_HEADERS = ["authorization", "content-type", "x-correlation-id", "traceparent"]
EXPOSED_HEADERS = ["x-correlation-id", "content-disposition"]


def allow_listed_origins(app: FastAPI, origins: Collection[str]) -> None:
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        # Tokens travel in a header, never in cookies: no credentialed requests.
        allow_credentials=False,
        max_age=600,
    )


def origin_allowed(headers: Headers, origins: Collection[str]) -> bool:
    """A socket handshake from a page not on the list is refused; without an Origin it is
    not a browser page, and the token decides."""
    origin = headers.get("origin")
    return origin is None or origin in origins or "*" in origins
