"""No shop, staff member or customer can read or change another's data on any route.

Walks the gateway's own OpenAPI document: every operation is called by intruders with the
real ids of a victim shop in every path parameter and id field of the body; an intruder
must never get a 2xx for the victim's things, no answer may carry the victim's data, and
the victim's own views must read the same after the walk. A new route is walked without
anyone adding it here; a new path parameter the victim has no id for fails the test."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from .booking_shop import days_ahead
from .client import Account, Api
from .openapi_requests import Operation, Values, operations
from .victim_shop import SECRET, VictimShop, build

pytestmark = pytest.mark.e2e

# Not walked, each for a reason; everything else is.
PUBLIC = {
    "GET /health": "liveness probe; no shop data",
    "GET /v1/.well-known/jwks.json": "the public halves of the token keys; no shop data",
    "POST /v1/auth/password-reset": "anyone may ask; the answer is the same for every login (test_password_reset)",
    "POST /v1/auth/password-reset/confirm": "the one-time code is the proof (test_password_reset)",
    "POST /v1/auth/claim": "anyone may ask; the answer is the same for every phone (test_phone_customers)",
    "POST /v1/auth/claim/confirm": "the one-time code sent to the phone is the proof (test_phone_customers)",
    "POST /v1/auth/sign-out-everywhere": "ends the caller's own sessions only; no id to name",
    "POST /v1/shops": "sign-up: makes a new shop and touches no other",
    "POST /v1/shops/{shop_id}/customers": "anyone may become a customer of a shop: how customers join",
    "POST /v1/auth/token": "sign-in: the password is the proof (test_isolation tests another shop's)",
    "POST /v1/auth/refresh": "the refresh token is the proof",
    "POST /v1/providers/twilio/status": "no token: notify checks Twilio's signature",
    "GET /v1/calendar-feed.ics": "no token: the secret URL is the proof (test_booking_calendar)",
}

# Ids a client chooses for a new thing of its own shop. An intruder naming a victim's id
# makes or removes a thing of its own shop under that name (2xx); the victim's must stay.
OWN_NAMES = {
    "PUT /v1/shops/{shop_id}/templates/{template_id}",
    "DELETE /v1/shops/{shop_id}/templates/{template_id}",
    "PUT /v1/shop/templates/{template_id}",  # the deprecated alias: the caller's own shop
    "DELETE /v1/shop/templates/{template_id}",
    "PUT /v1/shops/{shop_id}/services/{service_id}",
    "PUT /v1/shops/{shop_id}/resources/{resource_id}",
    "PUT /v1/shops/{shop_id}/faq/{entry_id}",
    "DELETE /v1/shops/{shop_id}/faq/{entry_id}",
}
# ...so those ids may come back to an intruder, as the names of its own things.
NAMED_BY_ANY_SHOP = {"template_id", "service_id", "resource_id", "faq_entry_id"}
# An intruder that named a thing of its own shop after a victim's id (above) reads its own
# thing back under that name; the victim's data must still not come with it.
OWN_NAME_READS = {"GET /v1/shops/{shop_id}/faq/{entry_id}"}

# Things that belong to one customer: another customer of the same shop tries these too.
CUSTOMERS_OWN = {
    "conversation_id",
    "message_id",
    "booking_id",
    "pet_id",
    "entry_id",
    "device_id",
    "notification_id",
    "attachment_id",
    "customer_id",
}


@dataclass(frozen=True)
class Call:
    operation: Operation
    who: str
    caller: Account
    own_shop: bool  # {shop_id} is the intruder's own shop, the other ids the victim's


def victim_ids(victim: VictimShop, operation: Operation) -> dict[str, str]:
    """Parameter or field name → the victim's id it names on this route."""
    ids = dict(victim.ids)
    ids["assignee_id"] = ids["staff_id"]
    ids["user_id"] = ids["customer_id"]
    ids["entry_id"] = ids["faq_entry_id"] if "/faq/" in operation.path else ids["waitlist_entry_id"]
    if "/campaigns" in operation.path:
        ids["id"] = ids["campaign_id"]
    return ids


