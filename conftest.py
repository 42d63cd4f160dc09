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

import asyncpg
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

    async def connect(self) -> asyncpg.Connection:
        """A connection to the server's maintenance database (`postgres`)."""
        return await asyncpg.connect(
            host=self.database_host,
            port=self.database_port,
            user=self.database_user,
            password=self.database_password or None,
            database="postgres",
        )

    def service_settings(self, service: str) -> dict[str, object]:
        """Settings for a service started inside a test process."""
        return {
            "database_host": self.database_host,
            "database_port": self.database_port,
            "database_user": self.database_user,
            "database_password": self.database_password,
            "database_name": f"{self.namespace.rstrip('.')}_{service.replace('-', '_')}_unit",
            "kafka_bootstrap": self.kafka_bootstrap,
            "kafka_namespace": self.namespace,
            "redis_url": self.redis_url,
            "log_json": False,
            "environment": "development",
        }


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
        "database_port": int(os.environ.get("FRONTDESK_PG_PORT", "15432")),
        "database_user": "postgres",
        "database_password": "",
        "kafka_bootstrap": f"127.0.0.1:{os.environ.get('FRONTDESK_KAFKA_PORT', '19092')}",
        "redis_url": f"redis://127.0.0.1:{os.environ.get('FRONTDESK_REDIS_PORT', '16379')}/0",
    }


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    containers: list[object] = []
    found = _from_environment()
    if found is None:
        found = _from_testcontainers(containers) if _docker_answers() else _from_local_stack()
    namespace = f"t{uuid.uuid4().hex[:8]}."
    endpoints = Endpoints(namespace=namespace, **found)  # type: ignore[arg-type]
    try:
        yield endpoints
    finally:
        _drop_databases(endpoints)
        _drop_topics(endpoints)
        for container in containers:
            container.stop()  # type: ignore[attr-defined]


def _drop_databases(endpoints: Endpoints) -> None:
    """Drop every database this session created (they all start with its namespace)."""
    import asyncio

    async def drop() -> None:
        conn = await endpoints.connect()
        try:
            prefix = endpoints.namespace.rstrip(".")
            for row in await conn.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE $1", f"{prefix}_%"
            ):
                await conn.execute(f'DROP DATABASE "{row["datname"]}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


def _drop_topics(endpoints: Endpoints) -> None:
    """Delete every topic of this session's namespace: each partition holds files open in
    the broker, and runs that leave theirs behind add up to its open-file limit."""
    import asyncio

    from aiokafka.admin import AIOKafkaAdminClient

    async def drop() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap)
        await admin.start()
        try:
            ours = [t for t in await admin.list_topics() if t.startswith(endpoints.namespace)]
            if ours:
                await admin.delete_topics(ours)
        finally:
            await admin.close()

    asyncio.run(drop())
