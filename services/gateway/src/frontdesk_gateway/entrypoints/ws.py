"""The WebSocket endpoint: one socket per device. Frames are described in docs/websocket.md."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Coroutine, MutableMapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

import orjson
from fastapi import WebSocket
from frontdesk_contracts import Envelope
from frontdesk_platform.command_client import is_rejection
from frontdesk_platform.errors import ApiError, field_problem
from frontdesk_platform.observability import CONVERSATION_ATTRIBUTE, handling
from frontdesk_platform.storable import Int32, StoredBody
from opentelemetry import trace
from pydantic import Field, ValidationError, model_validator
from starlette.types import ASGIApp, Receive, Scope, Send

from ..attachments.service import Attachments
from ..calls.frames import KINDS as CALL_FRAMES
from ..calls.frames import CallFrames
from ..config import GatewaySettings
from ..conversations import Conversations
from ..realtime.connections import Connection, Connections
from ..realtime.signals import Signals
from .auth import verified_principal
from .origins import origin_allowed
from .socket_auth import UNAUTHORIZED, authenticate, error_frame, forget_handshake

log = logging.getLogger(__name__)
PATH = "/v1/ws"

SYNC_PAGE = 200
SYNC_PAGES = 5  # past 1000 missed messages a device pages the rest over REST


class ReceiptFrame(StoredBody):
    conversation_id: UUID
    up_to_seq: Int32 = Field(ge=0)


class SyncFrame(StoredBody):
    conversations: dict[UUID, Annotated[Int32, Field(ge=0)]] = Field(max_length=500)


def _refusal(exc: ValidationError) -> tuple[str, str]:
    """`invalid_text`, `out_of_range` or `invalid_time` for what PostgreSQL could never
    store (naming the field), else `invalid_frame` with every problem."""
    code, message = field_problem(exc.errors())
    if code != "invalid_request":
        return code, message
    return "invalid_frame", "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


class SendFrame(StoredBody):
    type: str
    conversation_id: UUID
    client_msg_id: str = Field(min_length=1, max_length=64)
    text: str | None = None
    attachment_id: UUID | None = None

    @model_validator(mode="after")
    def _text_or_attachment(self) -> SendFrame:
        if self.attachment_id is None and self.text is None:
            raise ValueError("text is required unless attachment_id is given")
        return self


class StraightToSockets:
    """The outermost middleware: a handshake for /v1/ws goes straight to `socket`.

    The HTTP middlewares (service credential, body limit, request metrics, audit trail,
    CORS) and FastAPI's routing would only pass a socket through, but each level's frame,
    exit stack and scope copy would then be held for the socket's whole life: with
    thousands of idle sockets that was a third of the memory each one cost.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_socket(scope):
            await socket(WebSocket(scope, receive, send))
        else:
            await self.app(scope, receive, send)


def is_socket(scope: MutableMapping[str, Any]) -> bool:
    """Also keeps FastAPI's own telemetry off sockets: a span open for as long as a device
    stays connected (hours) costs memory all that time and says little when it ends."""
    return bool(scope["type"] == "websocket" and scope["path"] == PATH)


async def socket(websocket: WebSocket) -> None:
    state = websocket.app.state
    if not origin_allowed(websocket.headers, state.settings.cors_origins):
        await websocket.close()  # before accept: the handshake is answered 403
        return
    signed_in = await authenticate(
        websocket,
        lambda token: verified_principal(state.issuer, state.revocations, token),
        state.settings.socket_auth_seconds,
    )
    if signed_in is None:
        return
    principal = signed_in.principal
    forget_handshake(websocket)
    connections: Connections = state.connections
    connection = Connection(websocket, principal, state.settings.socket_queue_size)
    signals: Signals = state.signals
    session = _Session(
        connection, state.conversations, state.attachments, signals, state.settings, state.call_frames
    )
    if signed_in.resume is not None:
        session.sync(signed_in.resume)  # holds its conversations before the first live message
    connections.add(connection)
    # Every way out of here removes the socket from this instance and from presence: a
    # connect that fails half-way must not leave a record behind.
    expiry: asyncio.TimerHandle | None = None
    try:
        connection.push(
            {
                "type": "ready",
                "user_id": str(principal.user_id),
                "shop_id": str(principal.shop_id),
                "role": principal.role,
            }
        )
        signals.connected(connection)  # written to Redis in the background, with others
        expiry = session.end_when_token_expires()
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            await session.on_frame(message.get("text") or message.get("bytes") or "")
    finally:
        connections.remove(connection)
        signals.disconnected(connection)
        if expiry is not None:
            expiry.cancel()
        await session.stop()
        await connection.close()
        await state.calls.disconnected(connection)  # its calls end for the other side


