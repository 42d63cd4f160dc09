"""Each provider's settings, and `ProviderSettings` gathering them. A provider whose
settings are absent is off. Nothing here reads the environment: the service's own
settings (pydantic-settings) hold a `ProviderSettings` and hand it over."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WebPushSettings(_Settings):
    vapid_private_key: SecretStr
    """The VAPID key: PEM, or the raw 32-byte P-256 key in base64url (as `web-push
    generate-vapid-keys` prints it). Its public half is the browsers' applicationServerKey."""
    vapid_subject: str = Field(pattern=r"^(mailto:|https://)")
    """Who the push services contact about this sender: mailto: or an https URL."""
    ttl_seconds: int = Field(default=24 * 3600, ge=0)
    """How long a push service keeps a message for a device that is offline."""
    allow_plain_http: bool = False
    """Subscription endpoints come from browsers, so only https ones are used; tests turn
    this on to point subscriptions at a fake push service on http://127.0.0.1."""


class FcmSettings(_Settings):
    project_id: str
    client_email: str
    private_key: SecretStr
    """The service account's RSA key (PEM), from its JSON key file."""
    token_uri: str = "https://oauth2.googleapis.com/token"
    base_url: str = "https://fcm.googleapis.com"

    @classmethod
    def from_service_account(cls, key_file: str | Mapping[str, Any], **overrides: Any) -> FcmSettings:
        """From the JSON key file Google hands out for a service account (its text or parsed)."""
        info = json.loads(key_file) if isinstance(key_file, str) else key_file
        return cls(
            project_id=info["project_id"],
            client_email=info["client_email"],
            private_key=info["private_key"],
            token_uri=info.get("token_uri", "https://oauth2.googleapis.com/token"),
            **overrides,
        )


class ApnsSettings(_Settings):
    team_id: str
    key_id: str
    private_key: SecretStr
    """The token-signing key (.p8 file contents, PEM)."""
    topic: str
    """The app's bundle id."""
    base_url: str = "https://api.push.apple.com"
    """https://api.sandbox.push.apple.com for development builds of the app."""


class TwilioSettings(_Settings):
    account_sid: str
    auth_token: SecretStr
    from_number: str | None = None
    messaging_service_sid: str | None = None
    """Preferred over `from_number` when set: Twilio then picks the sender from the service."""
    base_url: str = "https://api.twilio.com"
    status_callback_url: str | None = None
    """The public URL Twilio reports delivery to: the gateway's /v1/providers/twilio/status."""

    @model_validator(mode="after")
    def _has_a_sender(self) -> TwilioSettings:
        if not (self.from_number or self.messaging_service_sid):
            raise ValueError("Twilio needs from_number or messaging_service_sid")
        return self


class AliyunSmsSettings(_Settings):
    access_key_id: str
    access_key_secret: SecretStr
    sign_name: str
    template_code: str
    """An approved template with one variable, named by `template_param`, which receives
    the whole rendered text, e.g. `${content}`."""
    template_param: str = "content"
    region_id: str = "cn-hangzhou"
    base_url: str = "https://dysmsapi.aliyuncs.com"


class ProviderSettings(_Settings):
    webpush: WebPushSettings | None = None
    fcm: FcmSettings | None = None
    apns: ApnsSettings | None = None
    twilio: TwilioSettings | None = None
    aliyun_sms: AliyunSmsSettings | None = None

    @model_validator(mode="after")
    def _one_sms_provider(self) -> ProviderSettings:
        if self.twilio and self.aliyun_sms:
            raise ValueError("configure one SMS provider: twilio or aliyun_sms, not both")
        return self
