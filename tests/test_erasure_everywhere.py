"""An erased customer is unreadable in every service that kept something of them: booking
(notes, progress texts, pet profiles; sealed in its event store), notify (name, phone,
devices, notification and webhook texts), the assistant (message texts, pets), and their
attachments are gone from storage. Each service's rebuild gives what the live erasure
left, and the shop can still write to the customer afterwards (docs/adr/0005)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from .booking_shop import days_ahead, set_up
from .client import Account, Api
from .test_attachments import png, stored_files
from .test_customer_erasure import say, stored, texts

pytestmark = pytest.mark.e2e

NAME, PET, ADDRESS, ALLERGY, STAFF_NOTE, PROGRESS = (
    "王小明",
    "旺财",
    "幸福路8号",
    "鸡肉",
    "咬人要小心",
    "洗好了",
)
PERSONAL = (NAME, PET, ADDRESS, ALLERGY, STAFF_NOTE, PROGRESS, "旺财.png")
CLOSED_PORT = 21299  # this helper's range; nothing listens: webhook deliveries keep their body


def rebuild(system, service: str) -> str:
    env = {**system.env, "FRONTDESK_DATABASE_NAME": f"{system.database_prefix}_{service.replace('-', '_')}"}
    result = subprocess.run(
        [sys.executable, "-m", f"frontdesk_{service.replace('-', '_')}", "rebuild-projections"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def eventually(check, timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.2)


def unreadable(found: str) -> bool:
    return not any(word in found for word in PERSONAL)


async def test_an_erased_customer_is_unreadable_in_every_service_and_every_rebuild(
    api: Api, system, endpoints, attachments_dir: Path
):
    shop = await set_up(api, check_in_window_minutes=7 * 24 * 60)
    owner, groomer = shop.owner, shop.staff[0]
    wang: Account = await api.customer(owner.shop_id, NAME)
    li: Account = await api.customer(owner.shop_id, "Li")
    db = {
        s: f"{system.database_prefix}_{s.replace('-', '_')}"
        for s in ("booking", "notify", "ai-assist", "messaging")
    }
    hook = await api.http.post(
        f"/v1/shops/{owner.shop_id}/webhooks",
        json={"url": f"http://127.0.0.1:{CLOSED_PORT}/hook", "event_types": ["messaging.message.sent.v1"]},
        headers=owner.auth,
    )
    assert hook.status_code == 201, hook.text
    await api.push_device(wang)

    pets, bookings = {}, {}
    day = days_ahead(3)
    for who, name, allergy, note, hour in (
        (wang, PET, ALLERGY, f"住在{ADDRESS}", 10),
        (li, "Lucky", "beef", "Elm St", 14),
    ):
        made = await api.http.post(
            "/v1/pets",
            json={"name": name, "breed": "柴犬", "allergies": [allergy], "notes": f"{name} 怕吹风机"},
            headers=who.auth,
        )
        assert made.status_code == 201, made.text
        pets[who.user_id] = made.json()["id"]
        held = await shop.hold(who, shop.local(day, hour), pet_id=pets[who.user_id], customer_note=note)
        assert held.status_code == 201, held.text
        bookings[who.user_id] = held.json()["id"]
    for action, body in [
        ("confirm", None),
        ("staff-notes", {"text": STAFF_NOTE}),
        ("check-in", None),
        ("start", None),
        ("progress", {"text": PROGRESS}),
    ]:
        stepped = await shop.step(groomer, bookings[wang.user_id], action, body)
        assert stepped.status_code in (200, 201), stepped.text

    wang_chat, li_chat = await api.open_conversation(wang), await api.open_conversation(li)
    others = stored_files(attachments_dir)  # the run's other tests share the folder
    uploaded = await api.upload(wang, wang_chat, "旺财.png", png(64, 48), "image/png")
    assert uploaded.status_code == 201, uploaded.text
    attachment = uploaded.json()["attachment_id"]
    theirs_stored = stored_files(attachments_dir) - others
    assert len(theirs_stored) == 2  # the photo and its thumbnail
    sent = await api.send(wang, wang_chat, f"我家{PET}住在{ADDRESS}", attachment_id=attachment)
    assert sent.status_code == 201, sent.text
    await say(api, li, li_chat, "Lucky needs a bath")

    # Before: booking's events hold none of it (sealed), the other services hold plaintext.
    booking_events = "SELECT data::text FROM events"
    assert unreadable(await stored(endpoints, db["booking"], booking_events))
    notify_texts = (
        "SELECT string_agg(t, ' ') FROM (SELECT name AS t FROM names UNION ALL "
        "SELECT title || body FROM notifications UNION ALL SELECT title || body FROM sink_records "
        "UNION ALL SELECT body FROM webhook_deliveries UNION ALL SELECT preview FROM chat_alerts) x"
    )

    async def notify_has_the_message() -> bool:
        return PET in await stored(endpoints, db["notify"], notify_texts)

    await eventually(notify_has_the_message)  # the webhook delivery of the message
    assert NAME in await stored(endpoints, db["notify"], notify_texts)
    assistant_texts = (
        "SELECT string_agg(t, ' ') FROM (SELECT text AS t FROM turns UNION ALL SELECT name FROM pets) x"
    )

    async def assistant_has_it() -> bool:
        found = await stored(endpoints, db["ai-assist"], assistant_texts)
        return ADDRESS in found and PET in found

    await eventually(assistant_has_it)

    erased = await api.http.post(
        f"/v1/shops/{owner.shop_id}/customers/{wang.user_id}/erase", headers=owner.auth
    )
    assert erased.status_code == 202, erased.text

    async def booking(user: Account) -> dict:
        found = await api.http.get(f"/v1/bookings/{bookings[user.user_id]}", headers=owner.auth)
        assert found.status_code == 200, found.text
        return dict(found.json())

    async def pet(user: Account) -> dict:
        found = await api.http.get(f"/v1/pets/{pets[user.user_id]}", headers=owner.auth)
        assert found.status_code == 200, found.text
        return {k: v for k, v in found.json().items() if k != "history"}

    async def booking_forgot() -> bool:
        return (await booking(wang))["customer_note"] == ""

    await eventually(booking_forgot)
    theirs = await booking(wang)
    assert [n["text"] for n in theirs["staff_notes"]] == [""]
    assert [u["text"] for u in theirs["updates"]] == [""]
    assert theirs["status"] == "in_service"  # the booking itself stays: the shop's day is unchanged
    their_pet = await pet(wang)
    assert (their_pet["name"], their_pet["breed"], their_pet["allergies"], their_pet["notes"]) == (
        "",
        "",
        [],
        "",
    )
    keys = f"SELECT count(*) FROM customer_keys WHERE customer_id = '{wang.user_id}' AND key IS NOT NULL"
    assert await stored(endpoints, db["booking"], keys) == "0"
    assert unreadable(await stored(endpoints, db["booking"], booking_events))

    async def the_rest_forgot() -> bool:
        gone = await api.http.get(f"/v1/attachments/{attachment}", headers=owner.auth)
        return (
            gone.status_code == 404
            and NAME not in await stored(endpoints, db["notify"], notify_texts)
            and PET not in await stored(endpoints, db["ai-assist"], assistant_texts)
        )

    await eventually(the_rest_forgot)
    for service in ("notify", "ai-assist"):
        kept = await stored(
            endpoints,
            db[service],
            f"SELECT customer_id FROM erased_customers WHERE customer_id = '{wang.user_id}'",
        )
        assert wang.user_id in kept
    assert unreadable(await stored(endpoints, db["notify"], notify_texts))
    assert (
        await stored(
            endpoints, db["notify"], f"SELECT count(*) FROM devices WHERE user_id = '{wang.user_id}'"
        )
        == "0"
    )
    assert unreadable(await stored(endpoints, db["ai-assist"], assistant_texts))
    assert not (theirs_stored & stored_files(attachments_dir))
    history = await api.history(owner, wang_chat)
    assert {m["text"] for m in history["messages"]} == {""}  # their message, the booking's update
    assert [m["attachment"]["name"] for m in history["messages"] if m["attachment"]] == [""]
    messaging_events = "SELECT data::text FROM events UNION ALL SELECT text FROM messages"
    assert unreadable(await stored(endpoints, db["messaging"], messaging_events))

    # Li's are untouched.
    assert (await booking(li))["customer_note"] == "Elm St"
    assert ((await pet(li))["name"], (await pet(li))["allergies"]) == ("Lucky", ["beef"])

    # Every rebuild gives what the live erasure left.
    live = [await booking(wang), await pet(wang), await booking(li), await pet(li)]
    notify_rows = "SELECT id || ':' || name FROM names ORDER BY id"
    assistant_rows = "SELECT pet_id || ':' || name || ':' || breed FROM pets ORDER BY pet_id"
    projected = [
        await stored(endpoints, db["notify"], notify_rows),
        await stored(endpoints, db["ai-assist"], assistant_rows),
    ]
    assert "rebuilt booking read models" in rebuild(system, "booking")
    rebuild(system, "notify")
    rebuild(system, "ai-assist")
    assert [await booking(wang), await pet(wang), await booking(li), await pet(li)] == live
    assert [
        await stored(endpoints, db["notify"], notify_rows),
        await stored(endpoints, db["ai-assist"], assistant_rows),
    ] == projected
    assert unreadable(await stored(endpoints, db["notify"], notify_texts))
    assert unreadable(await stored(endpoints, db["ai-assist"], assistant_texts))

    # The shop can still write to them (sealed under a new key in messaging).
    await say(api, groomer, wang_chat, "您的资料已删除")
    after = await texts(api, owner, wang_chat)
    assert set(after[:-1]) == {""} and after[-1] == "您的资料已删除"
