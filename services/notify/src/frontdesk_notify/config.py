from frontdesk_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "notify"
    http_port: int = 8103
    database_name: str = "frontdesk_notify"
    default_language: str = "zh-CN"
    timer_poll_seconds: float = 0.5
    delivery_poll_seconds: float = 0.25
    campaign_cap_days: float = 7.0  # at most one campaign per customer and shop in this many days
