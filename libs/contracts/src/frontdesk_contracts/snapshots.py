"""Committed JSON-schema snapshots of every contract, and the compatibility rule.

Rule: a type may only gain optional fields. A field is never removed, never changes
its schema, and no new field is required; anything else needs a new type (.v2).

`python -m frontdesk_contracts.snapshots` writes the snapshot of every type that has
none yet and refreshes those whose change is compatible; it refuses incompatible ones.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .registry import all_contracts

SNAPSHOT_DIR = Path(__file__).resolve().parents[2] / "schemas"


def snapshot_path(name: str, directory: Path = SNAPSHOT_DIR) -> Path:
    return directory / f"{name}.json"


def incompatibilities(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    for field, schema in old_props.items():
        if field not in new_props:
            problems.append(f"field {field!r} was removed")
        elif _resolved(new_props[field], new) != _resolved(schema, old):
            problems.append(f"field {field!r} changed its schema")
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    for field in sorted(newly_required):
        problems.append(f"field {field!r} became required")
    return problems


def _resolved(schema: Any, root: dict[str, Any]) -> Any:
    """Inline local $refs so that renaming a nested model is not seen as a change."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _resolved(root["$defs"][ref.removeprefix("#/$defs/")], root)
        return {k: _resolved(v, root) for k, v in schema.items() if k not in ("title", "description")}
    if isinstance(schema, list):
        return [_resolved(item, root) for item in schema]
    return schema


def write_snapshots(directory: Path = SNAPSHOT_DIR) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []
    for entry in all_contracts():
        path = snapshot_path(entry.name, directory)
        schema = entry.json_schema()
        if path.exists():
            problems = incompatibilities(json.loads(path.read_text()), schema)
            if problems:
                refused.append(f"{entry.name}: {'; '.join(problems)}")
                continue
        path.write_text(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return refused


if __name__ == "__main__":
    failures = write_snapshots()
    for line in failures:
        print(f"incompatible, make a new version instead: {line}", file=sys.stderr)
    sys.exit(1 if failures else 0)
