"""Transfers through the real bot: request, approve, ship, receive, and everything that must not happen twice."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from telegram import Update

from domain.stock import MovementKind
from domain.transfers import TransferState
from main import build_bot
from tests.e2e.world import (
    ADMIN,
    CLERK,
    MANAGER,
    S01_GROUP,
    TOKEN,
    W01_GROUP,
    WAREHOUSE_MANAGER,
    World,
    settings_for,
    start_polling,
    stop,
)

Message = dict[str, Any]
APPROVE, REJECT, SHIPPED, ALL_ARRIVED, FEWER = "批准", "拒绝", "已发货", "全部到货", "到货不足"
REFUSED_STEP = ("这一步现在不能做了", "That step isn't possible now")


def labelled(part: str) -> Callable[[Message], bool]:
    return lambda m: any(part in b["text"] for row in m.get("reply_markup", {}).get("inline_keyboard", []) for b in row)


def saying(*parts: str) -> Callable[[Message], bool]:
    return lambda m: any(part in m.get("text", "") for part in parts)


async def then(world: World, chat: int, action: Awaitable[Any], expect: Callable[[Message], bool]) -> Message:
    """Do `action`, then wait for the bot's next matching message in `chat`."""
    last = max((m["message_id"] for m in world.sandbox.messages(chat)), default=0)
    await action
    return await world.sandbox.wait_for_bot_message(chat, expect, after_message_id=last, timeout=10)


async def requested(world: World, text: str = "/transfer COLA330 24 from W01") -> tuple[Message, Message]:
    """The clerk asks in the S01 group; returns the confirmation and the request in the W01 group."""
    request = then(world, W01_GROUP, world.sandbox.send_text(CLERK, S01_GROUP, text), labelled(APPROVE))
    confirmation = await then(world, S01_GROUP, request, saying("调拨申请"))
    return confirmation, world.sandbox.bot_messages(W01_GROUP)[-1]


async def approved_and_shipped(world: World) -> Message:
    """Request, approval and shipping of 24 COLA330 from W01; returns the arrival prompt in S01."""
    _, request = await requested(world)
    ship = await then(world, W01_GROUP, world.press(WAREHOUSE_MANAGER, W01_GROUP, request, APPROVE), labelled(SHIPPED))
    return await then(world, S01_GROUP, world.press(WAREHOUSE_MANAGER, W01_GROUP, ship, SHIPPED), labelled(ALL_ARRIVED))


def position(world: World, location: str, sku: str = "COLA330") -> tuple[int, int, int, int]:
    with world.uow(readonly=True) as unit:
        p = unit.stock.get(location, sku)
        return p.on_hand, p.reserved, p.in_transit_in, p.in_transit_out


def kinds_at(world: World, location: str) -> list[MovementKind]:
    with world.uow(readonly=True) as unit:
        return [m.kind for m in unit.stock.movements_for(location, "COLA330", 50)]


def transfer_state(world: World, transfer_id: int = 1) -> TransferState:
    with world.uow(readonly=True) as unit:
        return unit.transfers.get(transfer_id).state


