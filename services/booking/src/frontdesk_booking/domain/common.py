"""What every booking aggregate shares: who is acting, and why a command is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

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


class Refused(Exception):
    """A command the aggregate will not carry out; nothing is written."""

    code = "refused"


class NotFound(Refused):
    code = "not_found"


class Forbidden(Refused):
    code = "forbidden"


class InvalidRequest(Refused):
    code = "invalid_request"
