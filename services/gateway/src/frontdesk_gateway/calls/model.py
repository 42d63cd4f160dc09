"""One call's state and the rules of its steps. Pure: the store keeps it in Redis and
applies a step atomically, so two gateway instances never both win the same step.

A call rings (`ringing`) until one device of the callee accepts (`active`), or it is
declined, cancelled, times out (missed) or its caller's device drops; an active call
ends when either side hangs up or either side's device drops. Only the caller's device
and the one device that accepted exchange SDP and ICE candidates.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from frontdesk_platform.errors import ApiError

State = Literal["ringing", "active", "ended"]
Media = Literal["audio", "video", "live_view"]
MEDIA = ("audio", "video", "live_view")


class CallRefused(ApiError):
    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(status, code, message)


NOT_FOUND = "call_not_found"


def not_found() -> CallRefused:
    return CallRefused(NOT_FOUND, "No such call, or not yours.", 404)


@dataclass
class Party:
    user_id: UUID
    role: str
    connection: UUID  # the one socket (device) of this party in the call


@dataclass
class Call:
    call_id: UUID
    shop_id: UUID
    conversation_id: UUID
    customer_id: UUID
    media: Media
    caller: Party
    callees: list[UUID]  # every device of these users rings
    started_at: datetime
    state: State = "ringing"
    answered_by: Party | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None
    reason: str | None = None
    booking_id: UUID | None = None
    limit_seconds: int | None = None  # a live view ends by itself after this long

    # -- who -------------------------------------------------------------------------

    def is_callee(self, user_id: UUID) -> bool:
        return user_id in self.callees

    def party_connections(self) -> list[UUID]:
        both = [self.caller.connection]
        if self.answered_by is not None:
            both.append(self.answered_by.connection)
        return both

    def peer_of(self, connection: UUID) -> UUID:
        """The other party's socket; refused for any socket that is not a party's."""
        if self.state != "active" or self.answered_by is None:
            raise not_found()
        if connection == self.caller.connection:
            return self.answered_by.connection
        if connection == self.answered_by.connection:
            return self.caller.connection
        raise not_found()

    # -- steps -----------------------------------------------------------------------

    def accept(self, user_id: UUID, role: str, connection: UUID, at: datetime) -> None:
        if not self.is_callee(user_id):
            raise not_found()
        if self.state == "active":
            raise CallRefused("call_answered_elsewhere", "The call was answered on another device.")
        if self.state != "ringing":
            raise CallRefused("call_ended", "The call is over.")
        self.state, self.answered_by = "active", Party(user_id, role, connection)
        self.answered_at = self.answered_at or at  # a live view rejoined counts from its first answer

    def decline(self, user_id: UUID, at: datetime) -> None:
        if not self.is_callee(user_id):
            raise not_found()
        self._ringing()
        self._end("declined", "declined", at)

    def cancel(self, connection: UUID, at: datetime) -> None:
        if connection != self.caller.connection:
            raise not_found()
        self._ringing()
        self._end("cancelled", "cancelled", at)

    def hang_up(self, connection: UUID, at: datetime) -> None:
        if connection not in self.party_connections():
            raise not_found()
        if self.state == "ended":
            raise CallRefused("call_ended", "The call is over.")
        if self.state == "ringing":  # the caller hanging up before an answer is a cancel
            self._end("cancelled", "cancelled", at)
        else:
            self._end("completed", "hangup", at)

    def dropped(self, connection: UUID, at: datetime) -> str | None:
        """A party's device went away: "ended" for the other side too, or, for a live
        view's viewer, "left" (it rings again: they may join from any device). None if the
        socket was not a party's (a ringing callee device that closed changes nothing)."""
        if self.state == "ended" or connection not in self.party_connections():
            return None
        if self.media == "live_view" and self.answered_by and connection == self.answered_by.connection:
            self.state, self.answered_by = "ringing", None
            return "left"
        self._end("completed" if self.state == "active" else "cancelled", "dropped", at)
        return "ended"

    def time_out(self, at: datetime) -> bool:
        """Nobody answered in time: missed. False if it was answered or ended meanwhile."""
        if self.state != "ringing":
            return False
        self._end("missed", "timeout", at)
        return True

    def run_out(self, at: datetime) -> bool:
        """A live view past the shop's limit ends."""
        if self.state == "ended":
            return False
        self._end("completed" if self.state == "active" else "missed", "limit", at)
        return True

    def finish(self, reason: str, at: datetime) -> bool:
        """Ended from outside (the booking was completed): False if over already."""
        if self.state == "ended":
            return False
        self._end("completed" if self.state == "active" else "cancelled", reason, at)
        return True

    @property
    def duration_ms(self) -> int:
        if self.answered_at is None or self.ended_at is None:
            return 0
        return max(int((self.ended_at - self.answered_at).total_seconds() * 1000), 0)

    def _ringing(self) -> None:
        if self.state == "active":
            raise CallRefused("call_answered_elsewhere", "The call was answered already; hang up instead.")
        if self.state != "ringing":
            raise CallRefused("call_ended", "The call is over.")

    def _end(self, outcome: str, reason: str, at: datetime) -> None:
        self.state, self.outcome, self.reason, self.ended_at = "ended", outcome, reason, at

    # -- storage ---------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Call:
        def party(value: dict[str, Any] | None) -> Party | None:
            if value is None:
                return None
            return Party(UUID(value["user_id"]), value["role"], UUID(value["connection"]))

        def when(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        caller = party(data["caller"])
        assert caller is not None
        return cls(
            call_id=UUID(data["call_id"]),
            shop_id=UUID(data["shop_id"]),
            conversation_id=UUID(data["conversation_id"]),
            customer_id=UUID(data["customer_id"]),
            media=data["media"],
            caller=caller,
            callees=[UUID(u) for u in data["callees"]],
            started_at=datetime.fromisoformat(data["started_at"]),
            state=data["state"],
            answered_by=party(data.get("answered_by")),
            answered_at=when(data.get("answered_at")),
            ended_at=when(data.get("ended_at")),
            outcome=data.get("outcome"),
            reason=data.get("reason"),
            booking_id=UUID(data["booking_id"]) if data.get("booking_id") else None,
            limit_seconds=data.get("limit_seconds"),
        )
