"""What ops watch on notify's /metrics: notifications by outcome and channel, provider
answers, how late reminders fire, and webhook attempts."""

from prometheus_client import Counter, Histogram

SETTLED = Counter(
    "frontdesk_notify_notifications_total",
    "Notifications by how a delivery attempt ended (sent, queued for later, skipped, failed).",
    ["category", "status", "channel"],
)
PROVIDER_ANSWERS = Counter(
    "frontdesk_notify_provider_answers_total",
    "Provider answers by platform and outcome (sent, invalid_address, rate_limited, failed).",
    ["platform", "status"],
)
REMINDER_LATENESS = Histogram(
    "frontdesk_notify_reminder_lateness_seconds",
    "How long after its due time a reminder fired.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)
WEBHOOK_ATTEMPTS = Counter(
    "frontdesk_notify_webhook_attempts_total",
    "Webhook delivery attempts by outcome (delivered, pending: tried again later, failed: the day is spent).",
    ["status"],
)
WEBHOOK_ENDPOINTS_TURNED_OFF = Counter(
    "frontdesk_notify_webhook_endpoints_turned_off_total",
    "Webhook endpoints turned off after a day of failed deliveries.",
)
