"""A real PTB `Application` echo bot runs against the sandbox, by polling and by webhook."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Update
from telegram.ext import Application

from tests.adapters.sandbox.echo_bot import echo_application, sandbox_builder, with_handlers
from tests.adapters.sandbox.sandbox_world import ALICE, STORE_GROUP, TOKEN, serve

WEBHOOK_SECRET = "echo-secret"


@pytest.fixture
async def polling_bot(sandbox_url: str) -> AsyncIterator[Application]:
    application = echo_application(sandbox_url)
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        yield application
        await application.updater.stop()
        await application.stop()


async def press_and_check_confirmation(sandbox, chat_id: int, question: dict) -> None:
    query_id = await sandbox.press_button(ALICE, chat_id, question["message_id"], "confirm")
    answer = await sandbox.wait_for_callback_answer(query_id)
    assert answer["text"] == "Confirmed"
    edited = await sandbox.wait_for_bot_message(chat_id, lambda m: m["text"] == "confirmed ✔")
    assert edited["message_id"] == question["message_id"] and "edit_date" in edited


async def test_polling_bot_echoes_text_and_handles_a_button(polling_bot, sandbox):
    said = await sandbox.send_text(ALICE, ALICE, "milk 2L")
    reply = await sandbox.wait_for_bot_message(ALICE, after_message_id=said["message_id"])
    assert reply["text"] == "echo: milk 2L"
    assert reply["entities"] == [{"type": "bold", "offset": 6, "length": 7}]
    await press_and_check_confirmation(sandbox, ALICE, reply)


async def test_polling_bot_answers_a_group_command(polling_bot, sandbox):
    said = await sandbox.send_command(ALICE, STORE_GROUP, "stock", "6901234567892")
    reply = await sandbox.wait_for_bot_message(STORE_GROUP, after_message_id=said["message_id"])
    assert reply["text"] == "stock of 6901234567892: 12"
    assert reply["reply_to_message"]["message_id"] == said["message_id"]  # PTB quotes in groups


@pytest.fixture
async def webhook_bot(sandbox, sandbox_url: str) -> AsyncIterator[Application]:
    """PTB without its updater; our own aiohttp handler feeds `update_queue`, as in PTB's custom webhook example."""
    application = with_handlers(sandbox_builder(sandbox_url).updater(None).build())

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != WEBHOOK_SECRET:
            return web.Response(status=403)
        await application.update_queue.put(Update.de_json(await request.json(), application.bot))
        return web.Response()

    hook = web.Application()
    hook.router.add_post("/telegram", receive)
    runner, hook_url = await serve(hook)
    async with application:
        await application.bot.set_webhook(f"{hook_url}/telegram", secret_token=WEBHOOK_SECRET)
        await application.start()
        yield application
        await application.stop()
    await runner.cleanup()


async def test_webhook_bot_echoes_text_and_handles_a_button(webhook_bot, sandbox):
    said = await sandbox.send_text(ALICE, STORE_GROUP, "eggs")
    reply = await sandbox.wait_for_bot_message(STORE_GROUP, after_message_id=said["message_id"])
    assert reply["text"] == "echo: eggs"
    await press_and_check_confirmation(sandbox, STORE_GROUP, reply)
    assert webhook_bot.bot.username == "shop_assistant_bot"


async def test_webhook_that_refuses_updates_is_retried_then_reported(sandbox, sandbox_url):
    refusals = []

    async def refuse(request: web.Request) -> web.Response:
        refusals.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        return web.Response(status=500)

    hook = web.Application()
    hook.router.add_post("/telegram", refuse)
    runner, hook_url = await serve(hook)
    bot_account = sandbox.state.bots[TOKEN]
    application = echo_application(sandbox_url)
    async with application:
        await application.bot.set_webhook(f"{hook_url}/telegram", secret_token="wrong-place")
        await sandbox.send_text(ALICE, ALICE, "anyone?")
        info = None
        for _ in range(40):
            info = await application.bot.get_webhook_info()
            if info.pending_update_count == 0:
                break
            await asyncio.sleep(0.1)
    await runner.cleanup()
    assert len(refusals) == bot_account.updates.webhook.attempts == 4
    assert set(refusals) == {"wrong-place"}
    assert "500" in info.last_error_message
