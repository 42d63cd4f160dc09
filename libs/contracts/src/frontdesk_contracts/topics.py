"""Kafka topic names. Keys are always the aggregate id."""

IDENTITY_EVENTS = "identity.events"
MESSAGING_COMMANDS = "messaging.commands"
MESSAGING_EVENTS = "messaging.events"
MESSAGING_REPLIES = "messaging.replies"
PRESENCE_EVENTS = "presence.events"
BOOKING_COMMANDS = "booking.commands"
BOOKING_EVENTS = "booking.events"
BOOKING_REPLIES = "booking.replies"
NOTIFY_COMMANDS = "notify.commands"
NOTIFY_REPLIES = "notify.replies"
ASSISTANT_COMMANDS = "assistant.commands"
ASSISTANT_REPLIES = "assistant.replies"

ALL = (
    IDENTITY_EVENTS,
    MESSAGING_COMMANDS,
    MESSAGING_EVENTS,
    MESSAGING_REPLIES,
    PRESENCE_EVENTS,
    BOOKING_COMMANDS,
    BOOKING_EVENTS,
    BOOKING_REPLIES,
    NOTIFY_COMMANDS,
    NOTIFY_REPLIES,
    ASSISTANT_COMMANDS,
    ASSISTANT_REPLIES,
)

# Topics whose records are orders to a service: only signed records on them are obeyed.
COMMANDS = (MESSAGING_COMMANDS, BOOKING_COMMANDS, NOTIFY_COMMANDS, ASSISTANT_COMMANDS)

# Contract events and commands carry names, phones and texts in plaintext (subscribers were
# promised readable fields), so no topic, dead-letter topics included, keeps a record longer
# than this: an erasure is complete in Kafka once the copies made before it have aged out
# (docs/adr/0005). The deploy files are checked against it.
ERASURE_DAYS = 14


def dead_letter(topic: str) -> str:
    return f"{topic}.dlt"
