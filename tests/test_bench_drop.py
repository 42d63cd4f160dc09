"""A benchmark run with --drop leaves nothing on the stack: each run creates databases and
144 partitions of its own, and those left behind slowed the local broker's start past
stack.sh's 90 s (15,471 partition directories after ~100 runs)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _messaging_path() -> ModuleType:
    sys.path.insert(0, str(BENCH))  # the benchmarks import each other by name
    try:
        return importlib.import_module("messaging_path")
    finally:
        sys.path.remove(str(BENCH))


async def _topics(bootstrap: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return list(await admin.list_topics())
    finally:
        await admin.close()


async def test_a_dropped_run_leaves_no_database_and_no_topic_of_any_service(endpoints):
    bench = _messaging_path()
    run, other = "d0d0d0d0", "e1e1e1e1"
    conn = await endpoints.connect()
    admin = AIOKafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap)
    await admin.start()
    try:
        # booking's and the assistant's benchmarks start services messaging_path does not
        for name in (f"bench_{run}_booking", f"bench_{run}_ai_assist", f"bench_{other}_booking"):
            await conn.execute(f'CREATE DATABASE "{name}"')
        await admin.create_topics(
            [NewTopic(f"bench{run}.booking.commands", 2, 1), NewTopic(f"bench{other}.booking.commands", 1, 1)]
        )
        dsn = (
            f"postgresql://{endpoints.database_user}:{endpoints.database_password}"
            f"@{endpoints.database_host}:{endpoints.database_port}/postgres"
        )

        await bench.drop_run(run, dsn, endpoints.kafka_bootstrap)

        left = {row["datname"] for row in await conn.fetch("SELECT datname FROM pg_database")}
        topics = await _topics(endpoints.kafka_bootstrap)
        assert not {name for name in left if name.startswith(f"bench_{run}_")}
        assert not [topic for topic in topics if topic.startswith(f"bench{run}.")]
        assert f"bench_{other}_booking" in left  # another run's (one running beside it) stays
        assert f"bench{other}.booking.commands" in topics
    finally:
        for name in (f"bench_{run}_booking", f"bench_{run}_ai_assist", f"bench_{other}_booking"):
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        ours = [t for t in await admin.list_topics() if t.startswith((f"bench{run}.", f"bench{other}."))]
        if ours:
            await admin.delete_topics(ours)
        await admin.close()
        await conn.close()
