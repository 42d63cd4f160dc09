"""The dashboards and alerts ops rely on, tested for real: the checked-in files are what
deploy/observability/build.py writes, the alert rules pass their promtool unit tests, and a
real Prometheus scraping the running services answers every panel's query and every
alert's conditions with series after a short workload."""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from types import ModuleType
from urllib.parse import urlsplit

import httpx
import pytest

from .booking_shop import days_ahead, set_up
from .client import Api
from .conftest import ROOT

OBSERVABILITY = ROOT / "deploy" / "observability"
STACK = ROOT / "deploy" / "local" / "stack.sh"
PROMETHEUS_PORT = 27201  # in this project's range for a Prometheus of its own


def _definitions() -> ModuleType:
    spec = importlib.util.spec_from_file_location("observability_build", OBSERVABILITY / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


BUILD = _definitions()


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["promtool", *args], cwd=OBSERVABILITY, capture_output=True, text=True, check=False)


def test_the_checked_in_dashboards_and_rules_are_what_the_builder_writes():
    assert BUILD.main(["--check"]) == 0
    assert {p.stem for p in (OBSERVABILITY / "dashboards").glob("*.json")} == {
        "overview",
        "messaging",
        "bookings",
        "notifications",
    }


def test_the_alert_rules_fire_on_trouble_and_stay_quiet_otherwise():
    checked = _promtool("check", "rules", "alerts.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = _promtool("test", "rules", "alerts_test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr


@pytest.fixture(scope="module")
def prometheus(system) -> Iterator[str]:
    """Debian's Prometheus on 127.0.0.1, scraping every service's ops port each second."""
    targets = [urlsplit(system.ops_url(name)).netloc for name in system.running]
    started = subprocess.run(
        ["bash", str(STACK), "prometheus-start", str(PROMETHEUS_PORT), *targets],
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    try:
        yield f"http://127.0.0.1:{PROMETHEUS_PORT}"
    finally:
        subprocess.run(["bash", str(STACK), "prometheus-stop", str(PROMETHEUS_PORT)], check=False)


async def _workload(api: Api, trace_id: str) -> None:
    """A little of everything on-call watches: chat over sockets, a push, bookings that collide."""
    shop = await set_up(api)
    customer = await api.customer(shop.owner.shop_id, "Wang")
    await api.push_device(customer)
    conversation = await api.open_conversation(customer)
    phone = await api.device(customer)
    counter = await api.device(shop.owner)
    await phone.send_message(conversation, "is the groomer free?", client_msg_id="q")
    await counter.next("message.new", client_msg_id="q")
    answered = await api.http.post(
        f"/v1/conversations/{conversation}/messages",
        json={"client_msg_id": "a", "text": "yes, at 10"},
        headers={**shop.owner.auth, "traceparent": f"00-{trace_id}-{'3' * 16}-01"},
    )
    assert answered.status_code == 201, answered.text
    day = days_ahead()
    held = await shop.hold(customer, shop.local(day, 10))
    assert held.status_code == 201, held.text
    rival = await api.customer(shop.owner.shop_id, "Li")
    taken = await shop.hold(rival, shop.local(day, 10))
    assert taken.status_code == 409, taken.text
    await shop.step(customer, held.json()["id"], "confirm")


async def _series(http: httpx.AsyncClient, query: str) -> list[dict]:
    answer = (await http.get("/api/v1/query", params={"query": query})).json()
    assert answer["status"] == "success", (query, answer)
    return list(answer["data"]["result"])


@pytest.mark.e2e
async def test_every_panel_and_alert_query_has_series_after_a_short_workload(api, prometheus):
    trace_id = uuid.uuid4().hex
    await _workload(api, trace_id)
    queries = {
        panel.query: f"{board.slug}: {panel.title}" for board in BUILD.DASHBOARDS for panel in board.panels
    }
    queries |= {c.query: f"alert {alert.name}" for alert in BUILD.ALERTS for c in alert.conditions}

    async with httpx.AsyncClient(base_url=prometheus, timeout=10) as http:
        empty = dict(queries)
        deadline = time.monotonic() + 60  # the chat push comes after its delay; rates need two scrapes
        while empty and time.monotonic() < deadline:
            for query in list(empty):
                if await _series(http, query):
                    del empty[query]
            await asyncio.sleep(1)
        rules = (await http.get("/api/v1/rules")).json()["data"]["groups"]
        exemplars = (
            await http.get(
                "/api/v1/query_exemplars",
                params={"query": 'frontdesk_http_request_seconds_bucket{service="gateway"}', "start": "0"},
            )
        ).json()["data"]

    assert empty == {}, "queries with no series: what would show an empty panel or never alert"
    loaded = {rule["name"]: rule["health"] for group in rules for rule in group["rules"]}
    assert loaded == {alert.name: "ok" for alert in BUILD.ALERTS}
    # A latency bucket links to the trace of the request that landed in it.
    assert trace_id in {e["labels"].get("trace_id") for found in exemplars for e in found["exemplars"]}
