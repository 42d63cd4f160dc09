"""Fixtures shared by every test: the real PostgreSQL, Kafka and Redis.

Where they come from, in order: endpoints from environment variables
(FRONTDESK_DATABASE_HOST, FRONTDESK_KAFKA_BOOTSTRAP, FRONTDESK_REDIS_URL); else
testcontainers when a Docker engine answers; else the project's own local stack
(deploy/local/stack.sh start). Each test session gets its own databases and its own
Kafka topic namespace, so it never sees another run's data.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Endpoints:
    database_host: str
    database_port: int
    database_user: str
    database_password: str
    kafka_bootstrap: str
    redis_url: str
    namespace: str

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a service process started by a test."""
        return {
            **os.environ,
            "FRONTDESK_DATABASE_HOST": self.database_host,
            "FRONTDESK_DATABASE_PORT": str(self.database_port),
            "FRONTDESK_DATABASE_USER": self.database_user,
            "FRONTDESK_DATABASE_PASSWORD": self.database_password,
            "FRONTDESK_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "FRONTDESK_KAFKA_NAMESPACE": self.namespace,
            "FRONTDESK_REDIS_URL": self.redis_url,
            **extra,
        }

    def database(self, service: str) -> str:
        return f"{self.namespace.rstrip('.').replace('-', '_')}_{service}".replace("-", "_")


def _from_environment() -> dict[str, object] | None:
    names = ("FRONTDESK_DATABASE_HOST", "FRONTDESK_KAFKA_BOOTSTRAP", "FRONTDESK_REDIS_URL")
    if not all(os.environ.get(n) for n in names):
        return None
    return {
        "database_host": os.environ["FRONTDESK_DATABASE_HOST"],
        "database_port": int(os.environ.get("FRONTDESK_DATABASE_PORT", "5432")),
        "database_user": os.environ.get("FRONTDESK_DATABASE_USER", "postgres"),
        "database_password": os.environ.get("FRONTDESK_DATABASE_PASSWORD", ""),
        "kafka_bootstrap": os.environ["FRONTDESK_KAFKA_BOOTSTRAP"],
        "redis_url": os.environ["FRONTDESK_REDIS_URL"],
    }


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


def _from_testcontainers(stack: list[object]) -> dict[str, object]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer
    from testcontainers.redis import RedisContainer

    postgres = PostgresContainer("postgres:15", username="postgres", password="postgres")
    kafka = KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft()
    redis = RedisContainer("redis:7")
    for container in (postgres, kafka, redis):
        container.start()
        stack.append(container)
    return {
        "database_host": postgres.get_container_host_ip(),
        "database_port": int(postgres.get_exposed_port(5432)),
        "database_user": "postgres",
        "database_password": "postgres",
        "kafka_bootstrap": kafka.get_bootstrap_server(),
        "redis_url": f"redis://{redis.get_container_host_ip()}:{redis.get_exposed_port(6379)}/0",
    }


def _from_local_stack() -> dict[str, object]:
    subprocess.run(["bash", str(ROOT / "deploy/local/stack.sh"), "start"], check=True)
    return {
        "database_host": "127.0.0.1",
        "database_port": int(os.environ.get("FRONTDESK_PG_PORT", "55432")),
        "database_user": "postgres",
        "database_password": "",
        "kafka_bootstrap": f"127.0.0.1:{os.environ.get('FRONTDESK_KAFKA_PORT', '59092')}",
        "redis_url": f"redis://127.0.0.1:{os.environ.get('FRONTDESK_REDIS_PORT', '56379')}/0",
    }


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    containers: list[object] = []
    found = _from_environment()
    if found is None:
        found = _from_testcontainers(containers) if _docker_answers() else _from_local_stack()
    namespace = f"t{uuid.uuid4().hex[:8]}."
    try:
        yield Endpoints(namespace=namespace, **found)  # type: ignore[arg-type]
    finally:
        for container in containers:
            container.stop()  # type: ignore[attr-defined]
