"""What ops and other teams rely on: health, metrics, the API document, two gateways,
traces across hops, and read models rebuilt from the event store."""

import asyncio
import json
import subprocess
import sys
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

pytestmark = pytest.mark.e2e


async def test_every_service_is_healthy_and_exposes_metrics_on_its_ops_port_only(system):
    async with httpx.AsyncClient(timeout=10) as http:
        for name in ("gateway", "gateway-2", "messaging", "booking", "notify", "ai-assist"):
            health = await http.get(f"{system.url(name)}/health")
            assert health.status_code == 200, name
            assert set(health.json()["checks"].values()) == {"ok"}, name
            metrics = (await http.get(f"{system.ops_url(name)}/metrics")).text
            assert "frontdesk_http_requests_total" in metrics, name
            assert (await http.get(f"{system.url(name)}/metrics")).status_code == 404, name


async def test_the_gateway_serves_its_api_documents_on_its_ops_port_only(system):
    async with httpx.AsyncClient() as http:
        document = (await http.get(f"{system.ops_url('gateway')}/openapi.json")).json()
        for page in ("/docs", "/redoc"):
            shown = await http.get(system.ops_url("gateway") + page)
            assert shown.status_code == 200 and "/openapi.json" in shown.text, page
        for hidden in ("/openapi.json", "/docs", "/redoc", "/metrics"):
            refused = await http.get(system.url("gateway") + hidden)
            assert refused.status_code == 404, hidden
            assert refused.json()["error"]["code"] == "not_found", hidden
    assert "/v1/conversations/{conversation_id}/messages" in document["paths"]
    assert "/v1/auth/token" in document["paths"]


async def test_a_customer_on_one_gateway_and_staff_on_another_talk_in_real_time(api, api2):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    phone = await api.device(customer)
    counter = await api2.device(owner)

    await phone.send_message(conversation, "is the groomer free today?", client_msg_id="q")
    assert (await phone.next("ack", client_msg_id="q"))["seq"] == 1
    assert (await counter.next("message.new", client_msg_id="q"))["message"]["seq"] == 1
    await counter.send_message(conversation, "yes, at 3pm", client_msg_id="a")
    assert (await counter.next("ack", client_msg_id="a"))["seq"] == 2
    assert (await phone.next("message.new", client_msg_id="a"))["message"]["text"] == "yes, at 3pm"


async def test_the_trace_of_a_request_continues_into_the_event_other_services_read(api, endpoints):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    trace_id = uuid.uuid4().hex
    consumer = AIOKafkaConsumer(
        f"{endpoints.namespace}messaging.events",
        bootstrap_servers=endpoints.kafka_bootstrap,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        response = await api.http.post(
            f"/v1/conversations/{conversation}/messages",
            json={"client_msg_id": "traced", "text": "hello"},
            headers={**customer.auth, "traceparent": f"00-{trace_id}-{'2' * 16}-01"},
        )
        assert response.status_code == 201
        event = None
        async with asyncio.timeout(20):
            while event is None:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    for record in batch:
                        envelope = json.loads(record.value)
                        if envelope["data"].get("client_msg_id") == "traced":
                            event = (envelope, dict(record.headers))
    finally:
        await consumer.stop()
    envelope, headers = event
    assert envelope["traceparent"].split("-")[1] == trace_id
    assert headers["traceparent"].decode().split("-")[1] == trace_id
    assert envelope["tenant_id"] == owner.shop_id and envelope["aggregate_id"] == conversation


async def test_rebuilt_read_models_equal_the_live_ones(api, system):
    owner = await api.shop()
    conversations = []
    for n in range(5):
        customer = await api.customer(owner.shop_id, f"customer {n}")
        conversation = await api.open_conversation(customer)
        conversations.append(conversation)
        for i in range(6):
            assert (await api.send(customer if i % 2 else owner, conversation, f"{n}/{i}")).status_code == 201

    async def snapshot() -> list:
        listed = (await api.http.get("/v1/conversations", headers=owner.auth, params={"limit": 200})).json()
        pages = [await api.history(owner, c, limit=200) for c in conversations]
        return [sorted(listed, key=lambda c: c["id"]), pages]

    live = await snapshot()
    messaging = system.running["messaging"]
    env = {**system.env, "FRONTDESK_DATABASE_NAME": f"{system.database_prefix}_messaging"}
    result = subprocess.run(
        [sys.executable, "-m", "frontdesk_messaging", "rebuild-projections"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "rebuilt messaging read models" in result.stdout
    assert messaging.process.poll() is None
    rebuilt = await snapshot()
    # Cursors only move forward, so every device re-syncs what the rebuild touched.
    live_cursors = {c["id"]: c.pop("change_cursor") for c in live[0]}
    assert all(c.pop("change_cursor") > live_cursors[c["id"]] for c in rebuilt[0])
    assert rebuilt == live
