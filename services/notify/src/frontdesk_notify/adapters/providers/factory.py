"""Builds the providers whose settings are present, all sharing one HTTP client."""

from __future__ import annotations

import httpx

from .aliyun_sms import AliyunSms
from .apns import Apns
from .base import Platform, Provider
from .fcm import Fcm
from .settings import ProviderSettings
from .twilio import TwilioSms
from .webpush import WebPush


def new_http_client(timeout: float = 10.0) -> httpx.AsyncClient:
    """The client the providers share: HTTP/2 where the server offers it (APNs requires it),
    HTTP/1.1 elsewhere. Whoever makes it closes it (the service's lifespan)."""
    return httpx.AsyncClient(
        http2=True,
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        follow_redirects=False,
    )


def build_providers(settings: ProviderSettings, http: httpx.AsyncClient) -> dict[Platform, Provider]:
    providers: dict[Platform, Provider] = {}
    if settings.webpush:
        providers["webpush"] = WebPush(settings.webpush, http)
    if settings.fcm:
        providers["fcm"] = Fcm(settings.fcm, http)
    if settings.apns:
        providers["apns"] = Apns(settings.apns, http)
    if settings.twilio:
        providers["sms"] = TwilioSms(settings.twilio, http)
    elif settings.aliyun_sms:
        providers["sms"] = AliyunSms(settings.aliyun_sms, http)
    return providers
