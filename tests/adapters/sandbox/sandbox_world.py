"""The small world the sandbox tests share: one bot, two store staff and their group."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot

from adapters.telegram_sandbox import TelegramSandbox, create_sandbox_app

TOKEN = "123456:SANDBOX-token"
ALICE = 1001
BOB = 1002
STORE_GROUP = -1001234


def populate(sandbox: TelegramSandbox) -> None:
    sandbox.add_bot(TOKEN, "shop_assistant_bot", "Shop Assistant")
    sandbox.add_user(
        ALICE,
        "Alice",
        username="alice_s1",
        language_code="en",
        label="Alice · clerk",
        role="Store 1 clerk",
        phone="+8613800000001",
        email="alice@store1.example",
    )
    sandbox.add_user(BOB, "Bob", language_code="zh-hans", label="Bob · manager", role="Store 1 manager")
    sandbox.add_group(STORE_GROUP, "Store 1 staff", [ALICE, BOB], admin_ids=[BOB])


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    sandbox = TelegramSandbox()
    populate(sandbox)
    yield sandbox
    await sandbox.close()


@pytest.fixture
async def sandbox_url(sandbox: TelegramSandbox) -> AsyncIterator[str]:
    runner, url = await serve(create_sandbox_app(sandbox))
    yield url
    await runner.cleanup()


def bot_for(url: str, token: str = TOKEN, **options: Any) -> Bot:
    return Bot(token, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot", **options)


@pytest.fixture
async def bot(sandbox_url: str) -> AsyncIterator[Bot]:
    async with bot_for(sandbox_url) as bot:
        yield bot
