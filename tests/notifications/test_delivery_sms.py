"""SMS through the sandbox's Twilio-compatible endpoint; status callbacks and replies through our webhooks."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp

from adapters.http.sms_webhooks import INBOUND_PATH, STATUS_PATH
from adapters.twilio_signature import compute_twilio_signature
from domain.membership import ContactChannel
from notifications.message import Channel, Purpose
from tests.notifications.delivery_world import AUTH_TOKEN, MEMBER_PHONE, promotion, world

__all__ = ["world"]


class ProcessKilled(BaseException):
    """The dispatcher's process dies: nothing after this line runs."""


class DiesAfterTheProviderAccepts:
    """Wraps a real gateway: the message really goes out, then the process dies before marking it."""

    def __init__(self, gateway):
        self.channel = gateway.channel
        self._gateway = gateway

    async def send(self, outgoing):
        await self._gateway.send(outgoing)
        raise ProcessKilled


async def eventually(condition, timeout: float = 3.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_a_promotion_reaches_the_phone_with_its_segments_counted_and_the_delivery_reported(world):
    world.enqueue(promotion("promo:C1:M0001:sms", Channel.SMS))

    assert await world.dispatcher().run_once() == 1

    [sms] = world.sandbox.inbox(MEMBER_PHONE)
    row = world.row("promo:C1:M0001:sms")
    assert "CC6-8F2K" in sms.body and row.provider_ref == sms.sid
    assert row.segments == 1 + (len(sms.body) > 70)
    await eventually(lambda: world.row("promo:C1:M0001:sms").delivery_status == "delivered")


async def test_a_burst_of_status_callbacks_is_recorded_for_every_message(world):
    keys = [f"receipt:{n}:sms" for n in range(6)]  # callbacks arriving together are written together
    world.enqueue(*(promotion(key, Channel.SMS, purpose=Purpose.TRANSACTIONAL) for key in keys))

    assert await world.dispatcher().run_once() == len(keys)

    await eventually(lambda: all(world.row(key).delivery_status == "delivered" for key in keys))
    assert {world.row(key).provider_ref for key in keys} == {sms.sid for sms in world.sandbox.inbox(MEMBER_PHONE)}


async def test_a_gateway_500_is_retried_later_and_delivered_once(world):
    world.sandbox.inject_error("sms", status=500)
    world.enqueue(promotion("promo:C1:M0001:sms", Channel.SMS))
    dispatcher = world.dispatcher()

    assert await dispatcher.run_once() == 0
    assert world.row("promo:C1:M0001:sms").state == "pending"
    world.clock.advance(minutes=1)
    assert await dispatcher.run_once() == 1
    assert len(world.sandbox.inbox(MEMBER_PHONE)) == 1


async def test_a_timeout_is_retried_later_and_delivered_once(world):
    world.sandbox.inject_delay("sms", 1.5)  # our gateway gives up after 1 s
    world.enqueue(promotion("promo:C1:M0001:sms", Channel.SMS))
    dispatcher = world.dispatcher()

    assert await dispatcher.run_once() == 0
    assert "unreachable" in world.row("promo:C1:M0001:sms").last_error
    world.clock.advance(minutes=1)
    assert await dispatcher.run_once() == 1
    assert len(world.sandbox.inbox(MEMBER_PHONE)) == 1


async def test_a_status_callback_for_a_message_waiting_to_be_retried_marks_it_sent_so_it_never_goes_twice(
    world,
):
    world.sandbox.inject_error("sms", status=503)
    world.enqueue(promotion("promo:C1:M0001:sms", Channel.SMS))
    await world.dispatcher().run_once()
    row = world.row("promo:C1:M0001:sms")
    url = f"{world.our_url}{STATUS_PATH}?outbox={row.id}"
    params = {"MessageSid": "SMlate", "MessageStatus": "delivered", "To": MEMBER_PHONE}
    signature = compute_twilio_signature(AUTH_TOKEN, url, params)

    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=params, headers={"X-Twilio-Signature": signature}) as r,
    ):
        assert r.status == 204

    settled = world.row("promo:C1:M0001:sms")
    assert (settled.state, settled.provider_ref, settled.delivery_status) == ("sent", "SMlate", "delivered")
    world.clock.advance(minutes=5)
    assert await world.dispatcher().run_once() == 0
    assert world.sandbox.inbox(MEMBER_PHONE) == []


async def test_a_dispatcher_killed_between_send_and_mark_never_sends_the_member_the_same_sms_twice(world):
    world.enqueue(promotion("promo:C1:M0001:sms", Channel.SMS))
    dying = world.dispatcher(sms=DiesAfterTheProviderAccepts(world.gateways[Channel.SMS]))
    with contextlib.suppress(ProcessKilled):
        await dying.run_once()
    assert world.row("promo:C1:M0001:sms").state in ("sending", "sent")

    await eventually(
        lambda: world.row("promo:C1:M0001:sms").state == "sent"
    )  # the status callback settles it
    world.clock.advance(minutes=10)
    assert await world.dispatcher().run_once() == 0
    assert len(world.sandbox.inbox(MEMBER_PHONE)) == 1


async def test_a_badly_signed_callback_is_refused_with_403(world):
    params = {"From": MEMBER_PHONE, "Body": "STOP", "MessageSid": "SM1"}
    forged = compute_twilio_signature("not-our-token", world.our_url + INBOUND_PATH, params)
    async with aiohttp.ClientSession() as session:
        async with session.post(
            world.our_url + INBOUND_PATH, data=params, headers={"X-Twilio-Signature": forged}
        ) as r:
            assert r.status == 403
        async with session.post(world.our_url + INBOUND_PATH, data=params) as unsigned:
            assert unsigned.status == 403
    assert world.member().consents_to(ContactChannel.SMS)


async def test_a_member_replying_td_withdraws_sms_consent_at_once_and_the_waiting_promotion_is_not_sent(
    world,
):
    world.enqueue(promotion("promo:C1:M0001:sms", Channel.SMS))

    assert await world.sandbox.sms_reply(MEMBER_PHONE, "TD") == 200

    assert not world.member().consents_to(ContactChannel.SMS)
    assert world.member().consents_to(ContactChannel.EMAIL)
    with world.uow(readonly=True) as unit:
        [event] = unit.connection.exec_driver_sql(
            "select channel, granted, at, source from consent_event"
        ).all()
    assert event.channel == "sms" and not event.granted and "TD" in event.source
    assert await world.dispatcher().run_once() == 0
    assert world.row("promo:C1:M0001:sms").state == "cancelled"
    assert [i.body for i in world.sandbox.inbox(MEMBER_PHONE)] == ["TD"]


async def test_stop_in_english_works_the_same_way(world):
    assert await world.sandbox.sms_reply(MEMBER_PHONE, "stop") == 200
    assert not world.member().consents_to(ContactChannel.SMS)


async def test_an_ordinary_reply_changes_nothing(world):
    assert await world.sandbox.sms_reply(MEMBER_PHONE, "谢谢") == 200
    assert world.member().consents_to(ContactChannel.SMS)
