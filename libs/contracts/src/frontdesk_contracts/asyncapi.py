"""Builds the AsyncAPI document that lists every topic and message for other teams.

`python -m frontdesk_contracts.asyncapi > docs/asyncapi.json`; a test keeps the
committed document equal to what this prints.
"""

from __future__ import annotations

import json
from typing import Any

from .booking_frames import FRAMES
from .call_frames import CLIENT_FRAMES, SERVER_FRAMES
from .registry import all_contracts, contract_type
from .topics import dead_letter

SOCKET = "gateway.socket"


def document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for entry in all_contracts():
        key = entry.name.replace(".", "_")
        messages[key] = {
            "name": entry.name,
            "title": entry.name,
            "summary": entry.summary,
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/KafkaHeaders"},
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {"properties": {"type": {"const": entry.name}, "data": entry.json_schema()}},
                ]
            },
            "x-kind": entry.kind,
        }
        channel = channels.setdefault(
            entry.topic,
            {
                "address": entry.topic,
                "description": f"Keyed by aggregate id; failures go to {dead_letter(entry.topic)}.",
                "messages": {},
            },
        )
        channel["messages"][key] = {"$ref": f"#/components/messages/{key}"}
    channels[SOCKET], socket_messages = _socket_frames()
    messages.update(socket_messages)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Frontdesk topics",
            "version": "1.0.0",
            "description": (
                "Every Kafka topic Frontdesk writes. Values are JSON envelopes; the Kafka key "
                "is the aggregate id, so one aggregate's messages are ordered. Delivery is "
                "at-least-once: dedupe on the envelope id."
            ),
        },
        "channels": dict(sorted(channels.items())),
        "components": {
            "messages": messages,
            "schemas": {
                "Envelope": _envelope_schema(),
                "KafkaHeaders": {
                    "type": "object",
                    "properties": {
                        "ce_id": {"type": "string"},
                        "ce_type": {"type": "string"},
                        "traceparent": {"type": "string"},
                    },
                },
            },
        },
    }


def _socket_frames() -> tuple[dict[str, Any], dict[str, Any]]:
    """The gateway's WebSocket frames that carry booking events (docs/websocket.md has the rest)."""
    by_frame: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for name, (frame, key) in sorted(FRAMES.items()):
        by_frame.setdefault(frame, (key, []))[1].append(contract_type(name).json_schema())
    messages = {
        f"frame_{frame.replace('.', '_')}": {
            "name": frame,
            "title": frame,
            "summary": f"Server to client on /v1/ws: the {key} after the change.",
            "contentType": "application/json",
            "payload": {
                "type": "object",
                "properties": {"type": {"const": frame}, key: {"oneOf": schemas}},
                "required": ["type", key],
            },
            "x-kind": "socket-frame",
        }
        for frame, (key, schemas) in sorted(by_frame.items())
    }
    messages.update(_call_frames())
    channel = {
        "address": "/v1/ws",
        "description": (
            "The gateway's WebSocket: booking frames go to every staff socket of the shop and "
            "to the customer's own sockets (docs/websocket.md); call frames (docs/calls.md) "
            "go between the two parties of a call."
        ),
        "messages": {key: {"$ref": f"#/components/messages/{key}"} for key in messages},
    }
    return channel, messages


def _call_frames() -> dict[str, Any]:
    """The call signalling frames, each way (docs/calls.md)."""
    messages: dict[str, Any] = {}
    for direction, models in (("client-frame", CLIENT_FRAMES), ("socket-frame", SERVER_FRAMES)):
        for model in models:
            name = model.__name__
            key = f"{'client' if direction == 'client-frame' else 'frame'}_{name}"
            messages[key] = {
                "name": name,
                "title": name,
                "summary": (model.__doc__ or "").strip().split("\n")[0] or name,
                "contentType": "application/json",
                "payload": model.model_json_schema(by_alias=True),
                "x-kind": direction,
            }
    return messages


def _envelope_schema() -> dict[str, Any]:
    from .envelope import Envelope

    return Envelope.model_json_schema()


if __name__ == "__main__":
    print(json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=False))
