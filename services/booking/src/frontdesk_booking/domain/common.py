"""What every booking aggregate shares: who is acting, and why a command is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from frontdesk_platform.refusals import Refused as Refused  # the kinds below name their codes

Role = Literal["owner", "staff", "customer"]


@dataclass(frozen=True)
class Actor:
    user_id: UUID
    role: Role
    shop_id: UUID

    @property
    def is_staff(self) -> bool:
        return self.role in ("owner", "staff")

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


class CustomersOwn:
    """An aggregate a customer of a shop owns (a booking, a pet, a waitlist entry): the
    shop's staff and that customer may see it, no one else."""

    shop_id: UUID | None
    customer_id: UUID | None

    @property
    def exists(self) -> bool:
        return self.shop_id is not None

    def may_see(self, actor: Actor) -> bool:
        if not self.exists or actor.shop_id != self.shop_id:
            return False
        return actor.is_staff or actor.user_id == self.customer_id


class NotFound(Refused):
    code = "not_found"


class Forbidden(Refused):
    code = "forbidden"


class InvalidRequest(Refused):
    code = "invalid_request"
