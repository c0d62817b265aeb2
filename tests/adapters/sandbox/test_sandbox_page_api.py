"""The JSON API behind the chat page, exercised without a browser."""

from __future__ import annotations

import asyncio
import io

import aiohttp
from PIL import Image
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from tests.adapters.sandbox.sandbox_world import ALICE, BOB, STORE_GROUP


async def get(url: str, **params) -> tuple[int, object]:
    async with aiohttp.ClientSession() as session, session.get(url, params=params) as response:
        return response.status, await response.json()


async def post(url: str, **kwargs) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as response:
        return response.status, await response.json()


async def test_identities_and_their_chats_are_listed(sandbox_url):
    _, identities = await get(f"{sandbox_url}/sandbox/api/identities")
    assert [(p["id"], p["label"], p["role"]) for p in identities][0] == (
        ALICE,
        "Alice · clerk",
        "Store 1 clerk",
    )
    _, chats = await get(f"{sandbox_url}/sandbox/api/chats", user_id=BOB)
    assert [(c["id"], c["type"], c["title"]) for c in chats] == [
        (BOB, "private", "Shop Assistant"),
        (STORE_GROUP, "supergroup", "Store 1 staff"),
    ]


async def test_a_long_poll_returns_when_the_bot_writes(bot, sandbox_url):
    api = f"{sandbox_url}/sandbox/api"
    _, before = await get(f"{api}/messages", chat_id=ALICE, user_id=ALICE)
    waiting = asyncio.create_task(
        get(f"{api}/messages", chat_id=ALICE, user_id=ALICE, since=before["revision"])
    )
    await asyncio.sleep(0.1)
    assert not waiting.done()
    await bot.send_message(ALICE, "<b>Low stock</b>: milk", parse_mode="HTML")
    _, after = await asyncio.wait_for(waiting, 3)
    shown = after["messages"][-1]
    assert (shown["text"], shown["is_bot"], shown["mine"]) == ("Low stock: milk", True, False)
    assert shown["entities"] == [{"type": "bold", "offset": 0, "length": 9}]


async def test_sending_and_pressing_from_the_page_returns_the_bots_answer(bot, sandbox, sandbox_url):
    api = f"{sandbox_url}/sandbox/api"
    status, sent = await post(f"{api}/send", json={"user_id": ALICE, "chat_id": ALICE, "text": "hello"})
    assert status == 200 and sent["text"] == "hello"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    question = await bot.send_message(ALICE, "Confirm?", reply_markup=keyboard)

    async def bot_answers() -> None:
        for _ in range(50):
            updates = await bot.get_updates(timeout=0)
            presses = [u.callback_query for u in updates if u.callback_query]
            if presses:
                await presses[0].answer("Done", show_alert=True)
                return
            await asyncio.sleep(0.05)

    answering = asyncio.create_task(bot_answers())
    body = {"user_id": ALICE, "chat_id": ALICE, "message_id": question.message_id, "data": "ok"}
    status, pressed = await post(f"{api}/press", json=body)
    await answering
    assert status == 200 and pressed["answer"]["text"] == "Done" and pressed["answer"]["show_alert"] is True


async def test_uploads_become_photos_or_documents_and_are_served_back(sandbox, sandbox_url):
    api = f"{sandbox_url}/sandbox/api"
    picture = io.BytesIO()
    Image.new("RGB", (5, 5)).save(picture, "PNG")
    for name, content_type, data in (
        ("shelf.png", "image/png", picture.getvalue()),
        ("list.txt", "text/plain", b"a"),
    ):
        form = aiohttp.FormData({"user_id": str(ALICE), "chat_id": str(STORE_GROUP)})
        form.add_field("file", data, filename=name, content_type=content_type)
        assert (await post(f"{api}/upload", data=form))[0] == 200
    _, shown = await get(f"{api}/messages", chat_id=STORE_GROUP, user_id=ALICE)
    photo, document = shown["messages"][-2:]
    assert photo["photo_url"].startswith("/sandbox/api/file/") and document["document"]["name"] == "list.txt"
    async with aiohttp.ClientSession() as session, session.get(sandbox_url + photo["photo_url"]) as response:
        assert await response.read() == picture.getvalue()


async def test_contact_sharing_needs_a_phone_and_shares_it(sandbox, sandbox_url):
    api = f"{sandbox_url}/sandbox/api"
    assert (await post(f"{api}/contact", json={"user_id": BOB, "chat_id": BOB}))[0] == 400
    status, shared = await post(f"{api}/contact", json={"user_id": ALICE, "chat_id": ALICE})
    assert status == 200 and shared["contact"]["phone_number"] == "+8613800000001"


async def test_the_inbox_shows_an_identitys_sms_and_mail_newest_first(sandbox, sandbox_url):
    sandbox.state.add_inbox_item(
        kind="sms",
        direction="in",
        address="+8613800000001",
        sender="+1500",
        recipient="+8613800000001",
        body="code 1234",
    )
    sandbox.state.add_inbox_item(
        kind="email",
        direction="in",
        address="alice@store1.example",
        sender="shop",
        recipient="alice@store1.example",
        subject="Offers",
        html="<p>hi</p>",
    )
    sandbox.state.add_inbox_item(
        kind="sms",
        direction="in",
        address="+8613900000000",
        sender="+1500",
        recipient="+8613900000000",
        body="not Alice's",
    )
    _, items = await get(f"{sandbox_url}/sandbox/api/inbox", user_id=ALICE)
    assert [(i["kind"], i["subject"] or i["body"]) for i in items] == [
        ("email", "Offers"),
        ("sms", "code 1234"),
    ]


async def test_the_page_is_served_at_the_root(sandbox_url):
    async with aiohttp.ClientSession() as session, session.get(sandbox_url + "/") as response:
        page = await response.text()
    assert response.status == 200 and 'id="identity"' in page and "/sandbox/static/chat.js" in page
