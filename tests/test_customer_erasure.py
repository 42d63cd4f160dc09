"""A customer asks the shop to erase them: their name, phone and message texts become
unreadable in the API, in search and in the stored events, and a rebuild afterwards still
works (docs/adr/0005)."""

import asyncio
import subprocess
import sys

import asyncpg
import pytest

from .booking_shop import days_ahead, set_up
from .client import Account, Api

pytestmark = pytest.mark.e2e


async def say(api: Api, caller: Account, conversation: str, text: str) -> None:
    assert (await api.send(caller, conversation, text)).status_code == 201


async def texts(api: Api, caller: Account, conversation: str) -> list[str]:
    return [m["text"] for m in (await api.history(caller, conversation))["messages"]]


async def seen(api: Api, caller: Account, conversation: str) -> dict:
    """The conversation as the caller's list shows it, less the cursor a rebuild moves on."""
    response = await api.http.get(f"/v1/conversations/{conversation}", headers=caller.auth)
    assert response.status_code == 200, response.text
    return {k: v for k, v in response.json().items() if k != "change_cursor"}


async def found(api: Api, caller: Account, q: str) -> list[str]:
    response = await api.http.get("/v1/search", params={"q": q}, headers=caller.auth)
    assert response.status_code == 200, response.text
    return [r["text"] for r in response.json()["results"]]


async def connect(endpoints, database: str) -> asyncpg.Connection:
    return await asyncpg.connect(
        host=endpoints.database_host,
        port=endpoints.database_port,
        user=endpoints.database_user,
        password=endpoints.database_password or None,
        database=database,
    )


async def stored(endpoints, database: str, query: str) -> str:
    conn = await connect(endpoints, database)
    try:
        return " ".join(str(row[0]) for row in await conn.fetch(query))
    finally:
        await conn.close()


