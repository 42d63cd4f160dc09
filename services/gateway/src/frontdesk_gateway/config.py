from frontdesk_platform.settings import ServiceSettings

DEV_SECRET = "frontdesk-dev-secret-change-me-in-production-0123456789"


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    http_port: int = 8000
    database_name: str = "frontdesk_gateway"

    jwt_secret: str = DEV_SECRET
    access_token_seconds: int = 15 * 60
    refresh_token_days: int = 30
    messaging_url: str = "http://127.0.0.1:8101"
    booking_url: str = "http://127.0.0.1:8102"

    max_frame_bytes: int = 64 * 1024
    max_text_length: int = 4000
    sends_per_second: int = 20
    sign_ins_per_minute: int = 10
    reply_timeout_seconds: float = 5.0
    socket_ack_timeout_seconds: float = 30.0
    socket_queue_size: int = 1000
