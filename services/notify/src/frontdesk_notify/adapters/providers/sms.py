"""What a text message says, and the phone number shape both SMS providers expect."""

from __future__ import annotations

import re

from .base import Message

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def sms_text(message: Message) -> str:
    """The title on its own line above the body; an SMS has no separate title."""
    return f"{message.title}\n{message.body}" if message.title else message.body


def is_e164(number: str) -> bool:
    return bool(E164.match(number))