def buttons_of(world: World, chat: int, message: Message) -> list[str]:
    current = world.sandbox.state.chats[chat].messages[message["message_id"]]
    return [b["text"] for row in current.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


async def test_request_approve_ship_and_receive_everything(world: World) -> None:
    confirmation, request = await requested(world)
    private = await world.sandbox.wait_for_bot_message(WAREHOUSE_MANAGER, labelled(APPROVE))
    assert "#1" in confirmation["text"] and "#1" in request["text"] and labelled(APPROVE)(private)

    ship = await then(world, W01_GROUP, world.press(WAREHOUSE_MANAGER, W01_GROUP, request, APPROVE), labelled(SHIPPED))
    assert position(world, "W01") == (500, 24, 0, 0)
    assert buttons_of(world, W01_GROUP, request) == [] and buttons_of(world, WAREHOUSE_MANAGER, private) == []

    arrival = await then(world, S01_GROUP, world.press(WAREHOUSE_MANAGER, W01_GROUP, ship, SHIPPED), labelled(ALL_ARRIVED))
    assert position(world, "W01") == (476, 0, 0, 24) and position(world, "S01")[2] == 24

    done = then(world, W01_GROUP, world.press(CLERK, S01_GROUP, arrival, ALL_ARRIVED), saying("确认收货"))
    await then(world, S01_GROUP, done, saying("确认收货"))
    assert position(world, "S01") == (34, 0, 0, 0) and position(world, "W01") == (476, 0, 0, 0)
    assert buttons_of(world, S01_GROUP, arrival) == [] and transfer_state(world) is TransferState.RECEIVED


async def test_fewer_arrived_writes_off_the_shortfall_and_tells_both_managers(world: World) -> None:
    arrival = await approved_and_shipped(world)
    question = await then(world, S01_GROUP, world.press(CLERK, S01_GROUP, arrival, FEWER), saying("/receive 1"))
    assert "24" in question["text"]

    warned = then(world, MANAGER, world.say(CLERK, S01_GROUP, "20"), saying("短少"))
    await then(world, WAREHOUSE_MANAGER, warned, saying("短少"))

    assert position(world, "S01") == (30, 0, 0, 0) and position(world, "W01") == (476, 0, 0, 0)
    assert MovementKind.WRITE_OFF in kinds_at(world, "S01")
    with world.uow(readonly=True) as unit:
        assert unit.transfers.get(1).discrepancy == 4


async def test_typed_receive_with_more_than_shipped_is_refused_then_accepted(world: World) -> None:
    await approved_and_shipped(world)

    too_many = await world.say(CLERK, S01_GROUP, "/receive 1 25")
    await then(world, W01_GROUP, world.sandbox.send_text(CLERK, S01_GROUP, "/receive 1 24"), saying("确认收货"))

    assert "最多 24" in too_many["text"]
    assert position(world, "S01")[0] == 34


async def test_two_managers_approving_at_once_reserve_once(world: World) -> None:
    _, request = await requested(world)

    await asyncio.gather(
        world.press(WAREHOUSE_MANAGER, W01_GROUP, request, APPROVE), world.press(ADMIN, W01_GROUP, request, APPROVE)
    )
    await world.sandbox.wait_for_bot_message(W01_GROUP, saying(*REFUSED_STEP), after_message_id=request["message_id"])
    await world.sandbox.wait_for_bot_message(W01_GROUP, labelled(SHIPPED), after_message_id=request["message_id"])

    assert position(world, "W01") == (500, 24, 0, 0)
    assert kinds_at(world, "W01").count(MovementKind.TRANSFER_RESERVE) == 1
    assert len([m for m in world.sandbox.bot_messages(W01_GROUP) if labelled(SHIPPED)(m)]) == 1


async def test_pressing_shipped_twice_ships_once(world: World) -> None:
    _, request = await requested(world)
    ship = await then(world, W01_GROUP, world.press(WAREHOUSE_MANAGER, W01_GROUP, request, APPROVE), labelled(SHIPPED))

    await asyncio.gather(*(world.press(WAREHOUSE_MANAGER, W01_GROUP, ship, SHIPPED) for _ in range(2)))
    await world.sandbox.wait_for_bot_message(W01_GROUP, saying(*REFUSED_STEP), after_message_id=ship["message_id"])
    await world.sandbox.wait_for_bot_message(S01_GROUP, labelled(ALL_ARRIVED))

    assert position(world, "W01") == (476, 0, 0, 24)
    assert len([m for m in world.sandbox.bot_messages(S01_GROUP) if labelled(ALL_ARRIVED)(m)]) == 1


async def test_a_replayed_approval_update_is_dropped(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    queue = world.sandbox.state.bots[TOKEN].updates
    pushed: list[dict[str, Any]] = []
    monkeypatch.setattr(queue, "push", lambda kind, payload: pushed.append(type(queue).push(queue, kind, payload)) or pushed[-1])
    _, request = await requested(world)
    ship = await then(world, W01_GROUP, world.press(WAREHOUSE_MANAGER, W01_GROUP, request, APPROVE), labelled(SHIPPED))

    await world.application.process_update(Update.de_json(pushed[-1], world.application.bot))
    help_answer = await world.say(WAREHOUSE_MANAGER, W01_GROUP, "/help")  # whatever the replay said comes before

    assert [m for m in world.sandbox.bot_messages(W01_GROUP) if m["message_id"] > ship["message_id"]] == [help_answer]
    assert kinds_at(world, "W01").count(MovementKind.TRANSFER_RESERVE) == 1


async def test_a_rejection_reserves_nothing_and_is_announced_in_both_groups(world: World) -> None:
    _, request = await requested(world)

    told = then(world, W01_GROUP, world.press(WAREHOUSE_MANAGER, W01_GROUP, request, REJECT), saying("拒绝了"))
    await then(world, S01_GROUP, told, saying("拒绝了"))

    assert transfer_state(world) is TransferState.REJECTED and position(world, "W01") == (500, 0, 0, 0)
    assert buttons_of(world, W01_GROUP, request) == []


async def test_the_requester_cancels_and_the_approve_buttons_disappear(world: World) -> None:
    confirmation, request = await requested(world)

    await then(world, W01_GROUP, world.press(CLERK, S01_GROUP, confirmation, "取消"), saying("取消了"))

    assert transfer_state(world) is TransferState.CANCELLED
    assert buttons_of(world, W01_GROUP, request) == [] and buttons_of(world, S01_GROUP, confirmation) == []


async def test_staff_and_other_managers_cannot_approve_but_an_admin_can(world: World) -> None:
    world.sandbox.state.chats[S01_GROUP].member_ids.append(WAREHOUSE_MANAGER)
    asked = world.sandbox.send_text(WAREHOUSE_MANAGER, W01_GROUP, "/transfer COLA330 2 from S01")
    request = await then(world, S01_GROUP, asked, labelled(APPROVE))

    clerk = await then(world, S01_GROUP, world.press(CLERK, S01_GROUP, request, APPROVE), saying("不能执行"))
    other = await then(world, S01_GROUP, world.press(WAREHOUSE_MANAGER, S01_GROUP, request, APPROVE), saying("不能执行"))
    assert "staff" in clerk["text"] and "manager" in other["text"]
    assert position(world, "S01")[1] == 0

    await then(world, S01_GROUP, world.press(ADMIN, S01_GROUP, request, APPROVE), labelled(SHIPPED))
    assert position(world, "S01")[1] == 2 and transfer_state(world) is TransferState.APPROVED


async def test_the_card_button_asks_the_quantity_and_proposes_the_nearest_source_with_surplus(world: World) -> None:
    card = await world.say(CLERK, S01_GROUP, "/stock COLA330")
    prompt = await then(world, S01_GROUP, world.press(CLERK, S01_GROUP, card, "申请调拨"), labelled("24"))

    await asyncio.gather(world.press(CLERK, S01_GROUP, prompt, "24"), world.press(CLERK, S01_GROUP, prompt, "12"))
    chosen = world.sandbox.wait_for_bot_message
    confirmation = await chosen(S01_GROUP, saying("推荐来源"), after_message_id=prompt["message_id"])
    await chosen(S01_GROUP, saying("已经选过"), after_message_id=prompt["message_id"])
    # S02 is 4 km away with 30 on hand and 6 sold in four weeks: it keeps 3 and can spare 27.
    assert "S02" in confirmation["text"] and "富余 27" in confirmation["text"]
    assert buttons_of(world, S01_GROUP, prompt) == []

    second = await then(world, S01_GROUP, world.press(CLERK, S01_GROUP, card, "申请调拨"), labelled("24"))
    typed = await world.say(CLERK, S01_GROUP, "40")  # more than any store can spare: the warehouse
    assert second and "W01" in typed["text"]
    with world.uow(readonly=True) as unit:
        assert [t.from_code for t in unit.transfers.open_for("S01")] == ["S02", "W01"]


async def test_bad_requests_get_a_clear_answer_and_change_nothing(world: World) -> None:
    answers = {
        "/transfer": "用法",
        "/transfer COLA330": "用法",
        "/transfer NOPE 5 from W01": "没有 SKU 为 NOPE",
        "/transfer COLA330 5 from X99": "没有代码为 X99",
        "/transfer COLA330 0 from W01": "数量必须是",
        "/transfer COLA330 -3 from W01": "数量必须是",
        "/transfer COLA330 1.5 from W01": "数量必须是",
        "/transfer COLA330 abc from W01": "数量必须是",
        "/transfer COLA330 99999999 from W01": "数量必须是",
        "/transfer COLA330 5 from S01": "不能自己调给自己",
        "/transfer CHIPS70 500 from W01": "可用库存只有 200",
        "/transfer HOTPOT1 100": "附近没有门店或仓库能富余",
    }
    for text, expected in answers.items():
        answer = await world.say(CLERK, S01_GROUP, text)
        assert expected in answer["text"], (text, answer["text"])

    with world.uow(readonly=True) as unit:
        assert unit.transfers.open_for(None) == []
    assert world.sandbox.bot_messages(W01_GROUP) == []


async def test_undo_withdraws_a_request_and_transfers_lists_what_is_open(world: World) -> None:
    await requested(world)
    await requested(world, "/transfer CHIPS70 12 from W01")

    listing = await world.say(CLERK, S01_GROUP, "/transfers")
    undone = await world.say(CLERK, S01_GROUP, "/undo")
    after = await world.say(CLERK, S01_GROUP, "/transfers")

    assert "#1" in listing["text"] and "#2" in listing["text"] and "待审批" in listing["text"]
    assert "#2" in undone["text"] and transfer_state(world, 2) is TransferState.CANCELLED
    assert "#1" in after["text"] and "#2" not in after["text"]


async def test_a_restart_between_request_and_approval_still_takes_the_old_buttons_away(world: World) -> None:
    _, request = await requested(world)
    private = await world.sandbox.wait_for_bot_message(WAREHOUSE_MANAGER, labelled(APPROVE))
    await stop(world.application)
    world.application = build_bot(settings_for(world.url), world.uow, barcode_reader=None)
    await start_polling(world.application)
    try:
        await then(world, W01_GROUP, world.press(WAREHOUSE_MANAGER, W01_GROUP, request, APPROVE), labelled(SHIPPED))
        assert buttons_of(world, W01_GROUP, request) == [] and buttons_of(world, WAREHOUSE_MANAGER, private) == []
    finally:
        await stop(world.application)
