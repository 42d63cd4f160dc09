"""The old `/v1/shop/…` paths (the shop taken from the token) as deprecated aliases of
`/v1/shops/{shop_id}/…`, where everything else a shop sets up lives.

Each alias is the same endpoint with `shop_id` filled from the caller's token, so the two
paths cannot drift apart; OpenAPI marks the alias deprecated and names its successor.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

SHOP = "/v1/shops/{shop_id}"
OLD_SHOP = "/v1/shop"

Endpoint = Callable[..., Coroutine[Any, Any, Any]]


class DeprecatedAlias(APIRoute):
    """A route kept for old clients; `successor` is the path to use (the audit log records it)."""

    successor: str = ""


def deprecated_aliases(*routers: APIRouter) -> APIRouter:
    """`/v1/shop/X` for every `/v1/shops/{shop_id}/X` route of `routers`."""
    aliases = APIRouter()
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.path.startswith(SHOP + "/"):
                _add_alias(aliases, route)
    return aliases


def _add_alias(aliases: APIRouter, route: APIRoute) -> None:
    path = OLD_SHOP + route.path.removeprefix(SHOP)
    aliases.add_api_route(
        path,
        _for_callers_shop(route.endpoint),
        methods=sorted(route.methods or ()),
        response_model=route.response_model,
        status_code=route.status_code,
        tags=route.tags,
        summary=route.summary,
        description=f"Deprecated: use `{route.path}`. " + (route.description or ""),
        responses=route.responses,
        response_class=route.response_class,
        deprecated=True,
        name=route.name,  # the audit log's operation: one action, one name
        route_class_override=DeprecatedAlias,
    )
    alias = aliases.routes[-1]
    assert isinstance(alias, DeprecatedAlias)
    alias.successor = route.path


def _for_callers_shop(endpoint: Endpoint) -> Endpoint:
    """`endpoint` without its `shop_id` parameter: the caller's own shop is used."""
    # Resolved hints, since FastAPI would resolve string annotations in this module's globals.
    hints = typing.get_type_hints(endpoint, include_extras=True)
    signature = inspect.signature(endpoint)
    parameters = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in signature.parameters.values()
        if p.name != "shop_id"
    ]

    async def alias(**arguments: Any) -> Any:
        return await endpoint(shop_id=arguments["caller"].shop_id, **arguments)

    alias.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters, return_annotation=hints.get("return", signature.return_annotation)
    )
    alias.__name__ = f"{endpoint.__name__}_deprecated"
    return alias
