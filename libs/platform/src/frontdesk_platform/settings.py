"""Settings every service shares; each service subclasses with its own defaults.

Everything comes from environment variables prefixed FRONTDESK_ (for example
FRONTDESK_KAFKA_BOOTSTRAP, FRONTDESK_HTTP_PORT), so one service can be started alone
with nothing but its environment.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Used only in development when no secret is set, so a lone service or a unit test runs
# with no setup; outside development a missing secret refuses the start instead.
DEVELOPMENT_SERVICE_TOKEN = "frontdesk-development-service-token"
DEVELOPMENT_COMMAND_SIGNING_KEY = "frontdesk-development-command-signing-key"
MIN_SECRET_LENGTH = 32


class UnsafeSettings(RuntimeError):
    """The service would run with a secret anyone can guess; it refuses to start."""


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FRONTDESK_", extra="ignore")

    service_name: str = "frontdesk"
    # Production unless told otherwise: a forgotten setting must not relax anything.
    environment: Literal["development", "production"] = "production"
    instance_id: str = "1"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # The operations listener: /metrics and the API docs (ops.py). Keep it off the public
    # load balancer; Prometheus scrapes it.
    ops_host: str = "127.0.0.1"
    ops_port: int = 9000
    # Request bodies past this are refused with 413 before they are read (routes that take
    # files declare their own limit).
    max_body_bytes: int = 64 * 1024

    database_host: str = "127.0.0.1"
    database_port: int = 15432
    database_user: str = "postgres"
    database_password: str = ""
    database_name: str = "frontdesk"
    database_pool_size: int = 10

    kafka_bootstrap: str = "127.0.0.1:19092"
    kafka_namespace: str = ""
    kafka_partitions: int = 6
    kafka_replication_factor: int = 1
    # At most this many waiting records of a partition are carried out in one transaction.
    consumer_max_batch: int = Field(default=100, ge=1, le=1000)
    # A consumer's batches run in up to this many transactions side by side: while one
    # waits on PostgreSQL another is carried out (4 over 2: 733 -> 857 msg/s on make bench,
    # docs/benchmarks.md).
    consumer_at_once: int = Field(default=4, ge=1, le=16)
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "PLAIN"
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr = SecretStr("")
    kafka_ssl_cafile: str | None = None  # the broker's CA; the system's CAs when unset
    kafka_ssl_certfile: str | None = None  # a client certificate, for brokers that ask for one
    kafka_ssl_keyfile: str | None = None
    kafka_ssl_key_password: SecretStr | None = None

    # Sent by every caller of another service's internal API and required by every
    # /internal route: the same value in every service.
    service_token: SecretStr = SecretStr("")
    # Every command put on Kafka is signed with it, and a command consumer obeys only a
    # command signed with it (or, during a rotation, with the previous key).
    command_signing_key: SecretStr = SecretStr("")
    command_signing_previous_key: SecretStr = SecretStr("")

    redis_url: str = "redis://127.0.0.1:16379/0"

    log_level: str = "INFO"
    log_json: bool = True
    trace_console: bool = False
    # Spans go over OTLP/HTTP to this collector (its base URL, e.g. http://otel-collector:4318)
    # when set; OTEL_EXPORTER_OTLP_ENDPOINT works as well.
    otlp_endpoint: str = ""

    def topic(self, name: str) -> str:
        """The real Kafka topic for a contract topic name (test runs get their own namespace)."""
        return f"{self.kafka_namespace}{name}"

    def group(self, name: str) -> str:
        return f"{self.kafka_namespace}{name}"

    def database_url(self, database: str | None = None) -> str:
        password = f":{self.database_password}" if self.database_password else ""
        return (
            f"postgresql+asyncpg://{self.database_user}{password}@{self.database_host}:"
            f"{self.database_port}/{database or self.database_name}"
        )

    def asyncpg_dsn(self, database: str | None = None) -> str:
        return self.database_url(database).replace("postgresql+asyncpg://", "postgresql://")

    def kafka_connection(self) -> dict[str, Any]:
        """The keyword arguments every aiokafka client of this service takes: where the
        brokers are and how to reach them (TLS, SASL)."""
        from aiokafka.helpers import create_ssl_context

        options: dict[str, Any] = {
            "bootstrap_servers": self.kafka_bootstrap,
            "security_protocol": self.kafka_security_protocol,
        }
        if self.kafka_security_protocol in ("SSL", "SASL_SSL"):
            password = self.kafka_ssl_key_password.get_secret_value() if self.kafka_ssl_key_password else ""
            options["ssl_context"] = create_ssl_context(
                cafile=self.kafka_ssl_cafile or None,  # an empty variable means "not set"
                certfile=self.kafka_ssl_certfile or None,
                keyfile=self.kafka_ssl_keyfile or None,
                password=password or None,
            )
        if self.kafka_security_protocol.startswith("SASL_"):
            options["sasl_mechanism"] = self.kafka_sasl_mechanism
            options["sasl_plain_username"] = self.kafka_sasl_username
            options["sasl_plain_password"] = self.kafka_sasl_password.get_secret_value()
        return options

    def service_credential(self) -> str:
        return self._secret("service_token", DEVELOPMENT_SERVICE_TOKEN)

    def service_headers(self) -> dict[str, str]:
        """Headers a call to another service's internal API carries."""
        return {"authorization": f"Bearer {self.service_credential()}"}

    def command_signing_keys(self) -> list[str]:
        """The key commands are signed with, then any previous one still accepted."""
        current = self._secret("command_signing_key", DEVELOPMENT_COMMAND_SIGNING_KEY)
        previous = self.command_signing_previous_key.get_secret_value()
        return [current, previous] if previous else [current]

    def refuse_unsafe(self) -> None:
        """Stop a start outside development that would run on a missing or weak secret."""
        self.service_credential()
        self.command_signing_keys()

    def _secret(self, name: str, development_default: str) -> str:
        value: str = getattr(self, name).get_secret_value()
        if self.environment == "development":
            return value or development_default
        env = f"FRONTDESK_{name.upper()}"
        if not value:
            raise UnsafeSettings(
                f"{env} is not set. Outside development every service needs it (the same value in "
                f"every service, at least {MIN_SECRET_LENGTH} characters); for a local run set "
                "FRONTDESK_ENVIRONMENT=development."
            )
        if len(value) < MIN_SECRET_LENGTH or value == development_default:
            raise UnsafeSettings(f"{env} is too weak: use at least {MIN_SECRET_LENGTH} random characters.")
        return value
