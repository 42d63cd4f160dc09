"""Contracts of identity (owned by the gateway): shops, staff and customers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

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
    """A customer signed up with a shop, or the shop's staff added one by phone (a walk-in
    or phone customer with no password yet, who may claim the account later)."""

    shop_id: UUID
    customer_id: UUID
    name: str
    phone: str | None = Field(
        default=None, description="E.164; set when staff added the customer by phone: SMS reaches them there"
    )


@contract("identity.customer.erased.v1", topic=IDENTITY_EVENTS, kind="event")
class CustomerErased(Contract):
    """The shop's owner erased a customer on their request (PIPL/GDPR): every service forgets
    their personal data (name, phone, texts) and keeps only ids and figures (docs/adr/0005)."""

    shop_id: UUID
    customer_id: UUID
    erased_at: datetime


@contract("identity.staff.role_changed.v1", topic=IDENTITY_EVENTS, kind="event")
class StaffRoleChanged(Contract):
    """The owner made a staff member an owner, or an owner staff; their sessions ended."""

    shop_id: UUID
    staff_id: UUID
    role: Literal["owner", "staff"]
    changed_at: datetime


@contract("identity.staff.disabled.v1", topic=IDENTITY_EVENTS, kind="event")
class StaffDisabled(Contract):
    """The owner disabled a staff account: it cannot sign in and its sessions ended.
    Give it no new work."""

    shop_id: UUID
    staff_id: UUID
    disabled_at: datetime


@contract("identity.staff.enabled.v1", topic=IDENTITY_EVENTS, kind="event")
class StaffEnabled(Contract):
    """A disabled staff account may sign in again, with this role."""

    shop_id: UUID
    staff_id: UUID
    role: Literal["owner", "staff"]
    enabled_at: datetime


@contract("identity.staff.removed.v1", topic=IDENTITY_EVENTS, kind="event")
class StaffRemoved(Contract):
    """The owner removed a staff account for good; its sessions ended. Past messages and
    bookings still name it."""

    shop_id: UUID
    staff_id: UUID
    removed_at: datetime
