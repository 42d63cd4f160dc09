"""Dashboards and alert rules as code: writes dashboards/*.json (Grafana) and alerts.yml
(Prometheus) from the definitions below. `python deploy/observability/build.py` after a
change; `--check` fails when the checked-in files differ (a test runs it).

Every query here is also evaluated against a real Prometheus scraping the services after
a short workload (tests/test_observability.py): a query that names a metric nobody
exports, or a label nobody sets, fails there instead of showing an empty panel at 3 am.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Without a 5xx there is no numerator series: "or ... * 0" keeps the ratio at 0 then.
ERROR_RATIO = (
    '(sum by (service) (rate(frontdesk_http_requests_total{status=~"5.."}[5m]))'
    " or sum by (service) (rate(frontdesk_http_requests_total[5m])) * 0)"
    " / sum by (service) (rate(frontdesk_http_requests_total[5m]))"
)
LAG = "sum by (group, topic) (frontdesk_consumer_lag_messages)"
DEAD_LETTERS = (
    'sum by (consumer, topic) (increase(frontdesk_consumer_messages_total{outcome="dead_lettered"}[10m]))'
)
OUTBOX_OLDEST = "max by (relay) (frontdesk_outbox_oldest_unpublished_seconds)"
REMINDER_P95 = (
    "histogram_quantile(0.95, sum by (le) (rate(frontdesk_notify_reminder_lateness_seconds_bucket[10m])))"
)


def p99(histogram: str, by: str, selector: str = "", window: str = "5m") -> str:
    return f"histogram_quantile(0.99, sum by ({by}, le) (rate({histogram}_bucket{selector}[{window}])))"


@dataclass(frozen=True)
class Panel:
    title: str
    query: str
    unit: str = "short"


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True)
class Condition:
    """`query > threshold`; an alert fires when all its conditions hold."""

    query: str
    threshold: float


@dataclass(frozen=True)
class Alert:
    name: str
    conditions: tuple[Condition, ...]
    for_: str
    severity: str
    summary: str

    @property
    def expr(self) -> str:
        return " and ".join(f"{c.query} > {c.threshold:g}" for c in self.conditions)


DASHBOARDS = (
    Dashboard(
        "overview",
        "Frontdesk: overview",
        (
            Panel(
                "Requests per second by service",
                "sum by (service) (rate(frontdesk_http_requests_total[5m]))",
                "reqps",
            ),
            Panel("Share of requests answered 5xx", ERROR_RATIO, "percentunit"),
            Panel("p99 request latency", p99("frontdesk_http_request_seconds", "service"), "s"),
            Panel("Consumer lag by group", "sum by (group) (frontdesk_consumer_lag_messages)"),
            Panel("Oldest unpublished outbox row", OUTBOX_OLDEST, "s"),
            Panel("Dead letters by topic (10 min)", DEAD_LETTERS),
            Panel(
                "Command verdicts by code",
                "sum by (service, verdict) (rate(frontdesk_command_verdicts_total[5m]))",
            ),
        ),
    ),
    Dashboard(
        "messaging",
        "Frontdesk: the messaging path",
        (
            Panel("Open sockets", "sum(frontdesk_gateway_sockets)"),
            Panel("Frames pushed by type", "sum by (type) (rate(frontdesk_gateway_frames_sent_total[5m]))"),
            Panel("Consumer lag by partition", "frontdesk_consumer_lag_messages"),
            Panel(
                "Messages handled by consumer and outcome",
                "sum by (consumer, outcome) (rate(frontdesk_consumer_messages_total[5m]))",
            ),
            Panel("p99 handling time per message", p99("frontdesk_consumer_handle_seconds", "consumer"), "s"),
            Panel("Outbox backlog", "sum by (relay) (frontdesk_outbox_backlog_rows)"),
            Panel("p99 outbox commit-to-Kafka delay", p99("frontdesk_outbox_delay_seconds", "relay"), "s"),
            Panel(
                "Messaging command verdicts",
                'sum by (command, verdict) (rate(frontdesk_command_verdicts_total{service="frontdesk.messaging"}[5m]))',
            ),
        ),
    ),
    Dashboard(
        "bookings",
        "Frontdesk: bookings",
        (
            Panel(
                "Booking command verdicts by code",
                'sum by (command, verdict) (rate(frontdesk_command_verdicts_total{service="frontdesk.booking"}[5m]))',
            ),
            Panel(
                "Bookings that found their time taken",
                "sum by (reason) (increase(frontdesk_booking_conflicts_total[15m]))",
            ),
            Panel(
                "p99 booking API latency",
                p99("frontdesk_http_request_seconds", "route", '{service="booking"}'),
                "s",
            ),
            Panel(
                "Booking consumer lag",
                'sum by (topic) (frontdesk_consumer_lag_messages{group=~".*booking.*"})',
            ),
        ),
    ),
    Dashboard(
        "notifications",
        "Frontdesk: notifications",
        (
            Panel(
                "Notifications by status and channel",
                "sum by (category, status, channel) (rate(frontdesk_notify_notifications_total[5m]))",
            ),
            Panel("p95 reminder lateness", REMINDER_P95, "s"),
            Panel(
                "Notify consumer lag", 'sum by (topic) (frontdesk_consumer_lag_messages{group=~".*notify.*"})'
            ),
        ),
    ),
)

ALERTS = (
    Alert(
        "ConsumerLagGrowing",
        (
            Condition(LAG, 100),
            Condition("sum by (group, topic) (deriv(frontdesk_consumer_lag_messages[10m]))", 0),
        ),
        "10m",
        "page",
        "Consumer group {{ $labels.group }} falls behind on {{ $labels.topic }}",
    ),
    Alert(
        "OutboxStuck",
        (Condition(OUTBOX_OLDEST, 60),),
        "2m",
        "page",
        "Relay {{ $labels.relay }} has not published a row for over a minute",
    ),
    Alert(
        "DeadLettersAppearing",
        (Condition(DEAD_LETTERS, 0),),
        "0m",
        "ticket",
        "{{ $labels.consumer }} dead-lettered messages from {{ $labels.topic }}",
    ),
    Alert(
        "ErrorRateHigh",
        (Condition(ERROR_RATIO, 0.05),),
        "5m",
        "page",
        "{{ $labels.service }} answers more than 5% of requests with a 5xx",
    ),
    Alert(
        "RemindersLate",
        (Condition(REMINDER_P95, 60),),
        "10m",
        "page",
        "Reminders fire more than a minute late (p95)",
    ),
)


def dashboard_json(dashboard: Dashboard) -> dict[str, object]:
    panels = [
        {
            "id": n + 1,
            "type": "timeseries",
            "title": panel.title,
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "gridPos": {"h": 8, "w": 12, "x": 12 * (n % 2), "y": 8 * (n // 2)},
            "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
            "targets": [{"refId": "A", "expr": panel.query, "exemplar": True}],
        }
        for n, panel in enumerate(dashboard.panels)
    ]
    datasource = {"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Prometheus"}
    return {
        "uid": f"frontdesk-{dashboard.slug}",
        "title": dashboard.title,
        "tags": ["frontdesk"],
        "schemaVersion": 39,
        "time": {"from": "now-1h", "to": "now"},
        "refresh": "30s",
        "templating": {"list": [datasource]},
        "panels": panels,
    }


def alerts_yaml() -> str:
    """YAML written by hand (JSON strings are valid YAML scalars): no YAML library needed."""
    lines = ["# Generated by deploy/observability/build.py; edit that, not this.", "groups:"]
    lines += ["  - name: frontdesk", "    rules:"]
    for alert in ALERTS:
        lines += [
            f"      - alert: {alert.name}",
            f"        expr: {json.dumps(alert.expr)}",
            f"        for: {alert.for_}",
            f"        labels: {{severity: {alert.severity}}}",
            "        annotations:",
            f"          summary: {json.dumps(alert.summary)}",
            f'          runbook_url: "docs/runbook.md#{alert.name.lower()}"',
        ]
    return "\n".join(lines) + "\n"


def files() -> dict[Path, str]:
    built = {HERE / "alerts.yml": alerts_yaml()}
    for dashboard in DASHBOARDS:
        built[HERE / "dashboards" / f"{dashboard.slug}.json"] = (
            json.dumps(dashboard_json(dashboard), indent=2) + "\n"
        )
    return built


def main(argv: list[str]) -> int:
    stale = [path for path, text in files().items() if not path.exists() or path.read_text() != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(HERE)} is out of date: run python deploy/observability/build.py")
        return 1 if stale else 0
    for path in stale:
        path.write_text(files()[path])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