class Walk:
    def __init__(self, api: Api, document: dict[str, Any], victim: VictimShop) -> None:
        self.api, self.document, self.victim = api, document, victim
        self.failures: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.secrets = {v for k, v in victim.ids.items() if k not in {"shop_id", *NAMED_BY_ANY_SHOP}} | {
            SECRET
        }
        day = days_ahead(6)
        self.when, self.day = victim.shop.local(day, 11), day.isoformat()

    async def call(self, call: Call) -> None:
        op, ids = call.operation, victim_ids(self.victim, call.operation)
        if call.own_shop:
            ids["shop_id"] = call.caller.shop_id
        values = Values(self.document, ids, self.when, self.day)
        path = op.path
        for param in op.parameters("path"):
            found = values.id_for(param["name"])
            if found is None:
                self.failures.append(f"{op.name}: the victim has no id for {{{param['name']}}}; add one")
                return
            path = path.replace("{" + param["name"] + "}", found)
        request: dict[str, Any] = {"headers": call.caller.auth}
        if (schema := op.body_schema()) is not None:
            request["json"] = values.body(schema)
        if op.multipart:
            request["files"] = {"file": ("walk.txt", b"walk", "text/plain")}
        named = values.put - ({"shop_id"} if call.own_shop else set())
        request["params"] = self._query(op, values)
        response = await self.api.http.request(op.method.upper(), path, **request)
        self.statuses[response.status_code] += 1
        self._judge(call, named, {values.ids[n] for n in values.put}, response)

    def _query(self, op: Operation, values: Values) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for param in op.parameters("query"):
            name = param["name"]
            if name == "q":
                params[name] = SECRET
            elif (found := values.id_for(name)) is not None:
                params[name] = found
            elif param.get("required"):
                params[name] = values.plain(param["schema"], name)
        return params

    def _judge(self, call: Call, named: set[str], ids_sent: set[str], response: httpx.Response) -> None:
        op, status = call.operation, response.status_code
        where = f"{op.name} as {call.who}{' in its own shop' if call.own_shop else ''}"
        mine = named & CUSTOMERS_OWN if call.caller.shop_id == self.victim.owner.shop_id else named
        may_name = op.name in OWN_NAMES | OWN_NAME_READS and (call.own_shop or "{shop_id}" not in op.path)
        if status >= 500:
            self.failures.append(f"{where}: server error {status} {response.text[:200]}")
        if not 200 <= status < 300:
            return
        if mine and not may_name:
            self.failures.append(f"{where} with the victim's {sorted(mine)}: answered {status}")
        leaked = [s for s in self.secrets - ids_sent if s in response.text]
        if leaked:
            self.failures.append(f"{where}: the answer carries the victim's data {leaked}")


def calls(document: dict[str, Any], victim: VictimShop, intruders: dict[str, Account]) -> list[Call]:
    walked = [op for op in operations(document) if op.name not in PUBLIC]
    found = []
    for op in walked:
        names = {p["name"] for p in op.spec.get("parameters", [])} | _body_names(document, op)
        for who, caller in intruders.items():
            if caller.shop_id == victim.owner.shop_id:
                if names & CUSTOMERS_OWN:
                    found.append(Call(op, who, caller, own_shop=False))
                continue
            found.append(Call(op, who, caller, own_shop=False))
            if "{shop_id}" in op.path and len(names - {"shop_id", "limit"}) > 0:
                found.append(Call(op, who, caller, own_shop=True))
    return found


def _body_names(document: dict[str, Any], op: Operation) -> set[str]:
    schema = op.body_schema() or {}
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return set(schema.get("properties", {}))


async def test_no_intruder_reads_or_changes_another_shops_or_customers_data_on_any_route(api, system, capsys):
    async with httpx.AsyncClient() as ops:  # the API document is on the ops port only
        document = (await ops.get(f"{system.ops_url('gateway')}/openapi.json")).json()
    assert set(PUBLIC) <= {op.name for op in operations(document)}, "PUBLIC names a route that is gone"
    victim = await build(api)
    other = await api.shop("Intruders")
    intruders = {
        "another shop's owner": other,
        "another shop's staff": await api.staff(other),
        "another shop's customer": await api.customer(other.shop_id),
        "another customer of the same shop": victim.neighbour,
    }
    before = await victim.settled(api)

    started = time.monotonic()
    walk = Walk(api, document, victim)
    planned = calls(document, victim, intruders)
    limit = asyncio.Semaphore(8)

    async def one(call: Call) -> None:
        async with limit:
            await walk.call(call)

    await asyncio.gather(*(one(c) for c in planned))
    await asyncio.sleep(1)  # what an accepted command changes reaches the read models
    after = await victim.settled(api)
    walked = {c.operation.name for c in planned}
    with capsys.disabled():  # shown in every run's output, CI's too
        print(
            f"\ntenancy walk: {len(walked)} operations ({len(PUBLIC)} public ones not walked), "
            f"{len(planned)} calls as {len(intruders)} kinds of intruder in {time.monotonic() - started:.1f}s; "
            f"answers {dict(sorted(walk.statuses.items()))}"
        )
    changed = [
        f"the victim's view {v} changed: {before[v]} -> {after[v]}" for v in before if before[v] != after[v]
    ]
    assert not walk.failures + changed, "\n".join(sorted(walk.failures) + changed)
