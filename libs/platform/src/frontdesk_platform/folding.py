"""Folding a whole event store in memory, as `rebuild-projections` does."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """A replay keeps hundreds of thousands of objects (aggregates, rows, events) until it
    ends, and CPython's cycle collector walks every one of them again each time their
    number grows by a quarter: a third of a replay's time. What a replay throws away is
    freed by reference counting; the few cycles it makes wait for the collector's next run
    after it."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
