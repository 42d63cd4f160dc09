from typing import Annotated, Literal

from frontdesk_platform.settings import ServiceSettings
from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from .attachments.content import ALL_TYPES

MiB = 1024 * 1024


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    http_port: int = 8000
    ops_port: int = 9000
    database_name: str = "frontdesk_gateway"

    # Access-token keys (docs/security.md): a JWKS, inline or in a file, or one HS256 secret.
    # With none of them the gateway starts only in development, on a key made for the machine.
    jwt_keys: str = ""
    jwt_keys_file: str = ""
    jwt_signing_kid: str = ""
    jwt_secret: str = ""
    dev_keys_file: str = ".local/dev-jwt-keys.json"
    access_token_seconds: int = 15 * 60
    refresh_token_days: int = 30
    messaging_url: str = "http://127.0.0.1:8101"
    booking_url: str = "http://127.0.0.1:8102"
    notify_url: str = "http://127.0.0.1:8103"
    ai_assist_url: str = "http://127.0.0.1:8104"

    # Web apps (scheme://host[:port]) allowed to call the API and open sockets from a browser,
    # comma-separated; none by default.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    max_frame_bytes: int = 64 * 1024
    max_text_length: int = 4000
    sends_per_second: int = 20
    # Sign-in protection (docs/security.md): wrong passwords per account before each
    # attempt waits a doubling delay (first → max), failures per client IP per window,
    # password checks per second across all instances, threads that hash passwords.
    sign_in_free_failures: int = 5
    sign_in_first_delay_seconds: float = 1.0
    sign_in_max_delay_seconds: float = 30.0
    sign_in_failures_per_ip: int = 20
    sign_in_ip_window_seconds: int = 600
    sign_in_checks_per_second: int = 40
    password_workers: int = 2
    reply_timeout_seconds: float = 5.0
    socket_ack_timeout_seconds: float = 30.0
    # Frames waiting for one slow socket; past this it is closed (1013) and resumes on reconnect.
    socket_queue_size: int = 1000
    # Server pings keep sockets honest: one that does not answer within the timeout is closed.
    socket_ping_seconds: float = 20.0
    socket_ping_timeout_seconds: float = 20.0

    # Redis (presence, typing, rate limits, ended sessions; never messages) is a bounded pool:
    # past its size a caller waits up to the pool timeout. When Redis does not answer it is
    # left alone for the pause, and presence and typing wait for it (docs/security.md).
    redis_max_connections: int = 64
    redis_pool_timeout_seconds: float = 2.0
    redis_timeout_seconds: float = 1.0  # per connect and per answer
    redis_pause_seconds: float = 1.0
    # Send rate limits are counted in memory and reconciled with Redis this often.
    rate_limit_sync_seconds: float = 0.25
    socket_auth_seconds: float = 10.0  # for the {"type": "auth"} first frame
    # A benchmark aid (bench/sockets.py --trace-memory): trace allocations, report on SIGUSR1.
    trace_memory_file: str = ""

    # Calls (docs/calls.md): how long a call rings before it is missed, how long a call's
    # state is kept (its longest duration), and the TURN servers whose shared secret signs
    # the short-lived credentials each call hands out (TURN REST API; coturn use-auth-secret).
    call_ring_seconds: float = 30.0
    call_invites_per_minute: int = 20  # per caller: nobody rings a shop's phones in a loop
    call_max_seconds: int = 4 * 3600
    turn_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    turn_secret: str = ""
    turn_credential_seconds: int = 3600

    @field_validator("turn_urls", mode="before")
    @classmethod
    def _comma_separated_turn(cls, value: object) -> object:
        return [u.strip() for u in value.split(",") if u.strip()] if isinstance(value, str) else value

    attachments_storage: Literal["local", "s3"] = "local"
    attachments_dir: str = ".local/attachments"
    attachments_s3_bucket: str = ""
    attachments_s3_endpoint_url: str | None = None
    attachments_s3_region: str | None = None
    attachments_s3_access_key_id: str | None = None
    attachments_s3_secret_access_key: str | None = None
    attachments_s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    attachment_max_image_bytes: int = 10 * MiB
    attachment_max_voice_bytes: int = 5 * MiB
    attachment_max_video_bytes: int = 50 * MiB
    attachment_max_file_bytes: int = 20 * MiB
    attachment_max_image_pixels: int = 50_000_000
    attachment_types: list[str] = Field(default_factory=lambda: list(ALL_TYPES))

    password_reset_code_minutes: int = 15
    password_reset_tries: int = 5  # wrong guesses before a code stops working
    password_resets_per_hour: int = 5  # codes one login can be sent
    password_resets_per_ip_per_hour: int = 30  # requests and confirmations from one address

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value
