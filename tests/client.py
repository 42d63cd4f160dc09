"""A small client app for the tests: REST calls and socket devices, as a phone would use them."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import websockets

PASSWORD = "correct horse battery"


@dataclass
class Account:
    user_id: str
    shop_id: str
    role: str
    token: str
    login: str
    refresh_token: str = ""

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


class Api:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=15)

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.http.aclose()

    async def shop(self, name: str = "Golden Paws") -> Account:
        login = f"owner-{uuid.uuid4().hex[:8]}@shop.test"
        body = {"name": name, "owner": {"login": login, "name": "Owner", "password": PASSWORD}}
        return self._account(await self._ok("POST", "/v1/shops", json=body), login)

    async def staff(self, owner: Account, name: str = "Groomer") -> Account:
        login = f"staff-{uuid.uuid4().hex[:8]}@shop.test"
        body = {"login": login, "name": name, "password": PASSWORD}
        await self._ok("POST", f"/v1/shops/{owner.shop_id}/staff", json=body, headers=owner.auth)
        return await self.sign_in(owner.shop_id, login)

    async def customer(self, shop_id: str, name: str = "Wang") -> Account:
        login = f"138{uuid.uuid4().int % 10**8:08d}"
        body = {"login": login, "name": name, "password": PASSWORD}
        return self._account(await self._ok("POST", f"/v1/shops/{shop_id}/customers", json=body), login)

    async def sign_in(self, shop_id: str, login: str) -> Account:
        body = {"shop_id": shop_id, "login": login, "password": PASSWORD}
        return self._account(await self._ok("POST", "/v1/auth/token", json=body), login)

    async def open_conversation(self, caller: Account, customer_id: str | None = None) -> str:
        body = {"customer_id": customer_id} if customer_id else {}
        found = await self._ok("POST", "/v1/conversations", json=body, headers=caller.auth)
        return str(found["id"])

    async def send(
        self,
        caller: Account,
        conversation_id: str,
        text: str,
        client_msg_id: str | None = None,
        **extra: Any,
    ):
        return await self.http.post(
            f"/v1/conversations/{conversation_id}/messages",
            json={"client_msg_id": client_msg_id or uuid.uuid4().hex, "text": text, **extra},
            headers=caller.auth,
        )

    async def upload(
        self, caller: Account, conversation_id: str, name: str, data: bytes, content_type: str
    ) -> httpx.Response:
        return await self.http.post(
            f"/v1/conversations/{conversation_id}/attachments",
            files={"file": (name, data, content_type)},
            headers=caller.auth,
        )

    async def history(self, caller: Account, conversation_id: str, **params: int) -> dict[str, Any]:
        return await self._ok(
            "GET", f"/v1/conversations/{conversation_id}/messages", params=params, headers=caller.auth
        )

    async def push_device(self, caller: Account) -> str:
        """Subscribe the caller's browser to web push (the development sink records what it
        would get); returns the device id."""
        endpoint = f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}"
        subscription = {
            "endpoint": endpoint,
            "keys": {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2w", "auth": "tBHItJI5svbpez7KI4CCXg"},
        }
        found = await self._ok(
            "POST",
            "/v1/devices",
            json={"platform": "webpush", "address": json.dumps(subscription)},
            headers=caller.auth,
        )
        return str(found["device_id"])

    async def device(
        self,
        caller: Account,
        auth: Literal["frame", "protocol", "query"] = "frame",
        sync: dict[str, int] | None = None,
    ) -> Device:
        """A socket that signs in as docs/websocket.md says: by its first frame (as apps do),
        a Sec-WebSocket-Protocol token, or the older ?access_token= query. A reconnecting
        device passes `sync` (its last seq per conversation): inside its auth frame, or right
        behind the sign-in for the other two; answered by `sync.done` with ref "resume"."""
        url = self.base_url.replace("http://", "ws://") + "/v1/ws"
        protocols = None
        if auth == "query":
            url += f"?access_token={caller.token}"
        elif auth == "protocol":
            protocols = ["frontdesk.v1", f"access_token.{caller.token}"]
        socket = await websockets.connect(url, max_size=2**22, subprotocols=protocols)
        if auth == "frame":
            # A resuming device names its last seqs in the sign-in itself: no live message can
            # then reach it ahead of its catch-up.
            resume = {} if sync is None else {"id": "resume", "sync": sync}
            await socket.send(json.dumps({"type": "auth", "access_token": caller.token, **resume}))
        elif sync is not None:
            await socket.send(json.dumps({"type": "sync", "id": "resume", "conversations": sync}))
        device = Device(socket)
        ready = await device.next("ready")
        assert ready["user_id"] == caller.user_id
        return device

    async def _ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        assert response.status_code in (200, 201), response.text
        return response.json()

    @staticmethod
    def _account(body: dict[str, Any], login: str) -> Account:
        return Account(
            body["user_id"], body["shop_id"], body["role"], body["access_token"], login, body["refresh_token"]
        )


class Device:
    """One socket; every frame it receives is kept, in order."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.frames: list[dict[str, Any]] = []
        self._arrived = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())
        self.closed: tuple[int | None, str] | None = None
        # Which gateway took the socket, when a load balancer says (frontdesk_local.balancer).
        self.served_by: str | None = socket.response.headers.get("x-frontdesk-gateway")

    async def _read(self) -> None:
        try:
            async for raw in self.socket:
                async with self._arrived:
                    self.frames.append(json.loads(raw))
                    self._arrived.notify_all()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed = (self.socket.close_code, self.socket.close_reason or "")
            async with self._arrived:
                self._arrived.notify_all()

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.socket.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def send_message(
        self, conversation_id: str, text: str, client_msg_id: str | None = None, **extra: Any
    ) -> str:
        client_msg_id = client_msg_id or uuid.uuid4().hex
        await self.send(
            {
                "type": "message.send",
                "conversation_id": conversation_id,
                "client_msg_id": client_msg_id,
                "text": text,
                **extra,
            }
        )
        return client_msg_id

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == kind]

    async def next(self, kind: str, timeout: float = 10, **match: Any) -> dict[str, Any]:
        """The first frame of a type (and matching fields) not yet taken."""
        async with asyncio.timeout(timeout), self._arrived:
            while True:
                for frame in self.frames:
                    if (
                        frame["type"] == kind
                        and not frame.get("_taken")
                        and all(_field(frame, k) == v for k, v in match.items())
                    ):
                        frame["_taken"] = True
                        return frame
                if self.closed:
                    raise AssertionError(f"socket closed {self.closed} before a {kind} frame came")
                await self._arrived.wait()

    async def wait_closed(self, timeout: float = 10) -> tuple[int | None, str]:
        async with asyncio.timeout(timeout):
            await self._reader
        assert self.closed is not None
        return self.closed

    async def close(self) -> None:
        await self.socket.close()
        await self._reader


def _field(frame: dict[str, Any], key: str) -> Any:
    if key in frame:
        return frame[key]
    return frame.get("message", {}).get(key)
