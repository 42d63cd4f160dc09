"""An attachment as the gateway keeps it: what the content showed, and where the bytes are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from .content import AttachmentKind


@dataclass(frozen=True)
class Attachment:
    id: UUID
    shop_id: UUID
    conversation_id: UUID
    uploader_id: UUID
    kind: AttachmentKind
    name: str
    mime: str
    size: int
    storage_key: str
    created_at: datetime
    duration_ms: int | None = None
    width: int | None = None
    height: int | None = None
    thumbnail_id: UUID | None = None
    thumbnail_key: str | None = None

    def metadata(self) -> dict[str, Any]:
        """What clients see, in the upload's answer and in the message that carries it."""
        return {
            "attachment_id": self.id,
            "kind": self.kind,
            "name": self.name,
            "mime": self.mime,
            "size": self.size,
            "duration_ms": self.duration_ms,
            "width": self.width,
            "height": self.height,
            "thumbnail_id": self.thumbnail_id,
        }
