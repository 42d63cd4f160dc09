"""Which free times to offer for what the customer asked: at most three.

- an exact time that is free is offered alone ("10:00 is free, shall I?"); if it is
  taken, the three free starts nearest to it that day;
- a part of the day (上午, afternoon) or a whole day: starts inside it, spread over
  it (first, middle, last) so the customer has a real choice; if none is inside, the
  three nearest to it that day.

Starts are instants (UTC or aware); several staff free at one time count once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .replies import MAX_OPTIONS
from .when import When


def choose(starts: Iterable[datetime], when: When, timezone: str, limit: int = MAX_OPTIONS) -> list[datetime]:
    zone = ZoneInfo(timezone)
    same_day = sorted({s for s in starts if s.astimezone(zone).date() == when.date})
    if not same_day:
        return []
    first, last = when.window(timezone)
    if when.time is not None:
        if first in same_day:
            return [first]
        return _nearest(same_day, first, first, limit)
    if when.part is None:
        return _spread(same_day, limit)
    inside = [s for s in same_day if first <= s < last]
    if inside:
        return _spread(inside, limit)
    return _nearest(same_day, first, last, limit)


def _nearest(starts: list[datetime], first: datetime, last: datetime, limit: int) -> list[datetime]:
    def distance(start: datetime) -> timedelta:
        if start < first:
            return first - start
        return start - last if start > last else timedelta()

    return sorted(sorted(starts, key=distance)[:limit])


def _spread(starts: list[datetime], limit: int) -> list[datetime]:
    if len(starts) <= limit:
        return starts
    if limit == 1:
        return starts[:1]
    step = (len(starts) - 1) / (limit - 1)
    return [starts[round(i * step)] for i in range(limit)]
