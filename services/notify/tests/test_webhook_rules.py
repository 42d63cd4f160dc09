"""Which webhook URLs notify will call, which events an endpoint takes, and when a failed
delivery is tried again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from frontdesk_notify.domain.webhooks import (
    RETRY_SCHEDULE_SECONDS,
    InvalidEndpoint,
    check_filters,
    next_attempt,
    target_of,
    wanted,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://crm.example.com/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.1/hook",
        "https://[::1]/hook",
        "https://127.0.0.1/hook",
        "https://metadata.internal/hook",
        "https://user:pw@crm.example.com/hook",
        "https://intranet/hook",
    ],
)
def test_internal_or_plain_addresses_are_refused(url: str) -> None:
    with pytest.raises(InvalidEndpoint):
        target_of(url)


def test_a_public_https_url_is_taken_and_loopback_only_in_test_mode() -> None:
    assert target_of("https://crm.example.com/hooks").port == 443
    assert target_of("http://127.0.0.1:27500/x", allow_loopback=True).port == 27500
    with pytest.raises(InvalidEndpoint):
        target_of("http://10.0.0.1/x", allow_loopback=True)


def test_filters_take_a_type_any_version_or_a_prefix() -> None:
    assert wanted(["booking.booking.confirmed"], "booking.booking.confirmed.v1")
    assert wanted(["booking.booking.confirmed.v1"], "booking.booking.confirmed.v1")
    assert not wanted(["booking.booking.confirmed.v2"], "booking.booking.confirmed.v1")
    assert wanted(["messaging.*"], "messaging.message.sent.v1")
    assert not wanted(["messaging.message.sent"], "messaging.conversation.opened.v1")
    assert wanted(["*"], "booking.booking.held.v1")
    with pytest.raises(InvalidEndpoint):
        check_filters(["DROP TABLE"])


def test_retries_run_for_a_day_then_stop() -> None:
    assert sum(RETRY_SCHEDULE_SECONDS) == pytest.approx(24 * 3600, rel=0.01)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert next_attempt(1, now, RETRY_SCHEDULE_SECONDS) == now + timedelta(seconds=5)
    assert next_attempt(len(RETRY_SCHEDULE_SECONDS) + 1, now, RETRY_SCHEDULE_SECONDS) is None
