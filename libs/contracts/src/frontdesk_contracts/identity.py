"""Contracts of identity (owned by the gateway): shops, staff and customers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from .registry import Contract, contract
from .topics import IDENTITY_EVENTS


@contract("identity.shop.registered.v1", topic=IDENTITY_EVENTS, kind="event")
class ShopRegistered(Contract):
    """A shop (tenant) signed up."""

    shop_id: UUID
    name: str
    timezone: str
    registered_at: datetime


@contract("identity.staff.added.v1", topic=IDENTITY_EVENTS, kind="event")
class StaffAdded(Contract):
    """A staff account (or the owner) was added to a shop."""

    shop_id: UUID
    staff_id: UUID
    name: str
    role: Literal["owner", "staff"]


@contract("identity.customer.registered.v1", topic=IDENTITY_EVENTS, kind="event")
class CustomerRegistered(Contract):
    """A customer signed up with a shop."""

    shop_id: UUID
    customer_id: UUID
    name: str
