"""The bot's aiohttp client for the Bot API: uploads, downloads and failures as PTB's own client gives them."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from adapters.gateways.telegram_http import AiohttpRequest
from adapters.telegram_sandbox import TelegramSandbox, create_sandbox_app
from tests.adapters.sandbox.sandbox_world import ALICE, STORE_GROUP, TOKEN, populate, serve


@pytest.fixture
async def sandbox() -> AsyncIterator[tuple[TelegramSandbox, str]]:
    sandbox = TelegramSandbox()
    populate(sandbox)
    runner, url = await serve(create_sandbox_app(sandbox))
    yield sandbox, url
    await runner.cleanup()


def bot_at(url: str, **timeouts: float) -> Bot:
    return Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot", request=AiohttpRequest(**timeouts))


async def test_a_message_with_buttons_and_a_reply_arrives_as_sent(sandbox) -> None:  # type: ignore[no-untyped-def]
    box, url = sandbox
    asked = await box.send_text(ALICE, STORE_GROUP, "/stock COLA")
    async with bot_at(url) as bot:
        sent = await bot.send_message(STORE_GROUP, "<b>可乐</b> & co", parse_mode="HTML", reply_to_message_id=asked["message_id"])

    stored = box.bot_messages(STORE_GROUP)[-1]
    assert (sent.text, sent.reply_to_message.message_id) == ("可乐 & co", asked["message_id"])
    assert stored["text"] == "可乐 & co" and stored["entities"][0]["type"] == "bold"


async def test_a_file_goes_up_as_multipart_and_comes_back_byte_for_byte(sandbox) -> None:  # type: ignore[no-untyped-def]
    _, url = sandbox
    content = b"sku,qty\nCOLA330,24\n" + bytes(range(256))
    async with bot_at(url) as bot:
        sent = await bot.send_document(ALICE, content, filename="order.csv", caption="PO-1")
        downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()

    assert bytes(downloaded) == content
    assert (sent.document.file_name, sent.caption) == ("order.csv", "PO-1")


async def test_an_answer_slower_than_the_read_timeout_is_timed_out(sandbox) -> None:  # type: ignore[no-untyped-def]
    box, url = sandbox
    box.inject_delay("sendMessage", 0.6)
    async with bot_at(url, read_timeout=0.2) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(ALICE, "slow")


async def test_telegrams_refusals_and_server_errors_keep_their_ptb_exceptions(sandbox) -> None:  # type: ignore[no-untyped-def]
    box, url = sandbox
    async with bot_at(url) as bot:
        box.inject_error("sendMessage", status=400, description="Bad Request: PEER_ID_INVALID")
        box.inject_error("getMe", status=500)
        with pytest.raises(BadRequest, match="(?i)peer_id_invalid"):
            await bot.send_message(ALICE, "x")
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.get_me()


async def test_nobody_listening_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(connect_timeout=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()
