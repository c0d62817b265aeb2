"""A running world for end-to-end tests: the tiny chain in a database, the sandbox on a
loopback port, and the real PTB application polling it (or fed by webhook)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from telegram.ext import Application

from adapters.csvio.importer import Importer
from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.settings import Settings
from adapters.telegram_sandbox import TelegramSandbox, create_sandbox_app
from tests.support.chain import write_chain

TOKEN = "424242:E2E-test-token"
CLERK, MANAGER, WAREHOUSE_MANAGER, ADMIN, STRANGER = 100001, 200001, 200002, 900001, 777001
S01_GROUP, W01_GROUP = -100101, -100301


@dataclass
class World:
    sandbox: TelegramSandbox
    uow: UnitOfWorkFactory
    application: Application
    url: str

    async def say(self, user: int, chat: int, text: str) -> dict[str, Any]:
        """Send text and wait for the bot's answer to it.

        Answers reply to the question, so a late answer to an earlier question is
        not mistaken for this one; a message that replies to nothing (a flow's
        follow-up) also counts.
        """
        sent = await self.sandbox.send_text(user, chat, text)

        def answers(message: dict[str, Any]) -> bool:
            replied = message.get("reply_to_message")
            return replied is None or replied.get("message_id") == sent["message_id"]

        return await self.sandbox.wait_for_bot_message(chat, answers, after_message_id=sent["message_id"], timeout=10)

    async def press(self, user: int, chat: int, message: dict[str, Any], label_part: str) -> dict[str, Any]:
        """Press the button whose label contains `label_part`; returns the callback answer."""
        data = button_data(message, label_part)
        query_id = await self.sandbox.press_button(user, chat, message["message_id"], data)
        return await self.sandbox.wait_for_callback_answer(query_id, timeout=10)

    def last_bot_message(self, chat: int) -> dict[str, Any]:
        return self.sandbox.bot_messages(chat)[-1]

    def on_hand(self, location: str, sku: str) -> int:
        with self.uow(readonly=True) as unit:
            return unit.stock.get(location, sku).on_hand


def button_data(message: dict[str, Any], label_part: str) -> str:
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        for button in row:
            if label_part.lower() in button["text"].lower():
                return button["callback_data"]
    raise AssertionError(f"no button with {label_part!r} in {message.get('reply_markup')}")


def populate_sandbox(sandbox: TelegramSandbox) -> None:
    sandbox.add_bot(TOKEN, "retail_assistant_bot", "零售助手")
    sandbox.add_user(CLERK, "王小明", language_code="zh-hans", label="王小明 · S01 店员")
    sandbox.add_user(MANAGER, "Li", language_code="en", label="Li · S01 manager")
    sandbox.add_user(WAREHOUSE_MANAGER, "张经理", language_code="zh-hans", label="张经理 · W01 经理")
    sandbox.add_user(ADMIN, "Admin", language_code="en", label="Admin")
    sandbox.add_user(STRANGER, "Stranger", language_code="en", label="Stranger")
    sandbox.add_group(S01_GROUP, "静安店 S01", [CLERK, MANAGER, ADMIN, STRANGER])
    sandbox.add_group(W01_GROUP, "中心仓 W01", [WAREHOUSE_MANAGER, ADMIN])


def load_chain(uow: UnitOfWorkFactory, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    Importer(uow, ZoneInfo("Asia/Shanghai"), clock).import_dir(write_chain(tmp_path / "chain"))
    with uow() as unit:
        unit.locations.link_chat("S01", S01_GROUP)
        unit.locations.link_chat("W01", W01_GROUP)
        unit.commit()


async def serve_sandbox(sandbox: TelegramSandbox) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_sandbox_app(sandbox))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


def settings_for(url: str, **overrides: Any) -> Settings:
    return Settings(
        telegram_token=TOKEN,
        telegram_api_url=f"{url}/bot",
        telegram_file_url=f"{url}/file/bot",
        _env_file=None,
        **overrides,
    )


async def start_polling(application: Application) -> None:
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=1, drop_pending_updates=False)


async def stop(application: Application) -> None:
    if application.updater and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    await asyncio.sleep(0)
