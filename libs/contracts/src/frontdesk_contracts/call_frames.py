"""The call frames of the gateway's WebSocket (docs/calls.md): what the gateway builds and
what the AsyncAPI document lists, from one place. Signalling only; media never reaches
Frontdesk."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from .messaging import CallMedia, CallOutcome, Role

CallState = Literal["ringing", "active", "ended"]
CallReason = Literal["hangup", "dropped", "timeout", "declined", "cancelled", "limit", "booking_completed"]


class CallParty(BaseModel):
    user_id: UUID
    role: Role


class CallView(BaseModel):
    """A call as both sides see it (never the other side's socket)."""

    call_id: UUID
    conversation_id: UUID
    media: CallMedia
    caller: CallParty
    state: CallState
    answered_by: CallParty | None = None
    started_at: datetime
    outcome: CallOutcome | None = None
    reason: CallReason | None = None
    duration_ms: int = 0
    booking_id: UUID | None = Field(default=None, description="A live view: the booking it shows.")


class IceServer(BaseModel):
    """One entry of RTCPeerConnection's iceServers: short-lived TURN REST API credentials."""

    urls: list[str]
    username: str = Field(description='"<expiry unix time>:<user id>"')
    credential: str = Field(description="base64(HMAC-SHA1(the TURN server's shared secret, username))")
    ttl: int = Field(description="Seconds the credential is valid for.")


# -- client → server ----------------------------------------------------------------


class CallInvite(BaseModel):
    type: Literal["call.invite"]
    id: str | None = None
    media: CallMedia
    conversation_id: UUID | None = Field(default=None, description="audio and video: the conversation")
    booking_id: UUID | None = Field(default=None, description="live_view (staff): the checked-in booking")


class CallStep(BaseModel):
    type: Literal["call.accept", "call.decline", "call.cancel", "call.hangup"]
    id: str | None = None
    call_id: UUID


class CallSdp(BaseModel):
    """Client to server from one party; server to client to the other party only (with `from`)."""

    type: Literal["call.offer", "call.answer"]
    call_id: UUID
    sdp: str = Field(max_length=60_000)
    from_: UUID | None = Field(default=None, alias="from", description="Server to client: the sender")


class CallIce(BaseModel):
    """A trickled candidate (RTCIceCandidateInit), or null when the sender has no more."""

    type: Literal["call.ice"]
    call_id: UUID
    candidate: dict[str, Any] | None
    from_: UUID | None = Field(default=None, alias="from", description="Server to client: the sender")


# -- server → client ----------------------------------------------------------------


class CallRinging(BaseModel):
    """To the caller's device: the call rings; ice_servers for its peer connection."""

    type: Literal["call.ringing"]
    ref: str | None = None
    call: CallView
    ice_servers: list[IceServer]


class CallIncoming(BaseModel):
    """To every device of the callee(s)."""

    type: Literal["call.incoming"]
    call: CallView


class CallAccepted(BaseModel):
    """To the caller's device, and to the device that accepted (with its ice_servers)."""

    type: Literal["call.accepted"]
    call: CallView
    ice_servers: list[IceServer] | None = None


class CallChanged(BaseModel):
    """answered_elsewhere: the callee's other devices stop ringing. left: a live view's viewer
    went away (it rings again). ended: to both parties and every device that was ringing."""

    type: Literal["call.answered_elsewhere", "call.left", "call.ended"]
    call: CallView


CLIENT_FRAMES: tuple[type[BaseModel], ...] = (CallInvite, CallStep, CallSdp, CallIce)
SERVER_FRAMES: tuple[type[BaseModel], ...] = (
    CallRinging,
    CallIncoming,
    CallAccepted,
    CallChanged,
    CallSdp,
    CallIce,
)
