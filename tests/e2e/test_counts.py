"""Stock counts through the real bot: blind sheet, entries, the managers' report, recount, approval, undo."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

from domain.counts import VarianceThreshold
from domain.sales import Receipt, ReceiptLine
from domain.services.sales import post_receipts
from domain.stock import MovementKind
from tests.e2e.world import CLERK, MANAGER, S01_GROUP, WAREHOUSE_MANAGER, World

CARTON = "16901234567899"  # COLA330 in cartons of 24


def last_id(world: World, chat: int) -> int:
    return max((m["message_id"] for m in world.sandbox.messages(chat)), default=0)


async def submit(world: World, managers: tuple[int, ...] = (MANAGER,)) -> list[dict[str, Any]]:
    """/done in the store group; returns the report each manager gets privately."""
    before = {manager: last_id(world, manager) for manager in managers}
    answer = await world.say(CLERK, S01_GROUP, "/done")
    assert "已提交" in answer["text"] and "账面" not in answer["text"]
    return [
        await world.sandbox.wait_for_bot_message(
            manager, lambda m: "待审批" in m["text"], after_message_id=before[manager]
        )
        for manager in managers
    ]


async def press_and_hear(
    world: World, user: int, chat: int, message: dict[str, Any], label: str
) -> dict[str, Any]:
    """Press a button and wait for the bot's answer in that chat."""
    before = last_id(world, chat)
    await world.press(user, chat, message, label)
    return await world.sandbox.wait_for_bot_message(chat, after_message_id=before, timeout=10)


def adjustments(world: World, sku: str) -> list[int]:
    with world.uow(readonly=True) as unit:
        moved = unit.stock.movements_for("S01", sku, 50)
    return [m.on_hand for m in moved if m.kind is MovementKind.COUNT_ADJUSTMENT]


async def test_a_full_count_from_the_blind_sheet_to_approved_adjustments(world: World) -> None:
    sheet = await world.say(CLERK, S01_GROUP, "/count")
    assert "可口可乐 330ml" in sheet["text"] and "Lay's Classic 70g" in sheet["text"]
    assert (
        not re.search(r"\b10\b", sheet["text"]) and "在库" not in sheet["text"]
    )  # the book (10 colas) stays hidden

    several = await world.say(CLERK, S01_GROUP, "COLA330 6\nＣＨＩＰＳ７０　２")
    barcode = await world.say(CLERK, S01_GROUP, "6901234567892")
    carton = await world.say(CLERK, S01_GROUP, CARTON)
    mixed = await world.say(CLERK, S01_GROUP, "COLA330 x 2\nNOSUCH 3\nCHIPS70 -1")

    assert "已数 6" in several["text"] and "已数 2" in several["text"]
    assert "已数 7" in barcode["text"]
    assert "+24" in carton["text"] and "已数 31" in carton["text"]
    assert "已数 33" in mixed["text"] and "NOSUCH" in mixed["text"] and "负数" in mixed["text"]
    assert "其余各行已经记录" in mixed["text"]

    [report] = await submit(world)
    assert "账面 10，实数 33，差 +23" in report["text"] and "账面 1，实数 2，差 +1" in report["text"]
    assert report["text"].index("COLA330") < report["text"].index("CHIPS70")  # ¥48.30 before ¥4.80

    approved = await press_and_hear(world, MANAGER, MANAGER, report, "批准")
    store_news = await world.sandbox.wait_for_bot_message(
        S01_GROUP, lambda m: "批准" in m["text"], after_message_id=mixed["message_id"]
    )

    assert "2 adjustments posted" in approved["text"] and "李经理" in store_news["text"]  # Li reads English
    assert (world.on_hand("S01", "COLA330"), world.on_hand("S01", "CHIPS70")) == (33, 2)


async def test_a_big_variance_must_be_recounted_before_approval(world: World) -> None:
    await world.say(CLERK, S01_GROUP, "/count")
    await world.say(CLERK, S01_GROUP, "COLA330 200\nCHIPS70 1")  # +190 colas, ¥399 at cost
    [report] = await submit(world)
    assert "需要先复盘" in report["text"]

    refused = await press_and_hear(world, MANAGER, MANAGER, report, "批准")
    assert (
        "COLA330" in refused["text"]
        and "recounted first" in refused["text"]
        and world.on_hand("S01", "COLA330") == 10
    )

    before = last_id(world, S01_GROUP)
    await press_and_hear(world, MANAGER, MANAGER, report, "🔁")
    recount = await world.sandbox.wait_for_bot_message(S01_GROUP, after_message_id=before)
    assert "COLA330" in recount["text"] and "CHIPS70" not in recount["text"] and "账面" not in recount["text"]

    again = await world.say(CLERK, S01_GROUP, "COLA330 12")
    [second] = await submit(world)
    approved = await press_and_hear(world, MANAGER, MANAGER, second, "批准")

    assert (
        "已数 12" in again["text"]
        and "账面 10，实数 12" in second["text"]
        and "需要先复盘" not in second["text"]
    )
    assert "approved" in approved["text"] and world.on_hand("S01", "COLA330") == 12


