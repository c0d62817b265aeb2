"""Webhook mode, replayed updates, and every kind of bad input getting a clear answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.http.server import WebParts, init_app
from adapters.http.telegram_webhook import SECRET_HEADER, WEBHOOK_PATH, webhook_routes
from adapters.telegram_sandbox import TelegramSandbox
from main import build_bot
from tests.e2e.world import (
    CLERK,
    MANAGER,
    S01_GROUP,
    World,
    load_chain,
    populate_sandbox,
    serve_sandbox,
    settings_for,
    stop,
)

SECRET = "webhook-secret-for-tests"


@pytest.fixture
async def webhook_world(sqlite_database, tmp_path: Path, clock) -> AsyncIterator[tuple[World, str]]:  # type: ignore[no-untyped-def]
    uow = UnitOfWorkFactory(sqlite_database)
    load_chain(uow, tmp_path, clock)
    sandbox = TelegramSandbox()
    populate_sandbox(sandbox)
    sandbox_runner, url = await serve_sandbox(sandbox)
    application = build_bot(settings_for(url), uow, clock, webhook=True)
    runner = web.AppRunner(init_app(lambda: {}, [WebParts(routes=webhook_routes(application, SECRET))]))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    hook = f"http://{host}:{port}{WEBHOOK_PATH}"
    await application.initialize()
    await application.start()
    await application.bot.set_webhook(hook, secret_token=SECRET)
    try:
        yield World(sandbox, uow, application, url), hook
    finally:
        sandbox.release_waiters()
        await stop(application)
        await sandbox.close()
        await runner.cleanup()
        await sandbox_runner.cleanup()


async def test_in_webhook_mode_a_command_is_answered(webhook_world) -> None:  # type: ignore[no-untyped-def]
    world, _ = webhook_world
    reply = await world.say(CLERK, S01_GROUP, "/stock COLA330")
    assert "在库 10" in reply["text"]


async def test_the_webhook_refuses_a_wrong_secret(webhook_world) -> None:  # type: ignore[no-untyped-def]
    _, hook = webhook_world
    async with aiohttp.ClientSession() as http:
        wrong = await http.post(hook, json={"update_id": 1}, headers={SECRET_HEADER: "guess"})
        missing = await http.post(hook, json={"update_id": 1})
    assert (wrong.status, missing.status) == (403, 403)


async def test_the_same_update_delivered_twice_is_handled_once(webhook_world) -> None:  # type: ignore[no-untyped-def]
    world, hook = webhook_world
    update = {
        "update_id": 987654,
        "message": {
            "message_id": 5000,
            "date": 1763700000,
            "chat": {"id": S01_GROUP, "type": "supergroup", "title": "S01"},
            "from": {"id": CLERK, "is_bot": False, "first_name": "王小明", "language_code": "zh-hans"},
            "text": "/stock COLA330",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    before = len(world.sandbox.bot_messages(S01_GROUP))
    async with aiohttp.ClientSession() as http:
        for _ in range(2):
            response = await http.post(hook, json=update, headers={SECRET_HEADER: SECRET})
            assert response.status == 200
    await world.sandbox.wait_for_bot_message(S01_GROUP, lambda m: "在库" in m.get("text", ""), timeout=10)
    await world.say(CLERK, S01_GROUP, "/help")  # a later update flushes anything still in flight
    replies = [m for m in world.sandbox.bot_messages(S01_GROUP)[before:] if "在库" in m.get("text", "")]
    assert len(replies) == 1


BAD_INPUTS = [
    ("/frobnicate", "不认识命令"),
    ("/stock", "用法"),
    ("/stock NOPE-SKU-XYZ", "没有找到"),
    ("/stock " + "长" * 500, "没有找到"),
    ("'; DROP TABLE product; --", "没看懂"),
    ("<b>bold</b> & <script>", "没看懂"),
    ("🙂🙂🙂", "没看懂"),
    ("x" * 2500, "太长"),
    ("/lang klingon", "用法"),
    ("/staff add 1 staff S01", "不能执行"),
    ("/link S01", "不能执行"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_INPUTS)
async def test_bad_input_gets_a_clear_answer_and_changes_nothing(world: World, text: str, expected: str) -> None:
    reply = await world.say(CLERK, S01_GROUP, text)
    assert expected in reply["text"]
    assert world.on_hand("S01", "COLA330") == 10


async def test_a_sticker_like_message_is_answered_too(world: World) -> None:
    last = world.last_bot_message(S01_GROUP)["message_id"] if world.sandbox.bot_messages(S01_GROUP) else 0
    await world.sandbox.share_contact(CLERK, S01_GROUP, "+8613800000001")
    reply = await world.sandbox.wait_for_bot_message(S01_GROUP, after_message_id=last)
    assert "看不懂" in reply["text"]


async def test_lang_switches_the_chat_language(world: World) -> None:
    await world.say(MANAGER, S01_GROUP, "/lang zh")
    reply = await world.say(MANAGER, S01_GROUP, "/stock COLA330")
    assert "在库" in reply["text"]
