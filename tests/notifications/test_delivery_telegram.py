"""Telegram delivery through a real PTB Bot against the sandbox: text, photos, edits, signed buttons, floods."""

from __future__ import annotations

import io

from PIL import Image

from notifications.message import OutButton
from notifications.outbox import dead_letters, retry_dead_letter, sent_message_ref
from tests.notifications.delivery_world import STAFF_GROUP, staff_alert, world

__all__ = ["world"]


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_an_alert_arrives_as_escaped_html_with_signed_buttons_and_its_message_id_is_kept(world):
    buttons = ((OutButton("alert_ordered", "ao", ("S01", "COLA")),),)
    world.enqueue(
        staff_alert(
            "low:S01:COLA", facts={**staff_alert("x").facts, "store_name": "<S01 & co>"}, buttons=buttons
        )
    )

    assert await world.dispatcher().run_once() == 1

    [message] = world.sandbox.bot_messages(STAFF_GROUP)
    assert "<S01 & co>" in message["text"]
    data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    pressed = world.signer.unpack(data)
    assert (pressed.action, pressed.args) == ("ao", ("S01", "COLA"))
    with world.uow(readonly=True) as unit:
        assert sent_message_ref(unit, "low:S01:COLA") == (STAFF_GROUP, message["message_id"])


async def test_a_chart_goes_out_as_a_photo_with_the_text_as_caption(world):
    world.enqueue(staff_alert("digest:S01", image=png()))

    await world.dispatcher().run_once()

    [message] = world.sandbox.bot_messages(STAFF_GROUP)
    assert message["photo"] and "Cola" in message["caption"]


async def test_a_notification_with_edits_key_changes_the_earlier_message_instead_of_sending_another(world):
    world.enqueue(staff_alert("low:S01:COLA"))
    await world.dispatcher().run_once()
    changed = {**staff_alert("x").facts, "offer": "Cola — ordered"}
    world.enqueue(staff_alert("low:S01:COLA:ordered", facts=changed, edits_key="low:S01:COLA"))

    await world.dispatcher().run_once()

    [message] = world.sandbox.bot_messages(STAFF_GROUP)
    assert "ordered" in message["text"]
    assert world.row("low:S01:COLA:ordered").state == "sent"


async def test_flood_control_is_honoured_without_using_up_an_attempt(world):
    world.sandbox.inject_error("sendMessage", status=429, retry_after=1)
    world.enqueue(staff_alert("low:S01:COLA"))

    assert await world.dispatcher().run_once() == 0
    row = world.row("low:S01:COLA")
    assert row.state == "pending" and row.attempts == 0
    assert (row.due_at - world.clock().replace(tzinfo=None)).total_seconds() == 1

    world.clock.advance(seconds=1)
    assert await world.dispatcher().run_once() == 1
    assert len(world.sandbox.bot_messages(STAFF_GROUP)) == 1


async def test_server_errors_are_retried_with_growing_waits_then_dead_lettered_and_retried_by_an_admin(world):
    world.sandbox.inject_error("sendMessage", status=500, times=3)
    world.enqueue(staff_alert("low:S01:COLA"))
    dispatcher = world.dispatcher()
    waits = []
    for _ in range(3):
        await dispatcher.run_once()
        row = world.row("low:S01:COLA")
        waits.append((row.due_at - world.clock().replace(tzinfo=None)).total_seconds())
        world.clock.advance(hours=1)

    base = world.settings.backoff_base_seconds  # jittered between half and all of base * 2**(attempt-1)
    assert base / 2 <= waits[0] <= base and base <= waits[1] <= 2 * base
    assert world.row("low:S01:COLA").state == "dead"
    with world.uow(readonly=True) as unit:
        [letter] = dead_letters(unit)
    assert letter.key == "low:S01:COLA" and letter.attempts == 3
    with world.uow() as unit:
        assert retry_dead_letter(unit, letter.id, "admin 900001", world.clock())
    assert await dispatcher.run_once() == 1
    assert len(world.sandbox.bot_messages(STAFF_GROUP)) == 1


async def test_a_burst_to_one_group_sends_twenty_and_puts_the_rest_back_for_the_next_minute(world):
    world.enqueue(*(staff_alert(f"low:{n:02d}") for n in range(22)))

    assert await world.dispatcher().run_once() == 20

    assert len(world.sandbox.bot_messages(STAFF_GROUP)) == 20
    waiting = [world.row(f"low:{n:02d}") for n in range(22) if world.row(f"low:{n:02d}").state == "pending"]
    assert len(waiting) == 2
    for row in waiting:
        wait = (row.due_at - world.clock().replace(tzinfo=None)).total_seconds()
        assert 55 < wait < 65 and row.attempts == 0


async def test_a_template_missing_a_fact_is_dead_at_once_instead_of_retried_forever(world):
    facts = dict(staff_alert("x").facts)
    del facts["offer"]
    world.enqueue(staff_alert("low:S01:COLA", facts=facts))

    assert await world.dispatcher().run_once() == 0

    row = world.row("low:S01:COLA")
    assert row.state == "dead" and "offer" in row.last_error
    assert world.sandbox.bot_messages(STAFF_GROUP) == []
