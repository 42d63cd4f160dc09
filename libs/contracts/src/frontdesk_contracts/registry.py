"""Every contract type, its schema and the topic it travels on.

A contract is a pydantic model registered under a versioned type name. Fields are
only ever added (with defaults); a breaking change is a new type with a new suffix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

Kind = Literal["event", "command", "reply"]


class Contract(BaseModel):
    """Base of every payload: unknown fields from newer producers are kept, not rejected."""

    model_config = ConfigDict(extra="allow", frozen=True)


@dataclass(frozen=True)
class ContractType:
    name: str
    topic: str
    kind: Kind
    model: type[Contract]
    summary: str

    def parse(self, data: dict[str, Any]) -> Contract:
        return self.model.model_validate(data)

    def json_schema(self) -> dict[str, Any]:
        return self.model.model_json_schema()


_REGISTRY: dict[str, ContractType] = {}
_NAMES: dict[type[Contract], str] = {}
C = TypeVar("C", bound=type[Contract])


def contract(name: str, *, topic: str, kind: Kind) -> Callable[[C], C]:
    """Register a payload model under a versioned type name such as x.y.z.v1."""
    if not name.rsplit(".", 1)[-1].startswith("v"):
        raise ValueError(f"contract name {name!r} must end with a version suffix like .v1")

    def register(model: C) -> C:
        if name in _REGISTRY:
            raise ValueError(f"contract {name!r} registered twice")
        summary = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else name
        _REGISTRY[name] = ContractType(name, topic, kind, model, summary)
        _NAMES.setdefault(model, name)  # a model registered twice is named by its first name
        return model

    return register


def contract_type(name: str) -> ContractType:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown contract type {name!r}") from None


def all_contracts() -> list[ContractType]:
    return sorted(_REGISTRY.values(), key=lambda c: c.name)


def type_name(model: type[Contract]) -> str:
    try:
        return _NAMES[model]  # every command a client sends asks
    except KeyError:
        raise KeyError(f"{model.__name__} is not a registered contract") from None
