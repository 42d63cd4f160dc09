"""Photos, voice notes and files, as the apps use them: upload, send, see, fetch."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.e2e
MiB = 1024 * 1024


def png(width: int = 1024, height: int = 768) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "goldenrod").save(out, "PNG")
    return out.getvalue()


def voice_note(seconds: float = 2.0) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * int(8000 * seconds))
    return out.getvalue()


def stored_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def test_a_photo_reaches_the_other_side_with_its_details_and_only_participants_can_fetch_it(api):
    owner = await api.shop()
    groomer = await api.staff(owner)
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    phone, counter = await api.device(customer), await api.device(groomer)
    photo = png()

    uploaded = await api.upload(customer, conversation, "金毛洗澡前.png", photo, "image/png")
    assert uploaded.status_code == 201, uploaded.text
    info = uploaded.json()
    assert info["kind"] == "image" and info["mime"] == "image/png"
    assert (info["width"], info["height"], info["size"]) == (1024, 768, len(photo))
    assert info["name"] == "金毛洗澡前.png" and info["thumbnail_id"] and info["duration_ms"] is None

    sent = await phone.send_message(conversation, "洗澡前的样子", attachment_id=info["attachment_id"])
    assert (await phone.next("ack", client_msg_id=sent))["seq"] == 1
    seen = (await counter.next("message.new", client_msg_id=sent))["message"]
    assert seen["kind"] == "image" and seen["text"] == "洗澡前的样子"
    assert seen["attachment"] == {k: v for k, v in info.items() if k != "kind"}
    history = await api.history(groomer, conversation)
    assert history["messages"][0]["attachment"]["attachment_id"] == info["attachment_id"]

    original = await api.http.get(f"/v1/attachments/{info['attachment_id']}", headers=groomer.auth)
    assert original.status_code == 200 and original.content == photo
    assert original.headers["content-type"] == "image/png"
    assert original.headers["content-disposition"].startswith("inline;")
    assert "%E9%87%91%E6%AF%9B" in original.headers["content-disposition"]  # 金毛, UTF-8 encoded

    small = await api.http.get(f"/v1/attachments/{info['attachment_id']}/thumbnail", headers=customer.auth)
    assert small.status_code == 200 and small.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(small.content)) as thumbnail:
        assert thumbnail.format == "JPEG" and max(thumbnail.size) <= 320
        assert thumbnail.size == (320, 240)

    other_customer = await api.customer(owner.shop_id, name="Li")
    other_shop = await api.shop("Nail Studio")
    for stranger in (other_customer, other_shop):
        for path in (
            f"/v1/attachments/{info['attachment_id']}",
            f"/v1/attachments/{info['attachment_id']}/thumbnail",
        ):
            refused = await api.http.get(path, headers=stranger.auth)
            assert refused.status_code == 404, path
            assert refused.json()["error"]["code"] == "attachment_not_found"


async def test_a_voice_note_from_staff_carries_its_length_and_the_server_decides_what_it_is(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    phone = await api.device(customer)

    uploaded = await api.upload(owner, conversation, "note.wav", voice_note(2.0), "application/octet-stream")
    assert uploaded.status_code == 201, uploaded.text
    info = uploaded.json()
    assert (info["kind"], info["mime"], info["duration_ms"]) == ("voice", "audio/wav", 2000)

    bogus = {
        "kind": "video",
        "attachment": {"attachment_id": info["attachment_id"], "size": 1, "mime": "x/y"},
    }
    reply = await api.send(owner, conversation, "", attachment_id=info["attachment_id"], **bogus)
    assert reply.status_code == 201, reply.text
    seen = (await phone.next("message.new", seq=reply.json()["seq"]))["message"]
    assert seen["kind"] == "voice" and seen["text"] == ""
    assert seen["attachment"]["duration_ms"] == 2000 and seen["attachment"]["mime"] == "audio/wav"
    assert seen["attachment"]["size"] == info["size"]


async def test_an_attachment_is_sent_only_by_its_uploader_in_its_own_conversation(api):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    other = await api.customer(owner.shop_id)
    other_conversation = await api.open_conversation(other)
    info = (await api.upload(customer, conversation, "a.png", png(64, 64), "image/png")).json()

    by_staff = await api.send(owner, conversation, "look", attachment_id=info["attachment_id"])
    elsewhere = await api.send(owner, other_conversation, "look", attachment_id=info["attachment_id"])
    for refused in (by_staff, elsewhere):
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "attachment_not_found"
    socket = await api.device(other)
    sent = await socket.send_message(other_conversation, "", attachment_id=info["attachment_id"])
    assert (await socket.next("error", ref=sent))["code"] == "attachment_not_found"
    assert (await api.history(customer, conversation))["messages"] == []


async def test_oversized_mislabelled_and_unknown_files_are_refused_and_nothing_is_kept(api, attachments_dir):
    owner = await api.shop()
    customer = await api.customer(owner.shop_id)
    conversation = await api.open_conversation(customer)
    before = stored_files(attachments_dir)

    too_big = png(16, 16) + b"\x00" * (10 * MiB)
    fake_png = b"this is a shopping list, not a picture\n"
    program = b"MZ\x90\x00" + b"\x00" * 4096
    cases = [
        (("huge.png", too_big, "image/png"), 413, "attachment_too_large"),
        (("photo.png", fake_png, "image/png"), 415, "unsupported_media_type"),
        (("photo.png", fake_png, "application/octet-stream"), 415, "unsupported_media_type"),
        (("setup.exe", program, "application/octet-stream"), 415, "unsupported_media_type"),
        (("empty.txt", b"", "text/plain"), 415, "unsupported_media_type"),
    ]
    for (name, data, content_type), status, code in cases:
        refused = await api.upload(customer, conversation, name, data, content_type)
        assert (refused.status_code, refused.json()["error"]["code"]) == (status, code), name

    outsider = await api.customer(owner.shop_id)
    refused = await api.upload(outsider, conversation, "a.png", png(8, 8), "image/png")
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "conversation_not_found")
    assert stored_files(attachments_dir) == before

    notes = await api.upload(customer, conversation, "notes.txt", fake_png, "text/plain")
    assert notes.status_code == 201 and notes.json()["mime"] == "text/plain"
    fetched = await api.http.get(f"/v1/attachments/{notes.json()['attachment_id']}", headers=owner.auth)
    assert fetched.content == fake_png
    assert fetched.headers["content-disposition"].startswith("attachment;")
    assert len(stored_files(attachments_dir)) == len(before) + 1
