from frontdesk_platform.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict

from .adapters.providers.settings import ProviderSettings
from .domain.devices import PUSH_SERVICES
from .domain.webhooks import RETRY_SCHEDULE_SECONDS


class Settings(ServiceSettings):
    """Provider settings nest with `__`, e.g. FRONTDESK_PROVIDERS__TWILIO__ACCOUNT_SID; with
    none configured every notification goes to the development sink."""

    model_config = SettingsConfigDict(env_prefix="FRONTDESK_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "notify"
    http_port: int = 8103
    ops_port: int = 9103
    database_name: str = "frontdesk_notify"
    default_language: str = "zh-CN"
    timer_poll_seconds: float = 0.5
    delivery_poll_seconds: float = 0.25
    fallback_after_seconds: float = 600
    chat_alert_delay_seconds: float = 60  # unread this long → a push; a burst within it → one
    max_attempts: int = 5
    batch_size: int = 200  # rows claimed per transaction by the timers and delivery
    providers: ProviderSettings = ProviderSettings()
    push_services: tuple[str, ...] = PUSH_SERVICES  # Web Push endpoints must be on one of these
    booking_link: str = "frontdesk://book"  # a care notice's one-tap link: the app's (or web) booking screen
    campaign_cap_days: float = 7.0  # at most one campaign per customer and shop in this many days
    webhook_retry_seconds: tuple[float, ...] = RETRY_SCHEDULE_SECONDS  # waits between a webhook's tries
    webhooks_allow_loopback: bool = False  # test mode only: webhook receivers on http://127.0.0.1
