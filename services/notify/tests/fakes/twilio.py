"""Twilio's Messages API: checks HTTP basic auth (account SID and auth token) and the form,
answers with Twilio's error codes, and records the texts the phones would get."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass, field

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .server import Script

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def twilio_error(status: int, code: int, message: str) -> JSONResponse:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return JSONResponse(body, status_code=status)


@dataclass
class Texted:
    to: str
    body: str
    sender: dict[str, str]
    sid: str = ""
    status_callback: str | None = None


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    landlines: set[str] = field(default_factory=set)
    received: list[Texted] = field(default_factory=list)
    script: Script = field(default_factory=Script)

    @property
    def app(self) -> Starlette:
        return Starlette(
            routes=[Route("/2010-04-01/Accounts/{sid}/Messages.json", self._create, methods=["POST"])]
        )

    async def _create(self, request: Request) -> Response:
        if not self._authorised(request.headers.get("authorization", "")):
            return twilio_error(401, 20003, "Authenticate")
        if request.path_params["sid"] != self.account_sid:
            return twilio_error(404, 20404, "The requested resource was not found")
        form = await request.form()
        to, body = str(form.get("To", "")), str(form.get("Body", ""))
        sender = {k: str(form[k]) for k in ("From", "MessagingServiceSid") if form.get(k)}
        if not sender:
            return twilio_error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required")
        if not body:
            return twilio_error(400, 21602, "Message body is required.")
        if not E164.match(to):
            return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in self.landlines:
            return twilio_error(400, 21614, f"'To' number {to} is not a valid mobile number")
        answer = self.script.take()
        if answer:
            return await answer.response()
        sid = f"SM{uuid.uuid4().hex}"
        callback = form.get("StatusCallback")
        self.received.append(Texted(to, body, sender, sid, str(callback) if callback else None))
        return JSONResponse({"sid": sid, "status": "queued", "to": to, "body": body}, status_code=201)

    def _authorised(self, authorization: str) -> bool:
        scheme, _, encoded = authorization.partition(" ")
        if scheme != "Basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return (user, password) == (self.account_sid, self.auth_token)

    async def report(self, texted: Texted, status: str, error_code: str = "") -> int:
        """Post a delivery report to the message's StatusCallback, signed as Twilio signs
        it; returns the HTTP status the receiver answered."""
        assert texted.status_callback, "the message was sent without a StatusCallback"
        form = {"AccountSid": self.account_sid, "MessageSid": texted.sid, "MessageStatus": status}
        form["To"] = texted.to
        if error_code:
            form["ErrorCode"] = error_code
        signed = texted.status_callback + "".join(k + form[k] for k in sorted(form))
        digest = hmac.new(self.auth_token.encode(), signed.encode(), hashlib.sha1).digest()
        async with httpx.AsyncClient() as client:
            response = await client.post(
                texted.status_callback,
                data=form,
                headers={"X-Twilio-Signature": base64.b64encode(digest).decode()},
            )
        return response.status_code
