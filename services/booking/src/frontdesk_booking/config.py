from frontdesk_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "booking"
    http_port: int = 8102
    ops_port: int = 9102
    database_name: str = "frontdesk_booking"
    hold_sweep_seconds: float = 5.0
    # Tests only: a waitlist offer's hold lasts this many seconds, not the shop's minutes.
    waitlist_hold_seconds: float | None = None
