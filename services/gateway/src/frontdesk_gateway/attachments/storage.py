"""Where attachment bytes live: a local directory, or an S3-compatible bucket.

Both adapters do their blocking I/O in a thread. Keys are made by the gateway
(shop/conversation/uuid), never taken from a client.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any, Protocol

from ..config import GatewaySettings

CHUNK = 256 * 1024


class ObjectMissing(Exception):
    """No object under that key."""


class ObjectStorage(Protocol):
    async def put(self, key: str, data: bytes | IO[bytes], mime: str) -> None:
        """Store bytes or a whole readable file under a key, replacing what was there."""

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; raises ObjectMissing before the first chunk."""

    async def delete(self, key: str) -> None:
        """Remove an object; a missing one is fine."""


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    async def put(self, key: str, data: bytes | IO[bytes], mime: str) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(self._path(key).open, "rb")
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        return _chunks(handle.read, handle.close)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    def _path(self, key: str) -> Path:
        path = (self._root / key).resolve()
        if not path.is_relative_to(self._root):
            raise ValueError(f"key {key!r} leaves the storage directory")
        return path

    @staticmethod
    def _write(path: Path, data: bytes | IO[bytes]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        try:
            with partial.open("wb") as out:
                if isinstance(data, bytes):
                    out.write(data)
                else:
                    shutil.copyfileobj(data, out, CHUNK)
            os.replace(partial, path)  # readers never see half a file
        finally:
            partial.unlink(missing_ok=True)


class S3Storage:
    """Any S3-compatible store. The boto3 client is thread-safe; every call runs in a thread."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    @classmethod
    def connect(
        cls,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        addressing_style: str = "auto",
    ) -> S3Storage:
        import boto3
        from botocore.config import Config

        client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(s3={"addressing_style": addressing_style}, retries={"mode": "standard"}),
        )
        return cls(client, bucket)

    async def put(self, key: str, data: bytes | IO[bytes], mime: str) -> None:
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        await asyncio.to_thread(
            self._client.upload_fileobj, source, self._bucket, key, ExtraArgs={"ContentType": mime}
        )

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            found = await asyncio.to_thread(self._client.get_object, Bucket=self._bucket, Key=key)
        except self._client.exceptions.NoSuchKey:
            raise ObjectMissing(key) from None
        body = found["Body"]
        return _chunks(body.read, body.close)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self._bucket, Key=key)


async def _chunks(read: Callable[[int], bytes], close: Callable[[], None]) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(read, CHUNK):
            yield chunk
    finally:
        await asyncio.to_thread(close)


def storage_for(settings: GatewaySettings) -> ObjectStorage:
    if settings.attachments_storage == "s3":
        return S3Storage.connect(
            settings.attachments_s3_bucket,
            endpoint_url=settings.attachments_s3_endpoint_url,
            region=settings.attachments_s3_region,
            access_key_id=settings.attachments_s3_access_key_id,
            secret_access_key=settings.attachments_s3_secret_access_key,
            addressing_style=settings.attachments_s3_addressing_style,
        )
    return LocalStorage(Path(settings.attachments_dir))
