"""Traces leave the process: every service exports its spans over OTLP/HTTP to the run's
receiver (tests/otlp_receiver.py, set as FRONTDESK_OTLP_ENDPOINT in conftest), and a
request's trace and correlation id follow it across HTTP calls and Kafka hops."""

import asyncio
import os
import subprocess
import sys

import pytest

from .otlp_receiver import OtlpReceiver, ReceivedSpan

pytestmark = pytest.mark.e2e


async def spans_of(otlp: OtlpReceiver, root_name: str, *names: str, about: str = "") -> list[ReceivedSpan]:
    """The spans of the trace that starts with `root_name` (about conversation `about`),
    once it holds all `names`."""
    async with asyncio.timeout(20):
        while True:
            roots = otlp.traces_named(root_name, about)
            if len(roots) == 1:
                spans = otlp.trace(roots.pop())
                if set(names) <= {span.name for span in spans}:
                    return spans
            await asyncio.sleep(0.2)


def one(spans: list[ReceivedSpan], service: str, name: str) -> ReceivedSpan:
    found = [span for span in spans if (span.service, span.name) == (service, name)]
    assert found, f"no {service} span {name!r} in {spans}"
    return found[0]


def lineage(spans: list[ReceivedSpan], span: ReceivedSpan) -> list[ReceivedSpan]:
    """The span, its parent, its parent's parent, ... up to the trace's root."""
    by_id = {each.span_id: each for each in spans}
    chain = [span]
    while chain[-1].parent_id:
        chain.append(by_id[chain[-1].parent_id])
    return chain


async def test_a_customer_message_is_one_trace_from_the_gateway_through_messaging_and_back(api, otlp):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    counter = await api.device(owner)

    sent = await api.send(customer, conversation, "is the groomer free today?", client_msg_id="one-trace")
    assert sent.status_code == 201
    assert (await counter.next("message.new", client_msg_id="one-trace"))["message"]["seq"] == 1

    request = f"POST /v1/conversations/{conversation}/messages"
    spans = await spans_of(
        otlp,
        request,
        "handle messaging.message.send.v1",
        "publish messaging.message.sent.v1",
        "push messaging.message.sent.v1",
    )
    gateway = one(spans, "gateway", request)
    decided = one(spans, "messaging", "handle messaging.message.send.v1")
    relayed = one(spans, "messaging", "publish messaging.message.sent.v1")
    pushed = one(spans, "gateway", "push messaging.message.sent.v1")
    # Each hop names the one before it as its parent: the gateway's request (or a span
    # inside it) → messaging's decision → messaging's relay → the gateway's push.
    assert gateway.parent_id == ""  # the customer's request starts the trace
    assert pushed.parent_id == relayed.span_id
    assert relayed.parent_id == decided.span_id
    assert {span.service for span in lineage(spans, decided)[1:]} == {"gateway"}
    assert lineage(spans, pushed)[-1] == gateway
    request_id = sent.headers["x-correlation-id"]
    assert {span.correlation_id for span in (gateway, decided, pushed)} == {request_id}


async def test_a_read_the_gateway_asks_a_service_for_continues_the_request_and_its_correlation_id(api, otlp):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)

    read = await api.http.get(f"/v1/conversations/{conversation}/messages", headers=owner.auth)
    assert read.status_code == 200

    request = f"GET /v1/conversations/{conversation}/messages"
    asked = f"GET /internal/conversations/{conversation}/messages"
    spans = await spans_of(otlp, request, asked)
    gateway, messaging = one(spans, "gateway", request), one(spans, "messaging", asked)
    assert lineage(spans, messaging)[-1] == gateway
    assert {span.service for span in lineage(spans, messaging)[1:]} == {"gateway"}
    assert messaging.correlation_id == gateway.correlation_id == read.headers["x-correlation-id"]


async def test_a_message_sent_on_a_socket_is_one_trace_from_the_frame_to_the_push(api, otlp):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    phone, counter = await api.device(customer), await api.device(owner)

    await phone.send_message(conversation, "can I bring two dogs?", client_msg_id="socket-trace")
    assert (await counter.next("message.new", client_msg_id="socket-trace"))["message"]["seq"] == 1

    spans = await spans_of(
        otlp,
        "socket message.send",
        "handle messaging.message.send.v1",
        "publish messaging.message.sent.v1",
        "push messaging.message.sent.v1",
        about=conversation,
    )
    frame = one(spans, "gateway", "socket message.send")
    pushed = one(spans, "gateway", "push messaging.message.sent.v1")
    assert [span.name for span in lineage(spans, pushed)][1:3] == [
        "publish messaging.message.sent.v1",
        "handle messaging.message.send.v1",
    ]
    assert lineage(spans, pushed)[-1] == frame
    assert frame.correlation_id == pushed.correlation_id != ""


def test_a_service_exports_to_the_collector_opentelemetry_s_own_variable_names(otlp):
    """OTEL_EXPORTER_OTLP_ENDPOINT works as FRONTDESK_OTLP_ENDPOINT does (for a platform that
    sets it for every pod)."""
    started = (
        "from frontdesk_platform.observability import configure_tracing, flush_traces, tracer\n"
        "configure_tracing('standalone')\n"
        "with tracer().start_as_current_span('checked'):\n"
        "    pass\n"
        "flush_traces()\n"
    )
    env = {**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint}
    env.pop("FRONTDESK_OTLP_ENDPOINT", None)
    subprocess.run([sys.executable, "-c", started], env=env, check=True, timeout=60)
    assert [span.service for span in otlp.spans if span.name == "checked"] == ["standalone"]
