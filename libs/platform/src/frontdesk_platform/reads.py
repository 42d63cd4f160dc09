"""Several SELECTs a batch needs at once, in one round trip.

Each read becomes one column of a one-row answer: an array of its rows, as anonymous
records that asyncpg decodes with their columns' own types. A locking clause (FOR SHARE)
works in such a sub-select as in a statement of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from .commit_writes import renumbered


@dataclass(frozen=True)
class Read:
    """A SELECT whose parameters are numbered from $1 (no `$` in its literals), and the
    names of its columns in order."""

    sql: str
    params: Sequence[Any]
    columns: tuple[str, ...]


Rows = list[dict[str, Any]]


async def read_together(connection: asyncpg.Connection, reads: Mapping[str, Read]) -> dict[str, Rows]:
    """Each read's rows, by the name it was given; no round trip when there is nothing to read."""
    if not reads:
        return {}
    sql, params = statement(reads)
    found = await connection.fetchrow(sql, *params)
    return {
        name: [dict(zip(read.columns, values, strict=True)) for values in found[n]]
        for n, (name, read) in enumerate(reads.items())
    }


def statement(reads: Mapping[str, Read]) -> tuple[str, list[Any]]:
    """The one SELECT that makes these reads, and its parameters."""
    selects: list[str] = []
    params: list[Any] = []
    for n, read in enumerate(reads.values()):
        columns = ", ".join(f"r.{column}" for column in read.columns)
        selects.append(f"ARRAY(SELECT ROW({columns}) FROM ({renumbered(read.sql, len(params))}) r) AS r{n}")
        params.extend(read.params)
    return f"SELECT {', '.join(selects)}", params
