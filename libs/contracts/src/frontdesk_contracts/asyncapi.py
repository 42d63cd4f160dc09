"""Builds the AsyncAPI document that lists every topic and message for other teams.

`python -m frontdesk_contracts.asyncapi > docs/asyncapi.json`; a test keeps the
committed document equal to what this prints.
"""

from __future__ import annotations

import json
from typing import Any

from .registry import all_contracts
from .topics import dead_letter


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


def _envelope_schema() -> dict[str, Any]:
    from .envelope import Envelope

    return Envelope.model_json_schema()


if __name__ == "__main__":
    print(json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=False))
