"""Aliyun's Dysmsapi SendSms (RPC style): recomputes the HMAC-SHA1 signature over the
parameters as Aliyun documents it, checks timestamp and nonce, the sign name, the template
and its variables, and records the text the phone would show ("【sign】" + template)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from string import Template
from typing import Any
from urllib.parse import quote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .server import Script

ALIYUN_NUMBER = re.compile(r"^(1\d{10}|[2-9]\d{7,14})$")  # mainland without 86, or country code + number


def aliyun_answer(code: str, message: str, status: int = 200, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"Code": code, "Message": message, "RequestId": str(uuid.uuid4()), **extra}, status_code=status
    )


def _encode(value: str) -> str:
    # Aliyun's reference: URL-encode as UTF-8, then "+"→"%20", "*"→"%2A", "%7E"→"~".
    return quote_plus(value).replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


@dataclass
class Texted:
    phone: str
    text: str
    out_id: str


@dataclass
class FakeAliyunSms:
    access_key_id: str
    access_key_secret: str
    sign_name: str
    templates: dict[str, str]
    clock: Callable[[], float] = time.time
    received: list[Texted] = field(default_factory=list)
    script: Script = field(default_factory=Script)
    _nonces: set[str] = field(default_factory=set)

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[Route("/", self._rpc, methods=["GET", "POST"])])

    async def _rpc(self, request: Request) -> Response:
        params = {**request.query_params, **{k: str(v) for k, v in (await request.form()).items()}}
        refused = self._check_signature(request.method, params)
        if refused:
            return refused
        if (params.get("Action"), params.get("Version")) != ("SendSms", "2017-05-25"):
            return aliyun_answer("InvalidAction.NotFound", "Specified api is not found", 404)
        if params.get("SignName") != self.sign_name:
            return aliyun_answer("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        template = self.templates.get(params.get("TemplateCode", ""))
        if template is None:
            return aliyun_answer("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            variables = json.loads(params.get("TemplateParam", "{}"))
            text = Template(template).substitute(variables)
        except (ValueError, KeyError):
            return aliyun_answer("isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        phone = params.get("PhoneNumbers", "")
        if not ALIYUN_NUMBER.match(phone):
            return aliyun_answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        answer = self.script.take()
        if answer:
            return await answer.response()
        self.received.append(Texted(phone, f"【{self.sign_name}】{text}", params.get("OutId", "")))
        return aliyun_answer("OK", "OK", BizId=f"{uuid.uuid4().int % 10**18}^0")

    def _check_signature(self, method: str, params: dict[str, str]) -> Response | None:
        if params.get("AccessKeyId") != self.access_key_id:
            return aliyun_answer("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        if (params.get("SignatureMethod"), params.get("SignatureVersion")) != ("HMAC-SHA1", "1.0"):
            return aliyun_answer(
                "InvalidSignatureMethod", "Specified signature method is not supported.", 400
            )
        unsigned = sorted((k, v) for k, v in params.items() if k != "Signature")
        query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in unsigned)
        string_to_sign = f"{method}&{_encode('/')}&{_encode(query)}"
        expected = base64.b64encode(
            hmac.new(f"{self.access_key_secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        if not hmac.compare_digest(expected, params.get("Signature", "")):
            return aliyun_answer(
                "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.", 400
            )
        try:
            stamp = datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return aliyun_answer("InvalidTimeStamp.Format", "Specified time stamp is not valid.", 400)
        if abs(stamp.timestamp() - self.clock()) > 15 * 60:
            return aliyun_answer(
                "InvalidTimeStamp.Expired", "Specified time stamp or date header is expired.", 400
            )
        nonce = params.get("SignatureNonce", "")
        if not nonce or nonce in self._nonces:
            return aliyun_answer("SignatureNonceUsed", "Specified signature nonce was used already.", 400)
        self._nonces.add(nonce)
        return None
