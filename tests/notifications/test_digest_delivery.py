"""The daily digest delivered: Telegram text and chart photo through the sandbox, email through aiosmtpd."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

from aiosmtpd.smtp import SMTP

from adapters.csvio.importer import Importer
from adapters.db.alert_repository import DigestChannels
from adapters.gateways.email import SmtpEmailGateway
from domain.sales import Receipt, ReceiptLine
from domain.services.sales import post_receipts
from notifications.digests import DigestSettings, send_daily_digests
from tests.notifications.delivery_world import world
from tests.support.chain import write_chain

__all__ = ["world"]
MANAGER = 200001


class Mailbox:
    """An aiosmtpd handler keeping each message exactly as it arrived."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


@contextlib.asynccontextmanager
async def smtp_server() -> AsyncIterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(mailbox), "127.0.0.1", 0)
    try:
        yield mailbox, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def prepare(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The tiny chain, a sale yesterday, and a manager who wants the digest on both channels."""
    Importer(world.uow, ZoneInfo("Asia/Shanghai"), world.clock).import_dir(write_chain(tmp_path / "chain"))
    world.sandbox.add_user(MANAGER, "Li", language_code="en")
    receipt = Receipt("Y1", "S01", world.clock() - timedelta(hours=20), [ReceiptLine("COLA330", 6, 3.5)])
    with world.uow() as unit:
        post_receipts(unit, [receipt], "pos")
    with world.uow() as unit:
        unit.alerts.set_digest_channels(MANAGER, DigestChannels(telegram=True, email=True))
        unit.chat_settings.set_language(MANAGER, "en")
        unit.commit()


async def test_the_daily_digest_reaches_telegram_as_text_and_chart_and_email_as_html_text_and_inline_chart(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    prepare(world, tmp_path)
    await asyncio.to_thread(send_daily_digests, world.uow, world.clock(), DigestSettings())

    async with smtp_server() as (mailbox, port):
        email = SmtpEmailGateway(replace(world.settings, smtp_port=port))
        delivered = await world.dispatcher(email=email).run_once()
        await email.close()

    texts = [m for m in world.sandbox.bot_messages(MANAGER) if "text" in m]
    photos = [m for m in world.sandbox.bot_messages(MANAGER) if "photo" in m]
    assert delivered >= 3 and len(texts) == 1 and len(photos) == 1
    assert "静安店 (S01)" in texts[0]["text"] and "COLA330" in texts[0]["text"]
    assert "Sales" in photos[0]["caption"]
    [raw] = mailbox.messages
    mail = message_from_bytes(raw, policy=policy.default)
    [chart] = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    assert mail["To"] == "li@example.com" and "Daily digest" in mail["Subject"]
    assert "COLA330" in mail.get_body(("plain",)).get_content()
    assert 'src="cid:chart"' in mail.get_body(("html",)).get_content()
    assert chart["Content-ID"] == "<chart>" and chart.get_content()[:4] == b"\x89PNG"
