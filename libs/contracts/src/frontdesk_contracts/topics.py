"""Kafka topic names. Keys are always the aggregate id."""

IDENTITY_EVENTS = "identity.events"
MESSAGING_COMMANDS = "messaging.commands"
MESSAGING_EVENTS = "messaging.events"
MESSAGING_REPLIES = "messaging.replies"
PRESENCE_EVENTS = "presence.events"

ALL = (IDENTITY_EVENTS, MESSAGING_COMMANDS, MESSAGING_EVENTS, MESSAGING_REPLIES, PRESENCE_EVENTS)


def dead_letter(topic: str) -> str:
    return f"{topic}.dlt"
