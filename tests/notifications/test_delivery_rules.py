"""The outbox's promises across the channels: transactional writes, one delivery per key, quiet hours,
consent at send time, caps, and restarts with work due."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.db.engine import Database
from domain.membership import ContactChannel
from notifications.message import Channel
from notifications.outbox import enqueue
from notifications.policy import withdraw_consent
from tests.conftest import FrozenClock
from tests.notifications.delivery_world import (
    MEMBER_EMAIL,
    MEMBER_ID,
    MEMBER_PHONE,
    MEMBER_USER,
    STAFF_GROUP,
    build_world,
    promotion,
    staff_alert,
    world,
)

__all__ = ["world"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def any_world(database: Database, clock: FrozenClock):
    """The delivery world on SQLite and on PostgreSQL."""
    async for built in build_world(database, clock):
        yield built


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


async def test_a_notification_is_written_only_if_the_change_that_caused_it_commits(any_world):
    with any_world.uow() as unit:
        assert enqueue(unit, promotion("promo:rolled-back", Channel.SMS), any_world.clock())
        unit.rollback()

    assert any_world.row("promo:rolled-back") is None
    assert await any_world.dispatcher().run_once() == 0


async def test_the_same_key_enqueued_twice_is_delivered_once(any_world):
    first, second = any_world.enqueue(promotion("promo:C1:M0001:sms", Channel.SMS))[0], None
    second = any_world.enqueue(promotion("promo:C1:M0001:sms", Channel.SMS))[0]

    await any_world.dispatcher().run_once()
    await any_world.dispatcher().run_once()

    assert (first, second) == (True, False)
    assert len(any_world.sandbox.inbox(MEMBER_PHONE)) == 1


async def test_a_promotion_at_night_waits_for_nine_oclock_while_a_staff_alert_goes_at_once(world):
    world.clock.now = local(20, 22, 30)
    world.enqueue(
        promotion("promo:sms", Channel.SMS), promotion("promo:chat", Channel.TELEGRAM), staff_alert("low")
    )
    world.enqueue(promotion("promo:email", Channel.EMAIL))
    dispatcher = world.dispatcher()

    assert await dispatcher.run_once() == 2  # the staff alert and the email (a mail waits in the inbox)
    assert world.row("promo:sms").state == "pending"
    world.clock.now = local(21, 8, 59)
    assert await dispatcher.run_once() == 0
    world.clock.now = local(21, 9, 0)
    assert await dispatcher.run_once() == 2

    assert len(world.sandbox.inbox(MEMBER_PHONE)) == 1
    assert len(world.sandbox.bot_messages(MEMBER_USER)) == 1
    assert len(world.sandbox.bot_messages(STAFF_GROUP)) == 1
    assert world.row("promo:sms").attempts == 1  # waiting out the night is not a failed attempt


async def test_consent_withdrawn_between_enqueue_and_send_stops_the_message(any_world):
    any_world.enqueue(promotion("promo:chat", Channel.TELEGRAM), promotion("promo:sms", Channel.SMS))

    with any_world.uow() as unit:
        assert withdraw_consent(unit, MEMBER_ID, Channel.TELEGRAM, "/stop in chat", any_world.clock())

    assert await any_world.dispatcher().run_once() == 1
    assert any_world.sandbox.bot_messages(MEMBER_USER) == []
    assert any_world.row("promo:chat").state == "cancelled"
    assert not any_world.member().consents_to(ContactChannel.CHAT)


async def test_a_withdrawal_recorded_after_a_row_was_queued_but_before_it_was_claimed_is_still_honoured(
    world,
):
    world.enqueue(promotion("promo:email", Channel.EMAIL))
    with world.uow() as unit:
        member = unit.members.get(MEMBER_ID)
        member.set_consent(ContactChannel.EMAIL, False, world.clock(), "counter form")
        unit.members.save(member)  # written without the outbox knowing: the send-time check catches it
        unit.commit()

    assert await world.dispatcher().run_once() == 0
    assert world.sandbox.inbox(MEMBER_EMAIL) == []
    assert world.row("promo:email").last_error == "no consent"


async def test_the_frequency_cap_holds_promotions_to_two_a_week(world):
    for day in (1, 2, 3):
        world.enqueue(promotion(f"promo:{day}", Channel.SMS))
        await world.dispatcher().run_once()
        world.clock.advance(days=1)

    assert len(world.sandbox.inbox(MEMBER_PHONE)) == 2
    assert world.row("promo:3").last_error == "frequency cap"


async def test_a_restarted_dispatcher_delivers_everything_that_fell_due_while_it_was_down(world):
    world.enqueue(*(staff_alert(f"low:{n}") for n in range(3)), promotion("promo:sms", Channel.SMS))
    world.enqueue(promotion("promo:email", Channel.EMAIL))
    stop = asyncio.Event()
    running = asyncio.create_task(world.dispatcher().run_forever(stop, poll_seconds=0.05))

    for _ in range(200):
        if len(world.sandbox.bot_messages(STAFF_GROUP)) == 3 and world.sandbox.inbox(MEMBER_EMAIL):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(running, 5)

    assert len(world.sandbox.bot_messages(STAFF_GROUP)) == 3
    assert len(world.sandbox.inbox(MEMBER_PHONE)) == 1 and len(world.sandbox.inbox(MEMBER_EMAIL)) == 1


async def test_the_demo_without_providers_delivers_sms_and_email_into_the_sandbox(world):
    from dataclasses import replace

    from adapters.gateways import configured_gateways, into_sandbox
    from notifications.dispatcher import Dispatcher
    from notifications.settings import NotificationSettings

    sink = await world.sandbox.start_smtp_sink()
    sandbox_url = world.settings.sms_api_url.removesuffix("/sms")
    settings = into_sandbox(
        NotificationSettings(public_base_url=world.our_url), world.sandbox, sandbox_url, sink
    )
    bot = world.gateways[Channel.TELEGRAM]._bot
    gateways = configured_gateways(replace(settings, sms_per_second=50), bot, world.signer, world.links)
    world.enqueue(promotion("promo:sms", Channel.SMS), promotion("promo:email", Channel.EMAIL))

    assert set(gateways) == {Channel.TELEGRAM, Channel.SMS, Channel.EMAIL}
    assert await Dispatcher(world.uow, gateways, world.clock, settings).run_once() == 2
    assert world.sandbox.inbox(MEMBER_PHONE) and world.sandbox.inbox(MEMBER_EMAIL)
    for gateway in gateways.values():
        if hasattr(gateway, "close"):
            await gateway.close()
