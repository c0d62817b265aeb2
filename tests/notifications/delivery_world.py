"""A real delivery world: the Telegram sandbox (with its SMS endpoint and SMTP sink), our webhook server,
a migrated SQLite database, and gateways pointed at them. Tests move the clock by hand."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import pytest
from aiohttp import web

from adapters.db.engine import Database
from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.gateways.email import SmtpEmailGateway
from adapters.gateways.sms import TwilioSmsGateway
from adapters.gateways.telegram import TelegramGateway
from adapters.http.sms_webhooks import INBOUND_PATH, sms_webhook_routes
from adapters.http.unsubscribe import UnsubscribeLinks, unsubscribe_routes
from adapters.telegram_sandbox import TelegramSandbox, create_sandbox_app
from bot.callbacks import CallbackSigner
from domain.membership import ContactChannel, Member
from notifications.dispatcher import Dispatcher
from notifications.message import Channel, Gateway, Notification, Purpose
from notifications.outbox import enqueue
from notifications.settings import NotificationSettings
from tests.adapters.sandbox.sandbox_world import bot_for, serve
from tests.conftest import FrozenClock

TOKEN = "123456:DELIVERY-token"
SID, AUTH_TOKEN, OUR_NUMBER = "AC" + "1" * 32, "sms-auth-token", "+8610690000"
STAFF_USER, STAFF_GROUP = 1001, -1005551
MEMBER_USER, MEMBER_ID = 3001, "M0001"
MEMBER_PHONE, MEMBER_EMAIL = "+8613900000001", "fang@example.com"


@dataclass
class DeliveryWorld:
    sandbox: TelegramSandbox
    uow: UnitOfWorkFactory
    clock: FrozenClock
    settings: NotificationSettings
    gateways: dict[Channel, Gateway]
    signer: CallbackSigner
    links: UnsubscribeLinks
    our_url: str

    def dispatcher(self, **replaced: Gateway) -> Dispatcher:
        """A fresh dispatcher (as after a restart), optionally with some gateways swapped."""
        gateways = {**self.gateways, **{Channel(name): g for name, g in replaced.items()}}
        return Dispatcher(self.uow, gateways, self.clock, self.settings)

    def enqueue(self, *notifications: Notification) -> list[bool]:
        with self.uow() as unit:
            written = [enqueue(unit, n, self.clock()) for n in notifications]
            unit.commit()
        return written

    def row(self, key: str) -> Any:
        with self.uow(readonly=True) as unit:
            return unit.outbox.by_key(key)

    def member(self) -> Member:
        with self.uow(readonly=True) as unit:
            return unit.members.get(MEMBER_ID)


def promotion(key: str, channel: Channel, **changes: Any) -> Notification:
    """A member promotion on `channel`, addressed the way the member can be reached there."""
    address = {Channel.TELEGRAM: str(MEMBER_USER), Channel.SMS: MEMBER_PHONE, Channel.EMAIL: MEMBER_EMAIL}[
        channel
    ]
    facts = {
        "member_name": "王芳",
        "offer": "可口可乐 330ml ×6",
        "discount": "8折",
        "coupon_code": "CC6-8F2K",
        "valid_until": "2026-12-05",
        "store_name": "人民路店",
    }
    values = {
        "address": address,
        "facts": facts,
        "purpose": Purpose.PROMOTION,
        "member_id": MEMBER_ID,
        **changes,
    }
    return Notification(key, channel, event="promotion", lang="zh", **values)


def staff_alert(key: str, **changes: Any) -> Notification:
    """An alert to the store's staff group (reusing the promotion templates: delivery does not care)."""
    facts = {
        "member_name": "Store 1",
        "offer": "Cola",
        "discount": "-",
        "coupon_code": "-",
        "valid_until": "-",
    }
    values = {"facts": {**facts, "store_name": "S01"}, "purpose": Purpose.ALERT, **changes}
    return Notification(key, Channel.TELEGRAM, str(STAFF_GROUP), "promotion", "en", **values)


def free_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def add_member(uow: UnitOfWorkFactory) -> None:
    with uow() as unit:
        unit.members.save(
            Member(
                MEMBER_ID,
                "王芳",
                MEMBER_PHONE,
                MEMBER_EMAIL,
                MEMBER_USER,
                date(2024, 3, 1),
                "gold",
                {ContactChannel.SMS: True, ContactChannel.EMAIL: True, ContactChannel.CHAT: True},
                "zh",
            )
        )
        unit.commit()


@pytest.fixture
async def world(sqlite_database: Database, clock: FrozenClock) -> AsyncIterator[DeliveryWorld]:
    async for built in build_world(sqlite_database, clock):
        yield built


async def build_world(
    database: Database, clock: FrozenClock, **setting_changes: Any
) -> AsyncIterator[DeliveryWorld]:
    sandbox = TelegramSandbox()
    sandbox.add_bot(TOKEN, "shop_assistant_bot", "Shop Assistant")
    sandbox.add_user(STAFF_USER, "Alice", language_code="en")
    sandbox.add_user(MEMBER_USER, "王芳", phone=MEMBER_PHONE, email=MEMBER_EMAIL)
    sandbox.add_group(STAFF_GROUP, "Store 1 staff", [STAFF_USER])
    sandbox_runner, sandbox_url = await serve(create_sandbox_app(sandbox))
    sink = await sandbox.start_smtp_sink()
    uow = UnitOfWorkFactory(database)
    add_member(uow)
    sock = free_socket()
    our_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = NotificationSettings(
        sms_api_url=f"{sandbox_url}/sms",
        sms_account_sid=SID,
        sms_auth_token=AUTH_TOKEN,
        sms_from=OUR_NUMBER,
        public_base_url=our_url,
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_starttls=False,
        mail_from="Retail Assistant <news@shop.example>",
        sms_per_second=50,
        email_per_second=50,
        quiet_hours_start=time(21, 0),
        quiet_hours_end=time(9, 0),
        outbox_max_attempts=3,
        sending_lease_seconds=60,
        unsubscribe_secret="unsubscribe-test-secret",
        **setting_changes,
    )
    sandbox.configure_sms(SID, AUTH_TOKEN, OUR_NUMBER, inbound_url=our_url + INBOUND_PATH)
    links = UnsubscribeLinks(settings.unsubscribe_secret, our_url, mailto="unsubscribe@shop.example")
    app = web.Application()
    app.router.add_routes(sms_webhook_routes(uow, settings, clock) + unsubscribe_routes(uow, links, clock))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    bot = bot_for(sandbox_url, TOKEN)
    await bot.initialize()
    signer = CallbackSigner("button-secret")
    sms = TwilioSmsGateway(settings, timeout=1.0)
    email = SmtpEmailGateway(settings, links)
    gateways: dict[Channel, Gateway] = {
        Channel.TELEGRAM: TelegramGateway(bot, signer),
        Channel.SMS: sms,
        Channel.EMAIL: email,
    }
    yield DeliveryWorld(sandbox, uow, clock, settings, gateways, signer, links, our_url)
    await sms.close()
    await email.close()
    await bot.shutdown()
    await runner.cleanup()
    await sandbox.close()
    await sandbox_runner.cleanup()
