"""The .v2 booking types: bookings that no staff member serves (a self-service wash
station, boarding in a kennel). Why they are new types: docs/adr/0003.

Each v2 type is derived from its v1 type, field for field, so the two cannot drift:
the same fields and defaults, except that `staff_id` and `previous_staff_id` may be
null and a slot is a SlotV2 (staff_id may be null; `nights` for a stay). Staffed
bookings keep being published as v1; a consumer subscribes to both.
"""

from __future__ import annotations

from types import GenericAlias
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field, create_model

from . import booking as v1
from .registry import Contract, contract, contract_type, type_name

STAFF_FIELDS = ("staff_id", "previous_staff_id")


def _staff_optional(
    model: type[BaseModel], doc: str, slot: type[BaseModel] | None = None, **extra: Any
) -> type[BaseModel]:
    """`model` with every staff field nullable and every Slot a `slot`, plus `extra` fields."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in STAFF_FIELDS:
            fields[name] = (UUID | None, Field(default=None, description="null: no staff member"))
        elif slot is not None and info.annotation is v1.Slot:
            fields[name] = (slot, info)
        elif slot is not None and info.annotation == list[v1.Slot]:
            fields[name] = (GenericAlias(list, (slot,)), info)
        else:
            fields[name] = (info.annotation, info)
    base = Contract if issubclass(model, Contract) else BaseModel
    derived: type[BaseModel] = create_model(
        f"{model.__name__}V2", __base__=base, __doc__=doc, __module__=__name__, **fields, **extra
    )
    return derived


SlotV2 = _staff_optional(
    v1.Slot,
    "A bookable time and which resource units it takes; staff_id is null when no staff member "
    "does it; a stay (boarding) has `nights` and ends at check-out.",
    nights=(int | None, None),
)

_TWINS: dict[type[Contract], type[Contract]] = {}


def _register_twin(model: type[Contract]) -> None:
    entry = contract_type(type_name(model))
    summary = (model.__doc__ or "").strip().splitlines()[0]
    doc = f"{summary} (No staff member: staff_id is null; see the .v1 type for staffed bookings.)"
    twin = _staff_optional(model, doc, SlotV2)
    assert issubclass(twin, Contract)
    contract(entry.name.removesuffix(".v1") + ".v2", topic=entry.topic, kind=entry.kind)(twin)
    _TWINS[model] = twin


# The v1 events of a booking's life: each has a twin in every later version of the shape.
BOOKING_CHANGES: tuple[type[Contract], ...] = (
    v1.BookingHeld,
    v1.BookingConfirmed,
    v1.BookingExpired,
    v1.BookingCancelled,
    v1.BookingRescheduled,
    v1.ChangeProposed,
    v1.ChangeAccepted,
    v1.ChangeDeclined,
    v1.CheckedIn,
    v1.ServiceStarted,
    v1.ProgressPosted,
    v1.BookingCompleted,
    v1.BookingNoShow,
)

_TWINNED: tuple[type[Contract], ...] = (*BOOKING_CHANGES, v1.CommandRejected)
for _model in _TWINNED:
    _register_twin(_model)


def without_staff(model: type[Contract]) -> type[Contract]:
    """The .v2 twin of a v1 booking event (or rejection) for a booking with no staff member."""
    return _TWINS[model]


REJECTIONS = frozenset({type_name(v1.CommandRejected), type_name(without_staff(v1.CommandRejected))})
"""The reply types of a refused booking command: a consumer of booking.replies handles both."""
