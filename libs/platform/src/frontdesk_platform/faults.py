"""Which failures are worth another try.

A data error (text PostgreSQL cannot store, a number out of range, a broken constraint,
a message that does not fit its contract, a bug) fails the same way every time: it is
permanent at once. Only what the outside world did (a lost connection, a timeout, a
serialization failure or deadlock, a stream that moved on) may go away, so only that is
retried.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .eventstore import ConcurrencyError
from .unit_of_work import AlreadyProcessed

# SQLSTATE classes of failures that are about the server or the moment, not the data:
# 08 connection, 40 serialization failure / deadlock, 53 out of resources, 57 operator
# intervention (shutdown, statement timeout), 58 system error; 55P03 lock not available.
_TRANSIENT_STATES = ("08", "40", "53", "57", "58", "55P03")


class PermanentError(Exception):
    """Retrying cannot help (bad data); dead-letter at once."""


class Transient(Exception):
    """Raised by a handler when something it needs is not there yet (another service
    has not announced it): retried like an I/O error."""


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, PermanentError):
        return False
    if isinstance(exc, Transient | ConcurrencyError | AlreadyProcessed | OSError | asyncio.TimeoutError):
        return True
    if isinstance(exc, DisconnectionError | PoolTimeout):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        state = _sqlstate(exc)
        return state is None or state.startswith(_TRANSIENT_STATES)  # no state: the driver lost the server
    if type(exc).__module__.startswith("asyncpg"):  # a hot path's statement, sent without SQLAlchemy
        state = _sqlstate(exc)
        return state is None or state.startswith(_TRANSIENT_STATES)
    return False


def reason(exc: BaseException) -> str:
    """What went wrong in words a sender may read: the database's own message, never the
    statement or its parameters."""
    cause: BaseException = exc
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        cause = exc.orig.__cause__ or exc.orig  # the driver's error, not SQLAlchemy's wrapper
    message = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
    return message[:300]


def _sqlstate(exc: BaseException) -> str | None:
    for candidate in (
        exc,
        getattr(exc, "orig", None),
        getattr(getattr(exc, "orig", None), "__cause__", None),
    ):
        state = getattr(candidate, "sqlstate", None)
        if isinstance(state, str):
            return state
    return None


@dataclass(frozen=True)
class Outcome:
    """What became of one record: done (carried out, answered, or nothing to do), dead
    letter (permanent failure), retry (transient failure) or wait (behind a record of the
    same key that is retried: order per key is kept)."""

    kind: Literal["done", "dead_letter", "retry", "wait"]
    error: BaseException | None = None


DONE = Outcome("done")
WAIT = Outcome("wait")


def failed(exc: BaseException) -> Outcome:
    return Outcome("retry" if is_transient(exc) else "dead_letter", exc)
