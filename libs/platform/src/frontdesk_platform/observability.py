"""JSON logs with the correlation id, OpenTelemetry traces across Kafka hops, metrics."""

from __future__ import annotations

import json
import logging
import os
import random
import re
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import httpx
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import Counter, Gauge, Histogram

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
# Every span carries the request's correlation id, so a trace is found from a log line.
CORRELATION_ATTRIBUTE = "frontdesk.correlation_id"
CONVERSATION_ATTRIBUTE = "frontdesk.conversation_id"
_propagator = TraceContextTextMapPropagator()
# The trace a message or request is handled in while no span is made for it (nothing is
# exported): its traceparent as it came, read back as it is, without OpenTelemetry
# parsing it into a context and printing it again for each event the handler sends on.
_carried: ContextVar[str | None] = ContextVar("carried_traceparent", default=None)

DEAD_LETTERED = "dead_lettered"
CONSUMED = Counter(
    "frontdesk_consumer_messages_total",
    "Kafka messages handled, by outcome (ok, retried, dead_lettered, duplicate).",
    ["consumer", "topic", "outcome"],
)
HANDLE_SECONDS = Histogram(
    "frontdesk_consumer_handle_seconds", "Time to handle one Kafka message.", ["consumer"]
)
PUBLISHED = Counter("frontdesk_outbox_published_total", "Outbox rows published to Kafka.", ["relay"])
OUTBOX_DELAY = Histogram(
    "frontdesk_outbox_delay_seconds",
    "From the commit of an outbox row to its publication.",
    ["relay"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CONSUMER_LAG = Gauge(
    "frontdesk_consumer_lag_messages",
    "Records in a partition not yet carried out by its consumer group (high watermark - done).",
    ["group", "topic", "partition"],
)
OUTBOX_BACKLOG = Gauge("frontdesk_outbox_backlog_rows", "Outbox rows not yet published.", ["relay"])
OUTBOX_OLDEST = Gauge(
    "frontdesk_outbox_oldest_unpublished_seconds",
    "Age of the oldest outbox row not yet published (0 when none waits).",
    ["relay"],
)
COMMAND_VERDICTS = Counter(
    "frontdesk_command_verdicts_total",
    "Commands answered, by verdict: accepted, or the refusal's code.",
    ["service", "command", "verdict"],
)
APPENDED = Counter("frontdesk_eventstore_appended_total", "Events appended to the event store.", ["store"])
CONFLICTS = Counter(
    "frontdesk_eventstore_conflicts_total",
    "Appends refused because the stream moved on (optimistic concurrency).",
    ["store"],
)


# Query parameters that carry credentials (a socket's ?access_token=, a signed URL's signature):
# uvicorn logs every URL with its query string, so their values are cut from every log record.
_CREDENTIAL_PARAM = re.compile(
    r"([?&;][\w.-]*(?:token|secret|password|signature|credential|key|code|auth)[\w.-]*=)[^&;\s\"'#]*",
    re.IGNORECASE,
)
_JWT = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*")  # a JWT anywhere: its header always starts {"
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """The text with credentials in URLs and bare JWTs replaced by [redacted]."""
    return _JWT.sub(REDACTED, _CREDENTIAL_PARAM.sub(rf"\1{REDACTED}", text))


class RedactCredentials(logging.Filter):
    """On the handler, so it sees the records of every logger (uvicorn's, libraries', ours)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if cid := correlation_id.get():
            entry["correlation_id"] = cid
        if trace_id := current_trace_id():
            entry["trace_id"] = trace_id
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO", as_json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactCredentials())
    if as_json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request's URL at INFO, and some URLs are secrets (an APNs device
    # token, a Web Push endpoint).
    for chatty in ("aiokafka", "httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))


def configure_tracing(service: str, console: bool = False, otlp_endpoint: str = "") -> None:
    """Spans are exported over OTLP/HTTP when an endpoint is configured: `otlp_endpoint`
    (FRONTDESK_OTLP_ENDPOINT, the collector's base URL) or OpenTelemetry's own
    OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT."""
    global _exporting
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    _exporting = console or bool(otlp_endpoint) or _otel_endpoint_set()
    if console:
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    if otlp_endpoint or _otel_endpoint_set():
        # Imported only when used: the exporter brings protobuf along.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = f"{otlp_endpoint.rstrip('/')}/v1/traces" if otlp_endpoint else None
        # Batched, so a request never waits for the collector; OTEL_BSP_* tune the batches.
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)


_exporting = False


def exporting() -> bool:
    """Whether spans leave the process. A span that only marks a hop (the relay's publish,
    the fan-out's push) is made only then: without an exporter it would cost CPU on every
    message and be thrown away; the trace still crosses the hop in its traceparent."""
    return _exporting


def _otel_endpoint_set() -> bool:
    return any(
        os.environ.get(name) for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def flush_traces() -> None:
    """Send the spans still waiting in a batch (at shutdown, so the last requests are seen)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush(timeout_millis=5000)


def tracer() -> trace.Tracer:
    return trace.get_tracer("frontdesk")


def trace_exemplar() -> dict[str, str] | None:
    """The current trace id as an exemplar, so a latency bucket links to a trace."""
    trace_id = current_trace_id()
    return {"trace_id": trace_id} if trace_id else None


def current_trace_id() -> str | None:
    if not _exporting:
        carried = _carried.get()
        return carried[3:35] if carried else None
    span = trace.get_current_span().get_span_context()
    return format(span.trace_id, "032x") if span.is_valid else None


def current_traceparent() -> str | None:
    """The trace to carry on: the current span's when spans are exported, else the one the
    message or request being handled came in (no span was made for it)."""
    if not _exporting:
        return _carried.get()
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


def context_headers() -> dict[str, str]:
    """What a call to another service carries so its work joins this trace and request:
    `traceparent` and `x-correlation-id` (read by every service's app, app.py)."""
    headers: dict[str, str] = {}
    if traceparent := current_traceparent():
        headers["traceparent"] = traceparent
    if cid := correlation_id.get():
        headers["x-correlation-id"] = cid
    return headers


async def carry_context(request: httpx.Request) -> None:
    """An httpx request hook: every internal call carries the caller's trace and correlation id."""
    request.headers.update(context_headers())


@contextmanager
def continue_trace(
    name: str,
    traceparent: str | None,
    cid: str | None,
    kind: trace.SpanKind = trace.SpanKind.CONSUMER,
    attributes: dict[str, str] | None = None,
) -> Iterator[trace.Span]:
    """A span that continues the trace a message carried (or starts one when it carried
    none), with its correlation id set."""
    with (
        _inside(traceparent, cid),
        tracer().start_as_current_span(name, kind=kind, attributes=attributes) as span,
    ):
        if cid:
            span.set_attribute(CORRELATION_ATTRIBUTE, cid)
        yield span


def handling(
    name: str,
    traceparent: str | None,
    cid: str | None,
    kind: trace.SpanKind = trace.SpanKind.CONSUMER,
    attributes: dict[str, str] | None = None,
) -> AbstractContextManager[object]:
    """Carrying out a message or a frame: its own span (`continue_trace`) when spans are
    exported, else only inside the trace it carried, or a new trace's ids when it carried
    none (logs name the trace id; what the handler sends on carries the traceparent).
    A span nobody exports costs CPU on every message."""
    if _exporting:
        return continue_trace(name, traceparent, cid, kind, attributes)
    return _carrying(_valid(traceparent) or _new_traceparent(), cid)


def _new_traceparent() -> str:
    return f"00-{random.getrandbits(128):032x}-{random.getrandbits(64):016x}-01"


def _valid(traceparent: str | None) -> str | None:
    return traceparent if traceparent and _TRACEPARENT.fullmatch(traceparent) else None


@contextmanager
def _inside(traceparent: str | None, cid: str | None) -> Iterator[None]:
    """Inside the trace `traceparent` names (none: the root context), with `cid` set."""
    token = otel_context.attach(_propagator.extract({"traceparent": traceparent} if traceparent else {}))
    try:
        with _carrying(_valid(traceparent), cid):
            yield
    finally:
        otel_context.detach(token)


@contextmanager
def _carrying(traceparent: str | None, cid: str | None) -> Iterator[None]:
    """Inside the trace `traceparent` names, with `cid` set, no span made."""
    token = _carried.set(traceparent)
    cid_token = correlation_id.set(cid)
    try:
        yield
    finally:
        correlation_id.reset(cid_token)
        _carried.reset(token)


# version 00, a trace id and a parent id that are not all zeros (W3C trace context)
_TRACEPARENT = re.compile(r"00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}")
