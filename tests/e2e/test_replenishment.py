"""The replenishment plan through the real bot and the sandbox: /plan, adjusting a line, Approve all
becoming purchase orders (CSV here, email to the supplier) and transfer requests the source approves."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from adapters.gateways.email import SmtpEmailGateway
from domain.services.replenishment import store_plan
from domain.transfers import TransferState
from notifications.dispatcher import Dispatcher
from notifications.message import Channel
from notifications.settings import NotificationSettings
from tests.e2e.world import ADMIN, CLERK, MANAGER, S01_GROUP, W01_GROUP, WAREHOUSE_MANAGER, World

Message = dict[str, Any]
SUP1_EMAIL = "orders@sup1.example.com"


def line(sku: str, qty: int, kind: str, source: str, pack: int = 1) -> dict:
    facts = {
        "kind": kind, "lead_time_days": 3, "review_period_days": 1, "order_cycle_days": 7, "daily": 4.0,
        "safety_stock": 6, "service_pct": 95, "abc": "A", "position": 10.0, "reorder_point": 22, "order_up_to": 50,
        "qty": qty, "source_code": source, "km": 19 if kind == "transfer" else 0, "pack_size": pack,
        "min_order_qty": 0, "rounded_up": False, "transferred": 0,
    }  # fmt: skip
    return {
        "location_code": "S01", "sku": sku, "on_hand": 10.0, "in_transit": 0.0, "forecast_daily": 4.0,
        "safety_stock": 6.0, "reorder_point": 22.0, "order_up_to": 50.0, "suggested_qty": qty,
        "source_kind": kind, "source_code": source, "reason_facts": facts,
    }  # fmt: skip


@pytest.fixture
def planned(world: World, clock) -> World:  # type: ignore[no-untyped-def]
    """Tonight's plan for S01: cola and chips to buy, cola from the warehouse."""
    lines = [line("COLA330", 48, "supplier", "SUP1", 24), line("CHIPS70", 24, "supplier", "SUP2", 12),
             line("COLA330", 20, "transfer", "W01")]  # fmt: skip
    world.uow.run(lambda unit: store_plan(unit, date(2026, 11, 20), lines, [], clock()))
    return world


def orders(world: World) -> dict[str, list[tuple[str, int]]]:
    with world.uow(readonly=True) as unit:
        plan_id = unit.replenishment.latest_plan_id(date(2026, 11, 20))
        return {o.supplier_code: [(x.sku, x.qty) for x in o.lines] for o in unit.replenishment.purchase_orders(plan_id)}


def transfers(world: World) -> list:
    with world.uow(readonly=True) as unit:
        return unit.transfers.open_for(None)


async def edited(world: World, chat: int, message: Message, part: str, expect: str) -> Message:
    """Press a button of `message` and return the message once its text shows `expect`."""
    await world.press(MANAGER, chat, message, part)
    for _ in range(100):
        current = next(m for m in world.sandbox.messages(chat) if m["message_id"] == message["message_id"])
        if expect in current.get("text", ""):
            return current
        await asyncio.sleep(0.05)
    raise AssertionError(f"{expect!r} never appeared in {current.get('text')!r}")


async def test_an_approved_plan_becomes_purchase_orders_and_a_transfer_request_the_warehouse_approves(planned: World) -> None:
    world = planned
    plan = await world.say(MANAGER, S01_GROUP, "/plan")
    assert "CHIPS70" in plan["text"] and "Approve all (3)" in str(plan["reply_markup"])

    adjusted = await edited(world, S01_GROUP, plan, "CHIPS70 −12", "(suggested 24)")
    assert "CHIPS70 ×12 (suggested 24) from SUP2" in adjusted["text"]
    last = world.sandbox.bot_messages(S01_GROUP)[-1]["message_id"]
    await world.press(MANAGER, S01_GROUP, adjusted, "Approve all")
    await world.sandbox.wait_for_bot_message(S01_GROUP, lambda m: "document" in m, after_message_id=last, timeout=10)

    assert orders(world) == {"SUP1": [("COLA330", 48)], "SUP2": [("CHIPS70", 12)]}
    [transfer] = transfers(world)
    assert (transfer.sku, transfer.qty, transfer.from_code, transfer.to_code, transfer.state) == (
        "COLA330", 20, "W01", "S01", TransferState.REQUESTED)
    request = await world.sandbox.wait_for_bot_message(W01_GROUP, lambda m: "reply_markup" in m, timeout=10)
    await world.press(WAREHOUSE_MANAGER, W01_GROUP, request, "批准")
    await world.sandbox.wait_for_bot_message(W01_GROUP, lambda m: m["message_id"] > request["message_id"], timeout=10)
    assert transfers(world)[0].state is TransferState.APPROVED
    await asyncio.sleep(0.2)  # the second order file follows the first
    files = [m["document"]["file_name"] for m in world.sandbox.bot_messages(S01_GROUP) if "document" in m]
    assert sorted(files) == ["PO-000001.csv", "PO-000002.csv"]


async def test_the_supplier_with_an_address_gets_the_order_by_email(planned: World, clock) -> None:  # type: ignore[no-untyped-def]
    world = planned
    plan = await world.say(MANAGER, S01_GROUP, "/plan")
    last = world.sandbox.bot_messages(S01_GROUP)[-1]["message_id"]
    await world.press(MANAGER, S01_GROUP, plan, "Approve all")
    await world.sandbox.wait_for_bot_message(S01_GROUP, lambda m: "document" in m, after_message_id=last, timeout=10)
    sink = await world.sandbox.start_smtp_sink()
    settings = NotificationSettings(smtp_host=sink.host, smtp_port=sink.port, smtp_starttls=False, mail_from="ops@shop.example")
    email = SmtpEmailGateway(settings)

    delivered = await Dispatcher(world.uow, {Channel.EMAIL: email}, clock, settings).run_once()
    await email.close()

    [mail] = world.sandbox.inbox(SUP1_EMAIL)
    assert delivered == 1 and "COLA330" in mail.body and "48" in mail.body  # SUP2 has no address: the CSV only


async def test_two_managers_pressing_approve_all_at_once_place_the_orders_once(planned: World) -> None:
    world = planned
    plan = await world.say(MANAGER, S01_GROUP, "/plan")
    data = next(b["callback_data"] for row in plan["reply_markup"]["inline_keyboard"] for b in row if "Approve" in b["text"])

    presses = [world.sandbox.press_button(who, S01_GROUP, plan["message_id"], data) for who in (MANAGER, ADMIN, MANAGER)]
    answers = await asyncio.gather(*presses)
    await asyncio.gather(*(world.sandbox.wait_for_callback_answer(a, timeout=10) for a in answers))
    await asyncio.sleep(0.5)

    assert orders(world) == {"SUP1": [("COLA330", 48)], "SUP2": [("CHIPS70", 24)]}
    assert len(transfers(world)) == 1


async def test_a_clerk_cannot_see_or_approve_the_plan(planned: World) -> None:
    world = planned
    refused = await world.say(CLERK, S01_GROUP, "/plan")
    plan = await world.say(MANAGER, S01_GROUP, "/plan")

    await world.press(CLERK, S01_GROUP, plan, "Approve all")
    await asyncio.sleep(0.5)

    assert "reply_markup" not in refused and orders(world) == {} and transfers(world) == []


async def test_why_explains_the_plans_numbers_for_this_store(planned: World) -> None:
    answer = await planned.say(MANAGER, S01_GROUP, "/why cola330")

    assert "COLA330" in answer["text"] and "SUP1" in answer["text"] and "W01" in answer["text"]
    assert "reorder point 22" in answer["text"]
