"""A page of row writes sends each statement once with all its rows, and every row still
sees its own writes in the order the events made them."""

from __future__ import annotations

from typing import Any

from frontdesk_platform.row_writes import RowWrite, WritePage, copy_rows
from sqlalchemy import text

RESOLVE = text("UPDATE conversations SET status = 'resolved', released_at = :at WHERE id = :c")
UNASSIGN = text("UPDATE conversations SET assignee_id = NULL, released_at = :at WHERE id = :c")
STAFF_WROTE = text("UPDATE conversations SET last_staff_at = :at WHERE id = :c")


class RecordingSession:
    def __init__(self) -> None:
        self.sent: list[tuple[Any, list[dict[str, Any]]]] = []

    async def execute(self, sql: Any, rows: list[dict[str, Any]]) -> None:
        self.sent.append((sql, rows))


def change(sql: Any, conversation: str, at: int) -> RowWrite:
    return RowWrite(sql, ("conversations", conversation), {"c": conversation, "at": at})


async def test_each_statement_goes_once_with_the_rows_of_many_events() -> None:
    page = WritePage()
    for n in range(1000):
        page.add([change(STAFF_WROTE, f"c{n}", 1), change(STAFF_WROTE, f"c{n}", 2)])
    session = RecordingSession()
    await page.flush(session)  # type: ignore[arg-type]
    assert len(session.sent) == 1
    assert [row["at"] for row in session.sent[0][1] if row["c"] == "c7"] == [1, 2]


async def test_a_row_changed_by_two_statements_gets_them_in_event_order() -> None:
    """Resolved at 1, unassigned at 2: the conversation was released at 2, as live."""
    page = WritePage()
    page.add([change(STAFF_WROTE, "a", 0), change(RESOLVE, "a", 1), change(UNASSIGN, "a", 2)])
    page.add([change(UNASSIGN, "b", 1), change(RESOLVE, "b", 2)])
    session = RecordingSession()
    await page.flush(session)  # type: ignore[arg-type]

    released: dict[str, int] = {}
    for sql, rows in session.sent:
        for row in rows:
            if sql is not STAFF_WROTE:
                released[row["c"]] = row["at"]
    assert released == {"a": 2, "b": 2}
    assert len(session.sent) <= 5


SENT = text("UPDATE conversations SET last_at = :at WHERE id = :c")
INDEXED = text("INSERT INTO search_rows (c, at) VALUES (:c, :at)")


def part(sql: Any, conversation: str, at: int, *parts: str) -> RowWrite:
    return RowWrite(sql, ("conversations", conversation), {"c": conversation, "at": at}, frozenset(parts))


async def test_writes_to_different_parts_of_a_row_share_a_round_and_a_whole_row_write_waits_for_them() -> (
    None
):
    page = WritePage()
    page.add([part(SENT, "a", n, "conversations") for n in (1, 2)])  # one statement, in order
    page.add([part(INDEXED, "a", n, "search") for n in (1, 2)])  # another part: beside it
    page.add([change(RESOLVE, "a", 3)])  # the whole row: after both
    page.add([part(INDEXED, "a", 4, "search")])  # after the whole-row write, not beside the first
    session = RecordingSession()
    await page.flush(session)  # type: ignore[arg-type]

    assert [(sql, [row["at"] for row in rows]) for sql, rows in session.sent] == [
        (SENT, [1, 2]),
        (INDEXED, [1, 2]),
        (RESOLVE, [3]),
        (INDEXED, [4]),
    ]


async def test_writes_sharing_a_part_keep_their_order_across_statements() -> None:
    page = WritePage()
    page.add([part(SENT, "a", 1, "conversations"), part(INDEXED, "a", 1, "search", "conversations")])
    page.add([part(SENT, "a", 2, "conversations")])
    session = RecordingSession()
    await page.flush(session)  # type: ignore[arg-type]

    assert [(sql, [row["at"] for row in rows]) for sql, rows in session.sent] == [
        (SENT, [1]),
        (INDEXED, [1]),
        (SENT, [2]),
    ]


class RecordingCopy:
    def __init__(self) -> None:
        self.copied: list[tuple[str, list[tuple[Any, ...]], tuple[str, ...]]] = []

    async def copy_records_to_table(
        self, table: str, *, records: list[Any], columns: tuple[str, ...]
    ) -> None:
        self.copied.append((table, records, columns))


async def test_a_rebuild_copies_the_rows_built_for_a_statement_column_by_column() -> None:
    connection = RecordingCopy()
    rows = [{"n": 1, "b": "x", "t": "note"}, {"n": 2, "b": "y", "t": "other"}]
    columns = {"note_id": "n", "text": "t", "booking_id": "b"}
    await copy_rows(connection, "notes", columns, rows)  # type: ignore[arg-type]
    await copy_rows(connection, "notes", columns, [])  # nothing to send: no COPY at all
    assert connection.copied == [
        ("notes", [(1, "note", "x"), (2, "other", "y")], ("note_id", "text", "booking_id"))
    ]
