"""Huge request bodies are refused at once and cost the gateway nothing; files still upload."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

pytestmark = pytest.mark.e2e
MiB = 1024 * 1024
HUGE = 100 * MiB
CHUNK = 64 * 1024


def rss_bytes(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(kib) * 1024


@contextlib.asynccontextmanager
async def peak_memory(pid: int):
    """The process's largest resident size while the block runs, sampled every 10 ms."""
    peak = [rss_bytes(pid)]

    async def sample() -> None:
        while True:
            peak[0] = max(peak[0], rss_bytes(pid))
            await asyncio.sleep(0.01)

    sampling = asyncio.create_task(sample())
    try:
        yield peak
    finally:
        sampling.cancel()
        peak[0] = max(peak[0], rss_bytes(pid))


async def push_huge_body(url: str, path: str, *, chunked: bool, token: str | None = None):
    """POSTs 100 MB, streamed, and stops sending once the gateway answers.
    Returns (status, answer, bytes sent before the answer, seconds to the answer)."""
    address = urlsplit(url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    head = [f"POST {path} HTTP/1.1", f"Host: {address.netloc}", "Content-Type: application/json"]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {HUGE}")
    if token:
        head.append(f"Authorization: Bearer {token}")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
    sent = 0

    async def send_body() -> None:
        nonlocal sent
        block = b"x" * CHUNK
        framed = f"{CHUNK:x}\r\n".encode() + block + b"\r\n" if chunked else block
        while sent < HUGE:
            writer.write(framed)
            await writer.drain()
            sent += CHUNK
            # drain() returns without yielding while the socket takes every byte: without
            # this the answer, already here, would wait unread until the buffers filled
            await asyncio.sleep(0)

    started = time.monotonic()
    sending = asyncio.create_task(send_body())
    try:
        status = int((await reader.readline()).split()[1])
        sent_when_answered, seconds = sent, time.monotonic() - started
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        answer = json.loads(await reader.readexactly(int(headers["content-length"])))
    finally:
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError, OSError):
            await sending
        writer.close()
    return status, answer, sent_when_answered, seconds


async def test_four_huge_bodies_at_once_are_refused_at_once_without_the_gateway_growing(system):
    gateway = system.url("gateway")
    pid = system.running["gateway"].process.pid
    async with peak_memory(pid) as peak:
        before = rss_bytes(pid)
        refused = await asyncio.gather(
            push_huge_body(gateway, "/v1/auth/token", chunked=False),
            push_huge_body(gateway, "/v1/auth/token", chunked=True),
            push_huge_body(gateway, "/v1/shops", chunked=False),
            push_huge_body(gateway, "/v1/shops", chunked=True),
        )
    for status, answer, sent, seconds in refused:
        assert (status, answer["error"]["code"]) == (413, "payload_too_large")
        assert sent < HUGE / 4 and seconds < 5
    assert peak[0] - before < 16 * MiB


async def test_a_huge_upload_is_refused_and_a_real_photo_still_uploads(api, system):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)

    status, answer, sent, _ = await push_huge_body(
        system.url("gateway"),
        f"/v1/conversations/{conversation}/attachments",
        chunked=False,
        token=customer.token,
    )
    assert (status, answer["error"]["code"], sent < HUGE / 4) == (413, "payload_too_large", True)

    noise = Image.frombytes("RGB", (1024, 1024), os.urandom(3 * MiB))
    photo = io.BytesIO()
    noise.save(photo, "PNG")
    assert len(photo.getvalue()) > 2 * MiB
    uploaded = await api.upload(customer, conversation, "photo.png", photo.getvalue(), "image/png")
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["size"] == len(photo.getvalue())


async def test_an_ordinary_json_body_passes_and_an_oversized_one_gets_413(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    assert (await api.send(customer, conversation, "is Friday 3pm free?")).status_code == 201
    oversized = await api.send(customer, conversation, "x" * (70 * 1024))
    assert (oversized.status_code, oversized.json()["error"]["code"]) == (413, "payload_too_large")