class _Session:
    def __init__(
        self,
        connection: Connection,
        conversations: Conversations,
        attachments: Attachments,
        signals: Signals,
        settings: GatewaySettings,
        calls: CallFrames,
    ) -> None:
        self._connection = connection
        self._calls = calls
        self._conversations = conversations
        self._attachments = attachments
        self._signals = signals
        self._max_frame_bytes = settings.max_frame_bytes
        # A socket can wait for its ack longer than a REST call: nobody holds a request open.
        self._ack_timeout = settings.socket_ack_timeout_seconds
        self._waiting: set[asyncio.Task[None]] = set()

    async def on_frame(self, raw: str | bytes) -> None:
        size = len(raw.encode() if isinstance(raw, str) else raw)
        if size > self._max_frame_bytes:
            self._error("frame_too_large", f"A frame has at most {self._max_frame_bytes} bytes.")
            return
        try:
            frame = _parsed(raw)
        except (ValueError, UnicodeDecodeError):
            self._error("invalid_json", "The frame is not valid JSON.")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            self._error("invalid_frame", 'A frame is a JSON object with a "type".')
            return
        try:
            with _frame_trace(frame):
                await self._dispatch(frame, frame["type"])
        except ApiError as exc:
            self._error(exc.code, exc.message, frame.get("id"))

    async def _dispatch(self, frame: dict[str, Any], kind: str) -> None:
        if kind == "ping":
            self._connection.push({"type": "pong", "ref": frame.get("id")})
        elif kind == "message.send":
            await self._send(frame)
        elif kind in ("read", "delivered"):
            await self._receipt(kind, frame)
        elif kind == "typing":
            await self._typing(frame)
        elif kind == "sync":
            self.sync(frame)
        elif kind == "presence.set":
            await self._presence(frame)
        elif kind in CALL_FRAMES:
            await self._calls.on_frame(self._connection, kind, frame)
        else:
            self._error("unknown_frame_type", f"Unknown frame type {kind!r}.", frame.get("id"))

    async def _send(self, frame: dict[str, Any]) -> None:
        ref = frame.get("client_msg_id")
        try:
            send = SendFrame.model_validate(frame)
        except ValidationError as exc:
            code, why = _refusal(exc)
            self._error(code, f"message.send: {why}", ref)
            return
        caller = self._connection.principal
        try:
            attachment = None
            if send.attachment_id is not None:
                attachment = await self._attachments.for_message(
                    caller, send.conversation_id, send.attachment_id
                )
            command = self._conversations.send_command(
                caller, send.conversation_id, send.client_msg_id, send.text or "", attachment
            )
            await self._conversations.authorize(caller, send.conversation_id)
            await self._conversations.check_send_rate(caller)
            reply = await self._conversations.submit(command)
        except ApiError as exc:
            self._error(exc.code, exc.message, ref)
            return
        self._background(self._ack(send, reply))

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._waiting.add(task)
        task.add_done_callback(self._waiting.discard)

    async def _receipt(self, kind: str, frame: dict[str, Any]) -> None:
        try:
            receipt = ReceiptFrame.model_validate(frame)
        except ValidationError as exc:
            code, why = _refusal(exc)
            self._error(code, f"{kind}: {why}", frame.get("id"))
            return
        name = "messaging.receipt.mark_read.v1" if kind == "read" else "messaging.receipt.mark_delivered.v1"

        async def mark() -> None:
            try:
                await self._conversations.execute(
                    self._connection.principal,
                    receipt.conversation_id,
                    name,
                    {"up_to_seq": receipt.up_to_seq},
                )
            except ApiError as exc:
                self._error(exc.code, exc.message, frame.get("id"))

        self._background(mark())

    async def _typing(self, frame: dict[str, Any]) -> None:
        try:
            conversation_id = UUID(str(frame.get("conversation_id")))
            customer_id = await self._conversations.authorize(self._connection.principal, conversation_id)
        except ValueError:
            self._error("invalid_frame", "typing: conversation_id must be a UUID", frame.get("id"))
            return
        except ApiError as exc:
            self._error(exc.code, exc.message, frame.get("id"))
            return
        await self._signals.typing(self._connection.principal, conversation_id, customer_id)

    async def _presence(self, frame: dict[str, Any]) -> None:
        status = frame.get("status")
        if not self._connection.principal.is_staff or status not in ("online", "busy"):
            self._error(
                "invalid_frame", 'presence.set: staff only, status "online" or "busy"', frame.get("id")
            )
            return
        await self._signals.set_status(self._connection.principal, status)  # 503 while Redis is away

    def sync(self, frame: dict[str, Any]) -> None:
        """Catch a reconnecting device up: exactly the messages after its last seq, in order."""
        try:
            wanted = SyncFrame.model_validate(frame).conversations
        except ValidationError as exc:
            code, why = _refusal(exc)
            self._error(code, f"sync: {why}", frame.get("id"))
            return
        # Hold every named conversation before anything awaits: a live message that arrives
        # meanwhile must wait behind the catch-up, or the device gets it early and again later.
        for conversation_id, last_seq in wanted.items():
            self._connection.hold(conversation_id, last_seq)
        self._background(self._catch_up_all(wanted, frame.get("id")))

    async def _catch_up_all(self, wanted: dict[UUID, int], ref: Any) -> None:
        """Always ends in `sync.done`: a conversation that cannot be caught up gets an error
        frame (its ref is the conversation id) and the device pages it over REST."""
        caller = self._connection.principal
        for conversation_id, last_seq in wanted.items():
            try:
                await self._conversations.authorize(caller, conversation_id)
                await self._catch_up(conversation_id, last_seq)
            except ApiError as exc:
                self._error(exc.code, exc.message, str(conversation_id))
            except Exception:
                log.warning("sync of %s failed", conversation_id, exc_info=True)
                self._error(
                    "sync_failed",
                    "This conversation could not be caught up just now; page it with GET "
                    "/v1/conversations/{id}/messages?after_seq= or sync again.",
                    str(conversation_id),
                )
            finally:
                self._connection.release(conversation_id)
        self._connection.push({"type": "sync.done", "ref": ref})

    async def _catch_up(self, conversation_id: UUID, after: int) -> int:
        caller = self._connection.principal
        for _ in range(SYNC_PAGES):
            page = await self._conversations.history(
                caller, conversation_id, after_seq=after, limit=SYNC_PAGE
            )
            for message in page["messages"]:
                after = message["seq"]
                # Straight to the device: live messages wait in the hold until this is done.
                self._connection.catch_up(conversation_id, after, {"type": "message.new", "message": message})
            if after >= page["last_seq"]:
                return after
        self._connection.push(
            {"type": "sync.more", "conversation_id": str(conversation_id), "after_seq": after}
        )
        return after

    async def _ack(self, send: SendFrame, reply: asyncio.Future[Envelope]) -> None:
        outcome = await self._conversations.outcome(reply, self._ack_timeout)
        if outcome is None:
            self._error(
                "not_confirmed",
                f"Not confirmed within {self._ack_timeout:.0f}s; send again with the same "
                "client_msg_id (it will not be stored twice).",
                send.client_msg_id,
            )
        elif is_rejection(outcome):
            self._error(outcome.data["code"], outcome.data["message"], send.client_msg_id)
        else:
            self._connection.push(
                {
                    "type": "ack",
                    "conversation_id": str(send.conversation_id),
                    "client_msg_id": send.client_msg_id,
                    "message_id": outcome.data["message_id"],
                    "seq": outcome.data["seq"],
                    "duplicate": outcome.data.get("duplicate", False),
                }
            )

    def _error(self, code: str, message: str, ref: Any = None) -> None:
        self._connection.push(error_frame(code, message, ref))

    def end_when_token_expires(self) -> asyncio.TimerHandle:
        """A timer, not a task per socket: an idle socket should cost next to nothing."""
        remaining = (self._connection.principal.expires_at - datetime.now(UTC)).total_seconds()
        error = error_frame("token_expired", "The access token expired; reconnect with a fresh one.")
        return asyncio.get_running_loop().call_later(
            max(remaining, 0), self._connection.end, UNAUTHORIZED, error
        )

    async def stop(self) -> None:
        for task in list(self._waiting):
            task.cancel()


def _parsed(raw: str | bytes) -> Any:
    """orjson on the hot path; what it refuses, the standard parser reads once more: JSON
    may escape a lone surrogate, which the frame's validation then answers `invalid_text`
    (naming the field) rather than a bare `invalid_json`."""
    try:
        return orjson.loads(raw)
    except ValueError:
        return json.loads(raw)


# A frame that becomes a command starts a trace of its own, as a REST request does (the
# socket itself lives for hours: one trace for it would say nothing).
TRACED_FRAMES = frozenset({"message.send", "read", "delivered"})


def _frame_trace(frame: dict[str, Any]) -> AbstractContextManager[object]:
    if frame["type"] not in TRACED_FRAMES:
        return nullcontext()
    conversation = frame.get("conversation_id")
    about = (
        {CONVERSATION_ATTRIBUTE: conversation}
        if isinstance(conversation, str) and len(conversation) <= 64
        else {}
    )
    return handling(f"socket {frame['type']}", None, str(uuid4()), trace.SpanKind.SERVER, about)
