"""Where a gateway's memory goes, for the sockets benchmark (bench/sockets.py --trace-memory).

With FRONTDESK_TRACE_MEMORY_FILE set the gateway traces its allocations from the start
(slower: a benchmark aid, never for production). The first SIGUSR1 takes a baseline; each
later one writes to the file the allocations that grew since, grouped by traceback, largest
first, so "what does one more idle socket cost" reads straight off the top lines.
"""

from __future__ import annotations

import signal
import tracemalloc
from pathlib import Path
from types import FrameType

FRAMES = 12
TOP = 300


def trace_memory_on_signal(report: Path) -> None:
    tracemalloc.start(FRAMES)
    baseline: list[tracemalloc.Snapshot] = []

    def dump(_signum: int, _frame: FrameType | None) -> None:
        snapshot = _without_tracemalloc(tracemalloc.take_snapshot())
        if not baseline:
            baseline.append(snapshot)
            report.write_text("baseline taken\n")
            return
        grown = snapshot.compare_to(baseline[0], "traceback")
        total = sum(stat.size_diff for stat in grown)
        lines = [f"grown since the baseline: {total / 1024:.0f} KiB in all\n"]
        for stat in grown[:TOP]:
            lines.append(f"\n{stat.size_diff / 1024:+.1f} KiB, {stat.count_diff:+d} blocks\n")
            lines += [f"    {line}\n" for line in stat.traceback.format(most_recent_first=True)]
        report.write_text("".join(lines))

    signal.signal(signal.SIGUSR1, dump)


def _without_tracemalloc(snapshot: tracemalloc.Snapshot) -> tracemalloc.Snapshot:
    return snapshot.filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
