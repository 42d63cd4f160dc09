"""Why a command is not carried out: one `Refused` for every service (no I/O here, so a
domain model may raise it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class Refused(Exception):
    """The command is not allowed or not valid as asked; nothing it did is kept and the
    sender is answered with the code.

    `Refused(code, message)`, or `Kind(message)` for a subclass that names its code.
    `details` go into the rejection where the service's reply carries them (booking's
    alternative slots).

    `before_writing`: raised before the handler wrote or published anything, so there is
    nothing to undo: a batch carried out without savepoints answers it and goes on,
    instead of being undone and done again with a savepoint per command (booking's
    `slot_taken` under contention)."""

    code: ClassVar[str] = "refused"

    def __init__(
        self, *args: str, details: Mapping[str, Any] | None = None, before_writing: bool = False
    ) -> None:
        if len(args) == 2:
            code, message = args
        elif len(args) == 1:
            code, message = type(self).code, args[0]
        else:
            raise TypeError("Refused(code, message) or Refused(message)")
        super().__init__(message)
        self.code = code  # type: ignore[misc]  # an instance may name its own code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        self.before_writing = before_writing
