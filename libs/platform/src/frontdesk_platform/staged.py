"""The streams a transaction changes, read once and written once.

A batch of commands loads every stream it touches in one round trip (snapshot and the
events after it); each command then works on what the commands before it left, in order;
the batch's new events and snapshots go to PostgreSQL with the commit's statement
(commit_writes). A command undone in its savepoint takes its staged events with it
(`mark` / `undo`), so the next command of the same stream never sees them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg

from .commit_writes import Insert
from .eventstore import ConcurrencyError, EventStore, History, NewEvent, Snapshot
from .reads import Read, Rows

Mark = tuple[int, dict[str, int], dict[str, Snapshot]]
_READ = "staged_streams"  # the name of `reads`' read


class StagedStreams:
    def __init__(self, store: EventStore, connection: asyncpg.Connection) -> None:
        self._store = store
        self._connection = connection
        self._histories: dict[str, History] = {}
        self._appends: list[tuple[str, int, NewEvent]] = []
        self._snapshots: dict[str, Snapshot] = {}

    async def load(self, stream_ids: list[str]) -> None:
        """Read the streams not read yet, all in one round trip."""
        missing = self._missing(stream_ids)
        if missing:
            self._histories |= await self._store.load_many(self._connection, missing)

    def reads(self, stream_ids: list[str]) -> dict[str, Read]:
        """`load` as a read to send along with others (reads.read_together; none when every
        stream is read already); `take` gets what it found."""
        missing = self._missing(stream_ids)
        return {_READ: self._store.read_many(missing)} if missing else {}

    def take(self, found: Mapping[str, Rows]) -> None:
        """The streams `reads` found, among what a read_together found."""
        if _READ in found:
            self._histories |= self._store.histories(found[_READ])

    def _missing(self, stream_ids: list[str]) -> list[str]:
        return [s for s in dict.fromkeys(stream_ids) if s not in self._histories]

    def loaded(self, stream_id: str) -> History:
        """A stream `load` read (KeyError if it did not)."""
        return self._histories[stream_id]

    async def history(self, stream_id: str) -> History:
        await self.load([stream_id])
        return self._histories[stream_id]

    def staged_snapshot(self, stream_id: str) -> Snapshot | None:
        """The snapshot staged for a stream at its current version, if any: a command after
        another of the same stream in a batch starts from it instead of replaying."""
        staged = self._snapshots.get(stream_id)
        history = self._histories.get(stream_id)
        if staged is None or history is None or staged[0] != history.version:
            return None
        return staged

    def stage(
        self, stream_id: str, expected_version: int, events: list[NewEvent], snapshot: dict[str, Any] | None
    ) -> None:
        """New events of a loaded stream (and its snapshot after them), written at `flush`."""
        history = self._histories[stream_id]
        if history.version != expected_version:
            raise ConcurrencyError(f"stream {stream_id} is at {history.version}, not {expected_version}")
        for event in events:
            history.events.append(event)
            self._appends.append((stream_id, history.version, event))
        if snapshot is not None:
            self._snapshots[stream_id] = (history.version, snapshot)

    def mark(self) -> Mark:
        lengths = {stream: len(h.events) for stream, h in self._histories.items()}
        return len(self._appends), lengths, dict(self._snapshots)

    def undo(self, mark: Mark) -> None:
        appends, lengths, snapshots = mark
        del self._appends[appends:]
        for stream, history in self._histories.items():
            del history.events[lengths.get(stream, history.stored) :]
        self._snapshots = dict(snapshots)  # the mark stays as it was, should it be undone to again

    def inserts(self) -> list[Insert]:
        """What was staged, the events and the snapshots, for the commit's statement."""
        appends, snapshots = self._appends, self._snapshots
        self._appends, self._snapshots = [], {}
        return self._store.inserts(appends, snapshots)
