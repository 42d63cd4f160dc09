"""Kubernetes JSON schemas for kubeconform, from the kubernetes-validate package (PyPI).

The package ships one schema per kind whose `$ref`s point into a shared `_definitions.json`
by absolute path, which kubeconform cannot follow; here each kind we use gets a standalone
copy with the definitions it reaches inlined, laid out as kubeconform's
`{{ .NormalizedKubernetesVersion }}-standalone-strict/{{ .ResourceKind }}{{ .KindSuffix }}.json`.
"""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

KUBERNETES_VERSION = "1.37.0"
LOCATION = "{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
_DEFS = "#/$defs/"


def schema_file(kind: str, api_version: str) -> str:
    """kubeconform's file name for a kind: `deployment-apps-v1.json`, `service-v1.json`."""
    group, _, version = api_version.rpartition("/")
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return f"{kind.lower()}{suffix}.json"


def write_standalone(kinds: set[tuple[str, str]], root: Path) -> Path:
    """Write a standalone strict schema for each (kind, apiVersion) under `root`; return `root`."""
    source = files("kubernetes_validate") / "kubernetes-json-schema" / f"v{KUBERNETES_VERSION}-local-strict"
    definitions = json.loads((source / "_definitions.json").read_text())["$defs"]
    target = root / f"v{KUBERNETES_VERSION}-standalone-strict"
    target.mkdir(parents=True, exist_ok=True)
    for kind, api_version in kinds:
        name = schema_file(kind, api_version)
        schema = json.loads((source / name).read_text())
        reached: dict[str, Any] = {}
        _inline(schema, definitions, reached)
        schema["definitions"] = reached
        (target / name).write_text(json.dumps(schema))
    return root


def _inline(node: Any, definitions: dict[str, Any], reached: dict[str, Any]) -> None:
    if isinstance(node, list):
        for item in node:
            _inline(item, definitions, reached)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and _DEFS in ref:
        name = ref.split(_DEFS, 1)[1]
        node["$ref"] = f"#/definitions/{name}"
        if name not in reached:
            reached[name] = copy.deepcopy(definitions[name])
            _inline(reached[name], definitions, reached)
    for value in node.values():
        _inline(value, definitions, reached)
