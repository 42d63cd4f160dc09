"""The .v3 booking types: bookings of several services done one after the other
("洗澡+剪指甲", a bath then a nail trim). Why they are new types: docs/adr/0004.

Each v3 type is its .v2 type (staff may be null) plus a required `services`: the booked
services in order, each with its own time, staff member and resource units. The top-level
fields summarise the whole booking: `service_id` and `staff_id` are the first service's,
`starts_at` is when the first starts, `ends_at` when the last ends, `resource_units` every
unit any of them takes and `price_cents` their sum. Bookings of one service keep being
published as v1 (staffed) or v2 (no staff member).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field, create_model

from . import booking_v2
from .registry import Contract, contract, contract_type, type_name


class BookedService(BaseModel):
    """One service of a booking of several: when, by whom and with which resource units."""

    service_id: UUID
    starts_at: datetime
    ends_at: datetime
    occupied_until: datetime
    staff_id: UUID | None = Field(default=None, description="null: no staff member")
    resource_units: list[UUID] = Field(default_factory=list)
    price_cents: int | None = None


_TWINS: dict[type[Contract], type[Contract]] = {}


def _register(model: type[Contract]) -> None:
    v2 = booking_v2.without_staff(model)
    entry = contract_type(type_name(model))
    summary = (model.__doc__ or "").strip().splitlines()[0]
    fields: dict[str, Any] = {name: (info.annotation, info) for name, info in v2.model_fields.items()}
    fields["services"] = (
        list[BookedService],
        Field(min_length=2, description="The booked services in the order they are done"),
    )
    doc = f"{summary} (Several services: see `services`; the .v1/.v2 types carry one.)"
    twin: type[Contract] = create_model(
        f"{model.__name__}V3", __base__=Contract, __doc__=doc, __module__=__name__, **fields
    )
    contract(entry.name.removesuffix(".v1") + ".v3", topic=entry.topic, kind=entry.kind)(twin)
    _TWINS[model] = twin


for _model in booking_v2.BOOKING_CHANGES:
    _register(_model)


def with_services(model: type[Contract]) -> type[Contract]:
    """The .v3 twin of a v1 booking event, for a booking of several services."""
    return _TWINS[model]
