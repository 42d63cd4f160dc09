"""Settings every service shares; each service subclasses with its own defaults.

Everything comes from environment variables prefixed FRONTDESK_ (for example
FRONTDESK_KAFKA_BOOTSTRAP, FRONTDESK_HTTP_PORT), so one service can be started alone
with nothing but its environment.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FRONTDESK_", extra="ignore")

    service_name: str = "frontdesk"
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
    database_port: int = 55432
    database_user: str = "postgres"
    database_password: str = ""
    database_name: str = "frontdesk"
    database_pool_size: int = 10

    kafka_bootstrap: str = "127.0.0.1:59092"
    kafka_namespace: str = ""
    kafka_partitions: int = 6
    kafka_replication_factor: int = 1

    redis_url: str = "redis://127.0.0.1:56379/0"

    log_level: str = "INFO"
    log_json: bool = True
    trace_console: bool = False

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
