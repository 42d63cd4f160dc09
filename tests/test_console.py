"""The staff console in a real browser: Playwright (npm) drives Debian's chromium against the
running services, the console served as `make dev` serves it (clients/console/e2e/ has the
browser's side of the story)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from frontdesk_local.console import CONSOLE, ConsoleServer, build
from PIL import Image

from .booking_shop import set_up, zone_where_it_is_midday
from .client import PASSWORD
from .conftest import CONSOLE_PORT

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def console(system) -> Iterator[ConsoleServer]:
    assert shutil.which(CHROMIUM), f"{CHROMIUM} is missing: run `bash deploy/local/stack.sh chromium-install`"
    server = ConsoleServer(system.url("gateway"), CONSOLE_PORT, build()).start()
    try:
        yield server
    finally:
        server.stop()


async def test_staff_answer_live_transfer_with_a_note_see_the_assistants_handoff_and_a_booking_within_a_second(
    api, system, console, tmp_path
):
    shop = await set_up(api, timezone=zone_where_it_is_midday(), hours=("00:00", "23:59"), buffer=0)
    groomer = shop.staff[0]
    customer = await api.customer(shop.owner.shop_id, "王阿姨")
    second = await api.customer(shop.owner.shop_id, "Lily")
    phone = await api.device(customer)
    starts_at = await _a_free_time_today(shop, customer)
    photo = tmp_path / "golden.png"
    Image.new("RGB", (640, 480), "goldenrod").save(photo, "PNG")

    reply, transfer_note = "可以的,周六上午10点见!", "王阿姨的金毛怕吹风机,周六请用低档"
    browser = await asyncio.create_subprocess_exec(
        "node",
        "e2e/console.e2e.mjs",
        cwd=CONSOLE,
        env={
            **os.environ,
            "CONSOLE_URL": console.url,
            "GATEWAY_URL": system.url("gateway"),
            "SHOP_ID": shop.owner.shop_id,
            "STAFF_LOGIN": shop.owner.login,
            "PASSWORD": PASSWORD,
            "OWNER_TOKEN": shop.owner.token,
            "CUSTOMER_TOKEN": customer.token,
            "SECOND_CUSTOMER_TOKEN": second.token,
            "HANDOFF_TEXT": "我家狗今天呕吐了两次,怎么办",
            "CUSTOMER_TEXT": "周六上午10点可以给金毛洗澡吗?",
            "REPLY_TEXT": reply,
            "NOTE_TEXT": "老顾客,上次掉毛严重",
            "COLLEAGUE_ID": groomer.user_id,
            "COLLEAGUE_NAME": "Groomer 0",
            "TRANSFER_NOTE": transfer_note,
            "SERVICE_ID": shop.service_id,
            "STARTS_AT": starts_at,
            "PHOTO": str(photo),
            "CHROMIUM": CHROMIUM,
            # FRONTDESK_CONSOLE_SCREENSHOTS=docs/console refreshes the README's pictures
            "SCREENSHOTS": os.environ.get("FRONTDESK_CONSOLE_SCREENSHOTS", ""),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(browser.communicate(), 120)
    assert browser.returncode == 0, output.decode()

    # The customer's own app got the reply typed in the browser, as the shop's.
    got = await phone.next("message.new", text=reply, timeout=5)
    assert got["message"]["sender_id"] == shop.owner.user_id
    # The colleague now has the conversation, with the note left for them.
    conversation = got["message"]["conversation_id"]
    seen = await api.http.get(f"/v1/conversations/{conversation}", headers=groomer.auth)
    assert (seen.json()["assignee_id"], seen.json()["handoff_note"]) == (groomer.user_id, transfer_note)
    await phone.close()


async def _a_free_time_today(shop, customer) -> str:
    """The first bookable start today, an hour or more from now (the shop's noon is near)."""
    today = datetime.now(shop.timezone).date()
    found = await shop.slots(customer, shop.service_id, today, to_date=today.isoformat())
    assert found.status_code == 200, found.text
    soon = datetime.now(UTC) + timedelta(hours=1)
    starts = [s["starts_at"] for s in found.json()["slots"] if datetime.fromisoformat(s["starts_at"]) > soon]
    assert starts, found.json()
    return str(starts[0])
