"""One suite for every storage adapter: a local directory, and S3 (a moto server on 127.0.0.1)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from frontdesk_gateway.attachments.storage import LocalStorage, ObjectMissing, ObjectStorage, S3Storage


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3(endpoint: str) -> S3Storage:
    storage = S3Storage.connect(
        "frontdesk-attachments",
        endpoint_url=endpoint,
        region="us-east-1",
        access_key_id="test",
        secret_access_key="test",
        addressing_style="path",
    )
    storage._client.create_bucket(Bucket="frontdesk-attachments")
    return storage


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStorage:
    if request.param == "local":
        return LocalStorage(tmp_path / "attachments")
    return s3(request.getfixturevalue("s3_endpoint"))


async def read(storage: ObjectStorage, key: str) -> bytes:
    chunks: AsyncIterator[bytes] = await storage.open(key)
    return b"".join([chunk async for chunk in chunks])


async def test_bytes_and_files_come_back_as_they_went_in(storage: ObjectStorage) -> None:
    await storage.put("shop/conversation/small", b"thumbnail bytes", "image/jpeg")
    big = bytes(range(256)) * 4096 * 3  # 3 MiB: more than one chunk, and a multipart upload
    await storage.put("shop/conversation/big", io.BytesIO(big), "video/mp4")
    assert await read(storage, "shop/conversation/small") == b"thumbnail bytes"
    assert await read(storage, "shop/conversation/big") == big


async def test_putting_again_replaces(storage: ObjectStorage) -> None:
    await storage.put("k/1", b"first", "text/plain")
    await storage.put("k/1", b"second", "text/plain")
    assert await read(storage, "k/1") == b"second"


async def test_a_missing_object_says_so_before_any_bytes(storage: ObjectStorage) -> None:
    with pytest.raises(ObjectMissing):
        await storage.open("k/never-stored")


async def test_a_deleted_object_is_gone_and_deleting_twice_is_fine(storage: ObjectStorage) -> None:
    await storage.put("k/2", b"bytes", "application/pdf")
    await storage.delete("k/2")
    await storage.delete("k/2")
    with pytest.raises(ObjectMissing):
        await storage.open("k/2")


async def test_s3_keeps_the_content_type(s3_endpoint: str) -> None:
    storage = s3(s3_endpoint)
    await storage.put("k/typed", b"%PDF-1.4", "application/pdf")
    head = storage._client.head_object(Bucket="frontdesk-attachments", Key="k/typed")
    assert head["ContentType"] == "application/pdf"


def test_a_local_key_cannot_leave_the_directory(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "attachments")
    with pytest.raises(ValueError):
        storage._path("../outside")
