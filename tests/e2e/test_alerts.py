"""Low-stock alerts, digests and the outbox admin through the real bot, the outbox and the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from adapters.gateways.telegram import TelegramGateway
from domain.alerts import AlertState
from domain.sales import Receipt, ReceiptLine
from domain.services.sales import post_receipts
from notifications.alerts import LowStockWatch
from notifications.dispatcher import Dispatcher
from notifications.message import Channel, Notification, Purpose
from notifications.outbox import enqueue
from notifications.settings import NotificationSettings
from tests.e2e.world import ADMIN, CLERK, MANAGER, S01_GROUP, World

Message = dict[str, Any]
ORDERED, SNOOZE, TRANSFER = "已下单", "暂停", "申请调拨"  # the S01 group has no /lang: Chinese


@pytest.fixture
def watched(world: World, clock) -> World:  # type: ignore[no-untyped-def]
    world.uow.before_commit.append(LowStockWatch(clock))
    return world


async def deliver(world: World, clock) -> int:  # type: ignore[no-untyped-def]
    """One dispatcher pass, signing buttons with the bot's own secret so presses come back to it."""
    gateway = TelegramGateway(world.application.bot, world.application.bot_data["signer"])
    return await Dispatcher(world.uow, {Channel.TELEGRAM: gateway}, clock, NotificationSettings()).run_once()


def sell(world: World, clock, receipt_id: str, qty: int, sku: str = "COLA330") -> None:  # type: ignore[no-untyped-def]
    receipt = Receipt(receipt_id, "S01", clock() - timedelta(minutes=1), [ReceiptLine(sku, qty, 3.5)])
    world.uow.run(lambda unit: post_receipts(unit, [receipt], "pos"))


def current(world: World, chat: int, message_id: int) -> Message:
    return next(m for m in world.sandbox.messages(chat) if m["message_id"] == message_id)


def labels(message: Message) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


async def then(world: World, chat: int, action: Awaitable[Any], expect: Callable[[Message], bool] | None = None) -> Message:
    last = max((m["message_id"] for m in world.sandbox.messages(chat)), default=0)
    await action
    return await world.sandbox.wait_for_bot_message(chat, expect, after_message_id=last, timeout=10)


def alert_state(world: World) -> AlertState | None:
    with world.uow(readonly=True) as unit:
        alerts_open = unit.alerts.all_open()
    return alerts_open[0].state if alerts_open else None


async def test_a_sale_below_the_minimum_alerts_the_group_then_ordered_and_recovery_edit_that_message(watched, clock) -> None:
    world = watched
    sell(world, clock, "R1", 6)
    assert await deliver(world, clock) == 1
    alert = world.last_bot_message(S01_GROUP)
    assert "COLA330" in alert["text"] and len(labels(alert)) == 3

    last = world.last_bot_message(S01_GROUP)["message_id"]
    await asyncio.gather(world.press(MANAGER, S01_GROUP, alert, ORDERED), world.press(CLERK, S01_GROUP, alert, ORDERED))
    await world.sandbox.wait_for_bot_message(S01_GROUP, lambda m: m["message_id"] > last + 1)
    answers = [m["text"] for m in world.sandbox.bot_messages(S01_GROUP) if m["message_id"] > last]
    assert sum("ordered" in text or "已标记为已下单" in text for text in answers) == 1  # the second press is refused
    await deliver(world, clock)
    edited = current(world, S01_GROUP, alert["message_id"])
    assert "李经理" in edited["text"] or "王小明" in edited["text"]
    assert ORDERED not in labels(edited)

    sell(world, clock, "R2", -6)  # a return brings the shelf back above its minimum
    await deliver(world, clock)
    recovered = current(world, S01_GROUP, alert["message_id"])
    assert "已恢复库存" in recovered["text"] and labels(recovered) == []
    assert alert_state(world) is None


async def test_snooze_pressed_twice_snoozes_once_and_explains_the_second(watched, clock) -> None:
    world = watched
    sell(world, clock, "R1", 6)
    await deliver(world, clock)
    alert = world.last_bot_message(S01_GROUP)

    first = await then(world, S01_GROUP, world.press(CLERK, S01_GROUP, alert, SNOOZE))
    second = await then(world, S01_GROUP, world.press(CLERK, S01_GROUP, alert, SNOOZE))

    assert "暂停至" in first["text"] and "暂停至" not in second["text"]
    assert alert_state(world) is AlertState.SNOOZED


async def test_request_transfer_on_the_alert_opens_the_transfer_flow_for_that_product(watched, clock) -> None:
    world = watched
    sell(world, clock, "R1", 6)
    await deliver(world, clock)
    alert = world.last_bot_message(S01_GROUP)

    asked = await then(world, S01_GROUP, world.press(CLERK, S01_GROUP, alert, TRANSFER))

    assert "可口可乐" in asked["text"] and "1" in labels(asked)


async def test_digest_on_demand_sends_the_text_and_the_chart(world) -> None:
    text = await world.say(MANAGER, MANAGER, "/digest")
    chart = await world.sandbox.wait_for_bot_message(MANAGER, lambda m: "photo" in m, after_message_id=text["message_id"])

    assert "S01" in text["text"] and "Daily digest" in text["text"]
    assert chart["photo"] and "Sales" in chart["caption"]


async def test_a_clerk_gets_no_digest(world) -> None:
    answer = await world.say(CLERK, CLERK, "/digest")

    assert "S01" not in answer["text"]


async def test_settings_toggle_the_email_digest(world) -> None:
    shown = await world.say(MANAGER, MANAGER, "/settings")
    await world.press(MANAGER, MANAGER, shown, "Email")

    await world.sandbox.wait_for_bot_message(MANAGER, lambda m: m["message_id"] == shown["message_id"] and "Email: on" in m["text"])
    with world.uow(readonly=True) as unit:
        assert unit.alerts.digest_channels(MANAGER).email


async def test_admins_list_dead_letters_and_retry_them_once(world, clock) -> None:
    with world.uow() as unit:
        facts = {"day": "2026-11-19", "week_before": "2026-11-12"}
        enqueue(unit, Notification("lost", Channel.TELEGRAM, "-999", "digest/chart", "en", facts, Purpose.DIGEST), clock())
        unit.commit()
    await deliver(world, clock)  # no such chat: a permanent refusal, so a dead letter

    listing = await world.say(ADMIN, ADMIN, "/outbox")
    retried = await then(world, ADMIN, world.press(ADMIN, ADMIN, listing, "Retry"))
    again = await then(world, ADMIN, world.press(ADMIN, ADMIN, listing, "Retry"))
    refused = await world.say(CLERK, CLERK, "/outbox")

    assert "-999" in listing["text"] and "queued again" in retried["text"]
    assert "no longer" in again["text"] and "-999" not in refused["text"]
    with world.uow(readonly=True) as unit:
        assert unit.outbox.by_key("lost").state == "pending"