async def test_approve_pressed_twice_and_by_two_managers_at_once_posts_once(world: World) -> None:
    with world.uow() as unit:  # the warehouse manager also looks after S01
        person = unit.staff.get(WAREHOUSE_MANAGER)
        person.locations.append("S01")
        unit.staff.save(person)
        unit.commit()
    await world.say(CLERK, S01_GROUP, "/count")
    await world.say(CLERK, S01_GROUP, "COLA330 7")
    li, zhang = await submit(world, (MANAGER, WAREHOUSE_MANAGER))
    before = {MANAGER: last_id(world, MANAGER), WAREHOUSE_MANAGER: last_id(world, WAREHOUSE_MANAGER)}

    await asyncio.gather(
        world.press(MANAGER, MANAGER, li, "批准"),
        world.press(MANAGER, MANAGER, li, "批准"),
        world.press(WAREHOUSE_MANAGER, WAREHOUSE_MANAGER, zhang, "批准"),
    )
    await world.sandbox.wait_for_bot_message(WAREHOUSE_MANAGER, after_message_id=before[WAREHOUSE_MANAGER])
    await world.sandbox.wait_for_bot_message(
        MANAGER, lambda m: m["message_id"] > before[MANAGER] + 1, after_message_id=before[MANAGER]
    )

    answers = [
        m["text"]
        for chat in (MANAGER, WAREHOUSE_MANAGER)
        for m in world.sandbox.bot_messages(chat)[-3:]
        if m["message_id"] > before[chat]
    ]
    decided = sum("approved:" in text or "已批准：" in text for text in answers)
    refused = sum("no longer waiting" in text or "不在等待审批" in text for text in answers)
    assert (decided, refused) == (1, 2)
    assert adjustments(world, "COLA330") == [-3] and world.on_hand("S01", "COLA330") == 7


async def test_a_sale_during_the_count_is_not_taken_for_a_variance(world: World, clock) -> None:  # type: ignore[no-untyped-def]
    await world.say(CLERK, S01_GROUP, "/count")
    await world.say(CLERK, S01_GROUP, "COLA330 9")  # one short of the book (10)
    sale = Receipt("LIVE-1", "S01", clock() + timedelta(minutes=1), [ReceiptLine("COLA330", 2, 3.5)])
    world.uow.run(lambda unit: post_receipts(unit, [sale], "pos"))

    [report] = await submit(world)
    await press_and_hear(world, MANAGER, MANAGER, report, "批准")

    assert "账面 10，实数 9，差 -1" in report["text"]
    assert adjustments(world, "COLA330") == [-1] and world.on_hand("S01", "COLA330") == 10 - 2 - 1


async def test_undo_takes_back_the_last_entry_until_the_count_is_submitted(world: World) -> None:
    await world.say(CLERK, S01_GROUP, "/count")
    await world.say(CLERK, S01_GROUP, "COLA330 5")
    await world.say(CLERK, S01_GROUP, "COLA330 7")

    undone = await world.say(CLERK, S01_GROUP, "/undo")
    [report] = await submit(world)
    too_late = await world.say(CLERK, S01_GROUP, "/undo")

    assert "已撤销" in undone["text"] and "已数 5" in undone["text"]
    assert "实数 5" in report["text"]
    assert "已经提交" in too_late["text"]


async def test_scans_can_ask_the_quantity_buttons_add_and_a_second_count_says_how_far_the_first_is(
    world: World,
) -> None:
    world.application.bot_data["services"].settings.count_asks_quantity = True
    world.application.bot_data["services"].settings.count_variance = VarianceThreshold(10.0, 1000.0)
    await world.say(CLERK, S01_GROUP, "/count 饮料")

    question = await world.say(CLERK, S01_GROUP, CARTON)
    cartons = await world.say(CLERK, S01_GROUP, "２")
    added = await press_and_hear(world, CLERK, S01_GROUP, cartons, "+6")
    other_category = await world.say(CLERK, S01_GROUP, "CHIPS70 1")
    chatter = await world.say(CLERK, S01_GROUP, "好的 谢谢")
    second = await world.say(MANAGER, S01_GROUP, "/count")

    assert "每箱 24 件" in question["text"] and "+48" in cartons["text"] and "已数 54" in added["text"]
    assert "不属于这次盘点的品类" in other_category["text"]
    assert "已数 54" not in chatter["text"] and "没有记录" not in chatter["text"]
    assert "Count #" in second["text"] and "1 of 1 items counted" in second["text"]

    refused = await world.say(CLERK, S01_GROUP, "/count cancel")
    cancelled = await world.say(MANAGER, S01_GROUP, "/count cancel")
    assert "staff" in refused["text"] and "cancelled" in cancelled["text"]
    assert world.on_hand("S01", "COLA330") == 10


async def test_bad_input_is_explained_in_the_persons_language_and_changes_nothing(world: World) -> None:
    no_count = await world.say(MANAGER, S01_GROUP, "/done")
    unknown_category = await world.say(CLERK, S01_GROUP, "/count 玩具")
    await world.say(CLERK, S01_GROUP, "/count")
    all_bad = await world.say(CLERK, S01_GROUP, "COLA330 1.5\nCOLA330 99999999\nCOLA330 lots")
    empty = await world.say(CLERK, S01_GROUP, "/done")

    assert "no count open" in no_count["text"]
    assert "饮料" in unknown_category["text"] and "零食" in unknown_category["text"]
    assert (
        all(reason in all_bad["text"] for reason in ("整数", "太大", "不是数字"))
        and "已记录" not in all_bad["text"]
    )
    assert "没有录入任何商品" in empty["text"]
    with world.uow(readonly=True) as unit:
        assert unit.counts.active_at("S01").lines == {}


async def test_a_long_sheet_is_paged_with_a_next_button(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("domain.services.counts.SHEET_PAGE", 1)  # the tiny chain has two items at S01

    first = await world.say(CLERK, S01_GROUP, "/count")
    second = await press_and_hear(world, CLERK, S01_GROUP, first, "▶")

    assert "1/2" in first["text"] and "Lay's Classic 70g" in first["text"] and "可口可乐" not in first["text"]
    assert "2/2" in second["text"] and "可口可乐 330ml" in second["text"] and not second.get("reply_markup")
