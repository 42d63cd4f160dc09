"""A batch's streams: a command after another of the same stream starts from the snapshot
the first one staged, and an undone command takes its snapshot with it."""

from __future__ import annotations

from typing import Any, cast

from frontdesk_platform.eventstore import EventStore, History, NewEvent
from frontdesk_platform.staged import StagedStreams


class FakeStore:
    async def load_many(self, connection: Any, stream_ids: list[str]) -> dict[str, History]:
        return {stream: History((2, {"last_seq": 2})) for stream in stream_ids}


def streams() -> StagedStreams:
    return StagedStreams(cast(EventStore, FakeStore()), connection=None)


async def test_the_next_command_of_a_stream_starts_from_the_snapshot_staged_before_it() -> None:
    staged = streams()
    await staged.load(["s"])
    assert staged.staged_snapshot("s") is None  # the stored one: its events are replayed as usual
    staged.stage("s", 2, [NewEvent("sent", {"seq": 3})], {"last_seq": 3})
    assert staged.staged_snapshot("s") == (3, {"last_seq": 3})


async def test_a_snapshot_behind_the_stream_or_undone_is_not_started_from() -> None:
    staged = streams()
    await staged.load(["s"])
    staged.stage("s", 2, [NewEvent("sent", {"seq": 3})], {"last_seq": 3})
    mark = staged.mark()
    staged.stage("s", 3, [NewEvent("sent", {"seq": 4})], None)  # no snapshot after this one
    assert staged.staged_snapshot("s") is None
    staged.undo(mark)
    assert staged.staged_snapshot("s") == (3, {"last_seq": 3})
    staged.stage("s", 3, [NewEvent("sent", {"seq": 4})], {"last_seq": 4})
    staged.undo(mark)  # its savepoint was undone
    assert staged.staged_snapshot("s") == (3, {"last_seq": 3})
