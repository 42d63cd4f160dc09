"""The benchmarks' CPU figures (System.cpu_seconds) count the PostgreSQL server on this
machine whole: a backend's work still counts once its connection is closed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from frontdesk_local.system import System


async def test_postgresql_cpu_counts_the_work_of_a_backend_that_has_exited(endpoints, tmp_path: Path):
    system = System(env={}, log_dir=tmp_path)  # no services: the stack's processes alone
    before = system.cpu_seconds()
    connection = await endpoints.connect()
    await connection.fetchval("SELECT count(*) FROM generate_series(1, 3000000)")  # ~0.3 s of CPU
    await connection.close()
    await asyncio.sleep(0.5)  # the postmaster reaps the backend
    after = system.cpu_seconds()

    assert {"kafka", "postgres"} <= set(after)
    assert after["postgres"] - before["postgres"] >= 0.1
