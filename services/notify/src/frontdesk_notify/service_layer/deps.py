from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from frontdesk_platform.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Dependencies:
    unit_of_work: Callable[[], UnitOfWork]
    clock: Callable[[], datetime]
    default_language: str = "zh-CN"
    campaign_cap: timedelta = timedelta(days=7)  # at most one campaign per customer and shop