def rebuild(system, database: str) -> None:
    env = {**system.env, "FRONTDESK_DATABASE_NAME": database}
    result = subprocess.run(
        [sys.executable, "-m", "frontdesk_messaging", "rebuild-projections"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


async def test_an_erased_customer_is_unreadable_everywhere_and_rebuild_still_works(api, system, endpoints):
    owner = await api.shop("Golden Paws")
    groomer = await api.staff(owner)
    wang = await api.customer(owner.shop_id, "王小明")
    li = await api.customer(owner.shop_id, "Li")
    wang_chat, li_chat = await api.open_conversation(wang), await api.open_conversation(li)
    await say(api, wang, wang_chat, "我家旺财住在幸福路8号")
    await say(api, groomer, wang_chat, "旺财周六上午洗澡")
    await say(api, li, li_chat, "旺旺 needs a bath")
    messaging = f"{system.database_prefix}_messaging"
    events = "SELECT data::text FROM events UNION ALL SELECT state::text FROM snapshots"
    # sealed from the start: the plaintext is never in the event store
    assert "幸福路" not in await stored(endpoints, messaging, events)
    profile = await api.http.get(f"/v1/customers/{wang.user_id}/profile", headers=owner.auth)
    assert profile.json()["name"] == "王小明"

    # staff cannot erase; another shop's owner cannot reach this shop's customer
    staff_try = await api.http.post(
        f"/v1/shops/{owner.shop_id}/customers/{wang.user_id}/erase", headers=groomer.auth
    )
    assert (staff_try.status_code, staff_try.json()["error"]["code"]) == (403, "forbidden")
    rival = await api.shop("Rival Pets")
    rival_try = await api.http.post(
        f"/v1/shops/{rival.shop_id}/customers/{wang.user_id}/erase", headers=rival.auth
    )
    assert (rival_try.status_code, rival_try.json()["error"]["code"]) == (404, "customer_not_found")

    erased = await api.http.post(
        f"/v1/shops/{owner.shop_id}/customers/{wang.user_id}/erase", headers=owner.auth
    )
    assert erased.status_code == 202, erased.text
    for _ in range(100):
        if await texts(api, owner, wang_chat) == ["", ""]:
            break
        await asyncio.sleep(0.1)
    assert await texts(api, owner, wang_chat) == ["", ""]
    assert await found(api, owner, "旺财") == []
    assert await found(api, owner, "幸福路") == []
    audit = await api.http.get(f"/v1/shops/{owner.shop_id}/audit", headers=owner.auth)
    assert {
        "operation": "erase_customer",
        "target": {"shop_id": owner.shop_id, "customer_id": wang.user_id},
    } in [
        {"operation": e["operation"], "target": e["target"]} for e in audit.json()["entries"]
    ]  # the shop can show it did what was asked
    gone = await api.http.get(f"/v1/customers/{wang.user_id}/profile", headers=owner.auth)
    assert gone.status_code == 404
    signing_in = await api.http.post(
        "/v1/auth/token", json={"shop_id": owner.shop_id, "login": wang.login, "password": "x" * 12}
    )
    assert signing_in.status_code == 401
    accounts = f"SELECT name || ' ' || login FROM accounts WHERE id = '{wang.user_id}'"
    assert "王小明" not in await stored(endpoints, f"{system.database_prefix}_gateway", accounts)
    assert wang.login not in await stored(endpoints, f"{system.database_prefix}_gateway", accounts)
    people = f"SELECT name FROM people WHERE user_id = '{wang.user_id}'"
    assert "王小明" not in await stored(endpoints, messaging, people)

    live = [await seen(api, owner, wang_chat), await seen(api, owner, li_chat)]
    assert live[0]["last_message_preview"] == ""
    rebuild(system, messaging)
    assert [await seen(api, owner, wang_chat), await seen(api, owner, li_chat)] == live
    assert await texts(api, owner, wang_chat) == ["", ""]
    assert await found(api, owner, "旺财") == []
    # the other customer's sealed texts open again in the rebuild
    assert await texts(api, owner, li_chat) == ["旺旺 needs a bath"]
    assert await found(api, owner, "bath") == ["旺旺 needs a bath"]
    # the shop can still write to the conversation; that is sealed under a new key
    await say(api, groomer, wang_chat, "您的资料已删除")
    assert await texts(api, owner, wang_chat) == ["", "", "您的资料已删除"]


async def test_erasing_needs_an_existing_customer(api):
    owner = await api.shop()
    response = await api.http.post(
        f"/v1/shops/{owner.shop_id}/customers/{owner.user_id}/erase", headers=owner.auth
    )
    assert (response.status_code, response.json()["error"]["code"]) == (404, "customer_not_found")


async def test_the_owner_exports_the_shops_conversations_and_bookings(api):
    shop = await set_up(api)
    wang, li = await api.customer(shop.owner.shop_id, "Wang"), await api.customer(shop.owner.shop_id, "Li")
    wang_chat, li_chat = await api.open_conversation(wang), await api.open_conversation(li)
    await say(api, wang, wang_chat, "周六能给金毛洗澡吗")
    await say(api, shop.owner, wang_chat, "可以, 10点见")
    await say(api, li, li_chat, "Is boarding open at Christmas?")
    noted = await api.http.post(
        f"/v1/conversations/{wang_chat}/notes", json={"text": "VIP"}, headers=shop.owner.auth
    )
    assert noted.status_code in (200, 201, 202), noted.text
    pet = await api.http.post("/v1/pets", json={"name": "Mochi", "allergies": ["chicken"]}, headers=wang.auth)
    assert pet.status_code == 201, pet.text
    day = days_ahead(3)
    held = await shop.hold(wang, shop.local(day, 10))
    assert held.status_code == 201, held.text
    assert (await shop.step(wang, held.json()["id"], "confirm")).status_code == 200
    other = await shop.hold(li, shop.local(day, 14))
    assert other.status_code == 201, other.text
    path = f"/v1/shops/{shop.owner.shop_id}/export"

    archive = (await api.http.get(path, headers=shop.owner.auth)).json()
    assert archive["format"] == "frontdesk.export.v1"
    talk = {c["id"]: [m["text"] for m in c["messages"]] for c in archive["conversations"]}
    assert talk == {
        wang_chat: ["周六能给金毛洗澡吗", "可以, 10点见"],
        li_chat: ["Is boarding open at Christmas?"],
    }
    assert {(b["id"], b["status"]) for b in archive["bookings"]} == {
        (held.json()["id"], "confirmed"),
        (other.json()["id"], "held"),
    }

    theirs = (await api.http.get(path, params={"customer_id": wang.user_id}, headers=shop.owner.auth)).json()
    assert [c["id"] for c in theirs["conversations"]] == [wang_chat]
    assert [b["id"] for b in theirs["bookings"]] == [held.json()["id"]]
    # what the shop keeps of the customer: their account, pets, and the shop's notes on them
    assert (theirs["customer"]["name"], theirs["customer"]["login"]) == ("Wang", wang.login)
    assert [(p["name"], p["allergies"]) for p in theirs["customer"]["pets"]] == [("Mochi", ["chicken"])]
    assert [n["text"] for n in theirs["conversations"][0]["notes"]] == ["VIP"]
    assert archive["customer"] is None
    stranger = await api.http.get(
        path, params={"customer_id": shop.staff[0].user_id}, headers=shop.owner.auth
    )
    assert (stranger.status_code, stranger.json()["error"]["code"]) == (404, "customer_not_found")

    staff = await api.staff(shop.owner)
    refused = await api.http.get(path, headers=staff.auth)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    rival = await api.shop("Rival Pets")
    assert (await api.http.get(path, headers=rival.auth)).status_code == 404
