"""Attachments use cases: keep an upload, let participants fetch it, attach it to a message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import IO
from uuid import UUID, uuid4

from frontdesk_platform.errors import ApiError
from frontdesk_platform.unit_of_work import UnitOfWork

from ..conversations import Conversations
from ..identity.tokens import Principal
from . import repository
from .containers import settle
from .content import Rules
from .media import THUMBNAIL_MIME, describe
from .model import Attachment
from .storage import ObjectMissing, ObjectStorage
from .upload import Upload

log = logging.getLogger(__name__)

NOT_FOUND = ApiError(404, "attachment_not_found", "No such attachment.")
STORAGE_DOWN = ApiError(503, "service_unavailable", "File storage is unavailable; retry.")


class Attachments:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        storage: ObjectStorage,
        conversations: Conversations,
        rules: Rules,
        clock: Callable[[], datetime],
    ) -> None:
        self._uow = unit_of_work
        self._storage = storage
        self._conversations = conversations
        self.rules = rules
        self._clock = clock

    async def add(self, caller: Principal, conversation_id: UUID, upload: Upload) -> Attachment:
        """Check the whole file, learn what clients show, store it; the caller was authorized."""
        found = await asyncio.to_thread(settle, upload.found, upload.file)
        self.rules.check_size(found.kind, upload.size)
        self.rules.check_type(found, upload.declared_type, upload.name)
        details = await asyncio.to_thread(describe, found, upload.file, self.rules.max_image_pixels)
        attachment_id = uuid4()
        thumbnail_id = uuid4() if details.thumbnail else None
        folder = f"{caller.shop_id}/{conversation_id}"
        attachment = Attachment(
            id=attachment_id,
            shop_id=caller.shop_id,
            conversation_id=conversation_id,
            uploader_id=caller.user_id,
            kind=found.kind,
            name=upload.name,
            mime=found.mime,
            size=upload.size,
            storage_key=f"{folder}/{attachment_id}",
            created_at=self._clock(),
            duration_ms=details.duration_ms,
            width=details.width,
            height=details.height,
            thumbnail_id=thumbnail_id,
            thumbnail_key=f"{folder}/{thumbnail_id}" if thumbnail_id else None,
        )
        stored: list[str] = []
        try:
            await self._put(stored, attachment.storage_key, upload.file, found.mime)
            if details.thumbnail and attachment.thumbnail_key:
                await self._put(stored, attachment.thumbnail_key, details.thumbnail, THUMBNAIL_MIME)
            async with self._uow() as uow:
                await repository.add(uow.session, attachment)
                await uow.commit()
        except Exception:
            for key in stored:  # nothing half-kept: no row, no bytes
                with contextlib.suppress(Exception):
                    await self._storage.delete(key)
            raise
        return attachment

    async def _put(self, stored: list[str], key: str, data: bytes | IO[bytes], mime: str) -> None:
        try:
            await self._storage.put(key, data, mime)
        except Exception as exc:
            log.exception("could not store attachment object %s", key)
            raise STORAGE_DOWN from exc
        stored.append(key)

    async def readable(self, caller: Principal, attachment_id: UUID) -> Attachment:
        """The attachment, if the caller takes part in its conversation; else 404."""
        attachment = await self._get(attachment_id)
        if attachment is None or attachment.shop_id != caller.shop_id:
            raise NOT_FOUND
        try:
            await self._conversations.authorize(caller, attachment.conversation_id)
        except ApiError as exc:
            if exc.status == 404:
                raise NOT_FOUND from None
            raise
        return attachment

    async def open(
        self, caller: Principal, attachment_id: UUID, thumbnail: bool = False
    ) -> tuple[Attachment, AsyncIterator[bytes]]:
        attachment = await self.readable(caller, attachment_id)
        key = attachment.thumbnail_key if thumbnail else attachment.storage_key
        if key is None:
            raise ApiError(404, "attachment_not_found", "This attachment has no thumbnail.")
        try:
            return attachment, await self._storage.open(key)
        except ObjectMissing:
            log.error("attachment %s has a row but no object %s", attachment.id, key)
            raise NOT_FOUND from None
        except Exception as exc:
            log.exception("could not read attachment object %s", key)
            raise STORAGE_DOWN from exc

    async def for_message(self, caller: Principal, conversation_id: UUID, attachment_id: UUID) -> Attachment:
        """Only the uploader attaches a file, and only in the conversation it was uploaded to."""
        attachment = await self._get(attachment_id)
        if (
            attachment is None
            or attachment.conversation_id != conversation_id
            or attachment.uploader_id != caller.user_id
        ):
            raise NOT_FOUND
        return attachment

    async def _get(self, attachment_id: UUID) -> Attachment | None:
        async with self._uow() as uow:
            return await repository.get(uow.session, attachment_id)
