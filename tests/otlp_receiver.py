"""A small OTLP/HTTP trace receiver on 127.0.0.1: what a collector would see from the services.

It decodes each `POST /v1/traces` (an ExportTraceServiceRequest in protobuf, as
opentelemetry-exporter-otlp-proto-http sends it) and keeps the spans for tests to read.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import KeyValue

PORTS = range(27300, 27400)  # this part's range; the first free one is taken


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    correlation_id: str
    conversation_id: str


class OtlpReceiver:
    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self._lock = threading.Lock()
        self._server = _bind(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        with self._lock:
            return [span for span in self.spans if span.trace_id == trace_id]

    def traces_named(self, name: str, conversation_id: str = "") -> set[str]:
        """The traces holding a span of that name (about that conversation, if given)."""
        with self._lock:
            return {
                span.trace_id
                for span in self.spans
                if span.name == name and (not conversation_id or span.conversation_id == conversation_id)
            }

    def receive(self, body: bytes) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        spans = []
        for resource in request.resource_spans:
            service = _attribute(resource.resource.attributes, "service.name")
            for scope in resource.scope_spans:
                spans += [
                    ReceivedSpan(
                        service,
                        span.name,
                        span.trace_id.hex(),
                        span.span_id.hex(),
                        span.parent_span_id.hex(),
                        _attribute(span.attributes, "frontdesk.correlation_id"),
                        _attribute(span.attributes, "frontdesk.conversation_id"),
                    )
                    for span in scope.spans
                ]
        with self._lock:
            self.spans += spans


def _attribute(attributes: Iterable[KeyValue], key: str) -> str:
    return next((a.value.string_value for a in attributes if a.key == key), "")


def _bind(receiver: OtlpReceiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if self.headers.get("content-encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path != "/v1/traces":
                self.send_error(404)
                return
            receiver.receive(body)
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass  # one line per export would bury the test output

    for port in PORTS:
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError:
            continue
    raise RuntimeError(f"no free port for the OTLP receiver in {PORTS}")
