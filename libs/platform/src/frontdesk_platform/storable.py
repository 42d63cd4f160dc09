"""Input PostgreSQL can store, checked where it enters (the gateway's routes and socket frames).

A value PostgreSQL refuses (text with U+0000 or a lone surrogate, an integer past its
column, a date past what a slot search can add days to) can never be written, however
often a consumer retries it. Refused at the door it costs the sender a 422 naming the
field; let through, it fails in a handler behind other conversations' commands.

Use the `Stored*` and `Int*` types for query, path and frame fields, and `StoredBody`
as the base of request bodies: it checks every string, integer and time inside, nested
lists, dicts and extra fields included, so a new field cannot forget it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

INVALID_TEXT = "invalid_text"
OUT_OF_RANGE = "out_of_range"
INVALID_TIME = "invalid_time"
# The codes a validation error can carry instead of the generic `invalid_request`.
FIELD_CODES = frozenset({INVALID_TEXT, OUT_OF_RANGE, INVALID_TIME})
LONE_SURROGATE = "contains a lone surrogate (not valid Unicode), which cannot be stored"
# pydantic's own errors that mean the same: a constrained str field (min/max_length, a
# pattern) refuses a lone surrogate itself, before StoredBody sees it.
PYDANTIC_ERRORS = {"string_unicode": (INVALID_TEXT, LONE_SURROGATE)}

INT32_MAX = 2**31 - 1  # PostgreSQL INTEGER: seq, read marks, prices, capacities
INT64_MAX = 2**63 - 1  # BIGINT: change cursors, audit ids; also the default for any body int
# Years a shop can mean. Python's dates end at 9999, so a search that adds a day to
# 9999-12-31 would crash; the bound leaves room for that arithmetic.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def text_problem(value: str) -> str | None:
    """Why PostgreSQL would refuse this text, or None."""
    if "\x00" in value:
        return "contains U+0000 (NUL), which cannot be stored"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return LONE_SURROGATE
    return None


def stored_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise PydanticCustomError(INVALID_TEXT, "{problem}", {"problem": problem})
    return value


def bounded(low: int, high: int) -> Callable[[int], int]:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise PydanticCustomError(
                OUT_OF_RANGE, "must be from {low} to {high}", {"low": low, "high": high}
            )
        return value

    return check


def within(low: int, high: int) -> AfterValidator:
    """An integer field's bounds, answered `out_of_range` (e.g. a column's or a domain's)."""
    return AfterValidator(bounded(low, high))


_bigint = bounded(-INT64_MAX - 1, INT64_MAX)


def stored_date(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError(
            OUT_OF_RANGE,
            "the year must be from {first} to {last}",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


def stored_datetime(value: datetime) -> datetime:
    # A time without a zone is ambiguous: the shop's zone, the client's, or UTC?
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError(INVALID_TIME, "needs a timezone, e.g. 2030-05-01T09:00:00+08:00 or ...Z")
    stored_date(value)
    return value


StoredText = Annotated[str, AfterValidator(stored_text)]
Int32 = Annotated[int, within(-INT32_MAX - 1, INT32_MAX), Field(json_schema_extra={"format": "int32"})]
Int64 = Annotated[int, within(-INT64_MAX - 1, INT64_MAX), Field(json_schema_extra={"format": "int64"})]
StoredDate = Annotated[date, AfterValidator(stored_date)]
StoredDatetime = Annotated[datetime, AfterValidator(stored_datetime)]


def _check(value: Any) -> None:
    if isinstance(value, str):
        stored_text(value)
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        _bigint(value)
    elif isinstance(value, datetime):
        stored_datetime(value)
    elif isinstance(value, date):
        stored_date(value)


def _check_all(value: Any) -> None:
    """`_check` on every leaf `_leaves` yields, without making their paths."""
    if isinstance(value, BaseModel):
        for item in value.__dict__.values():
            _check_all(item)
        for item in (value.model_extra or {}).values():
            _check_all(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key)
            _check_all(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_all(item)
    else:
        _check(value)


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, BaseModel):
        for name, item in {**value.__dict__, **(value.model_extra or {})}.items():
            yield from _leaves(item, f"{path}.{name}" if path else name)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path} (a key)", key
            yield from _leaves(item, f"{path}.{key}")
    elif isinstance(value, list | tuple | set | frozenset):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]")
    else:
        yield path, value


class StoredBody(BaseModel):
    """A request body whose every string, integer and time PostgreSQL can store."""

    @model_validator(mode="after")
    def _storable(self) -> StoredBody:
        try:
            _check_all(self)  # every socket frame comes here: no paths unless one is needed
        except PydanticCustomError:
            pass
        else:
            return self
        for path, value in _leaves(self, ""):
            try:
                _check(value)
            except PydanticCustomError as exc:
                # Name the field inside the message: the error's own location is the body.
                context = {"path": path, "problem": exc.message()}
                raise PydanticCustomError(exc.type, "{path}: {problem}", context) from None
        return self
