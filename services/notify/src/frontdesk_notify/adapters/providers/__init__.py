"""Provider adapters: one per way a notification leaves the system (push services, SMS).

Each adapter speaks its provider's HTTP API and turns the answer into an `Outcome`, so
the delivery loop never needs to know a provider's error codes. `build_providers` makes
the configured ones from `ProviderSettings`.
"""

from .base import Message, Outcome, Platform, Provider
from .factory import build_providers, new_http_client
from .settings import (
    AliyunSmsSettings,
    ApnsSettings,
    FcmSettings,
    ProviderSettings,
    TwilioSettings,
    WebPushSettings,
)

__all__ = [
    "AliyunSmsSettings",
    "ApnsSettings",
    "FcmSettings",
    "Message",
    "Outcome",
    "Platform",
    "Provider",
    "ProviderSettings",
    "TwilioSettings",
    "WebPushSettings",
    "build_providers",
    "new_http_client",
]
