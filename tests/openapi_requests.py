"""Requests built from an OpenAPI document: every operation, with the smallest valid body
its schema allows and the given ids put wherever a parameter or field names one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

METHODS = ("get", "put", "post", "patch", "delete")
MEANINGFUL = {"duration_minutes", "starts_at"}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def parameters(self, where: str) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == where]

    def body_schema(self, media: str = "application/json") -> dict[str, Any] | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        return content.get(media, {}).get("schema") if media in content else None

    @property
    def multipart(self) -> bool:
        return self.body_schema("multipart/form-data") is not None


def operations(document: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method, path, spec)
        for path, item in document["paths"].items()
        for method, spec in item.items()
        if method in METHODS
    ]


@dataclass
class Values:
    """Where values come from: ids by name (what was put where is recorded), and plain
    values a field of that format or name takes."""

    document: dict[str, Any]
    ids: dict[str, str]
    when: str  # an instant in the victim's bookable future
    day: str
    put: set[str] = field(default_factory=set)

    def id_for(self, name: str) -> str | None:
        found = self.ids.get(name)
        if found is not None:
            self.put.add(name)
        return found

    def body(self, schema: dict[str, Any]) -> Any:
        return self._value(schema, "")

    def plain(self, schema: dict[str, Any], name: str) -> Any:
        return self._value(schema, name)

    def _value(self, schema: dict[str, Any], name: str) -> Any:
        schema = self._resolve(schema)
        known = self.id_for(name) if name else None
        if known is not None:
            return known
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self._object(schema)
        if kind == "array":
            items = schema.get("items", {})
            return [self._value(items, "")] * schema.get("minItems", 0)
        if kind in ("integer", "number"):
            low, high = schema.get("minimum", 1), schema.get("maximum", 10**6)
            return max(low, min(30 if name == "duration_minutes" else 1, high))
        if kind == "boolean":
            return False
        return self._string(schema, name)

    def _object(self, schema: dict[str, Any]) -> dict[str, Any]:
        required = set(schema.get("required", []))
        properties = schema.get("properties", {})
        # Ids are filled even when optional: they are what an intruder would try; so are
        # the optional fields without which the API refuses before it looks at the ids.
        wanted = [n for n in properties if n in required or n in self.ids or n in MEANINGFUL]
        return {n: self._value(properties[n], n) for n in wanted}

    def _string(self, schema: dict[str, Any], name: str) -> str:
        special = {"timezone": "Europe/Berlin", "phone": "+8613800138000", "login": "walk@shop.test"}
        by_format = {"uuid": str(uuid.uuid4()), "date-time": self.when, "date": self.day, "time": "09:00:00"}
        if name in special:
            return special[name]
        if schema.get("format") in by_format:
            return by_format[schema["format"]]
        if schema.get("examples"):
            return str(schema["examples"][0])
        text = "walk-" + "x" * max(schema.get("minLength", 1), 20)
        return text[: schema.get("maxLength", len(text))]

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        for combined in ("anyOf", "oneOf", "allOf"):
            if combined in schema:
                options = [s for s in schema[combined] if s.get("type") != "null"]
                return self._resolve({**options[0], **{k: v for k, v in schema.items() if k != combined}})
        return schema
