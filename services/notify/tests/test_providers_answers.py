"""What every adapter shares: reading Retry-After, and keeping addresses out of reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from frontdesk_notify.adapters.providers import Outcome
from frontdesk_notify.adapters.providers.answers import masked, retry_after, scrubbed


def answer(retry: str | None) -> httpx.Response:
    return httpx.Response(429, headers={"Retry-After": retry} if retry is not None else {})


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("1.5", 1.5), ("-3", 0.0), (None, 60.0), ("soon", 60.0), ("inf", 60.0)],
)
def test_retry_after_in_seconds(header: str | None, seconds: float) -> None:
    assert retry_after(answer(header), default=60.0) == seconds


def test_retry_after_as_an_http_date() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    assert 80 <= retry_after(answer(when), default=0.0) <= 90


def test_a_refused_number_is_masked_in_the_reason() -> None:
    outcome = scrubbed(
        Outcome.failed("'To' number +447700900123 is not valid", retryable=False), "+447700900123"
    )
    assert outcome.reason == f"'To' number {masked('+447700900123')} is not valid"
    assert "900123" not in (outcome.reason or "")
