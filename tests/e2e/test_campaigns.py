"""Managers run promotion campaigns through the real bot: the guided /campaign, YAML files, preview, approve, cancel."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from adapters.campaign_yaml import parse_campaign_yaml
from domain.services.campaigns import create_campaign
from domain.services.members import recompute_segments
from domain.staff import Role, StaffMember
from tests.e2e.test_members import (
    PROMOTIONS,
    member_flows,  # noqa: F401  (the wiring fixture, until main does it)
)
from tests.e2e.world import CLERK, MANAGER, World

GOOD_YAML = """
name: Cola days
segments: [new, active, at_risk, dormant, vip]
offer: {kind: percent_off, value: 10}
channels: [chat, sms]
send: {from: 2026-11-20 09:00, until: 2026-11-22 20:00}
valid: {from: 2026-11-20, until: 2026-12-05}
"""


def scored(world: World) -> World:
    recompute_segments(world.uow, date(2026, 11, 20), now=world.application.bot_data["services"].clock())
    return world


async def after(world: World, message: dict[str, Any], words: str, chat: int = MANAGER) -> dict[str, Any]:
    return await world.sandbox.wait_for_bot_message(
        chat, lambda m: words in (m.get("text") or ""), after_message_id=message["message_id"], timeout=10
    )


async def choose(world: World, message: dict[str, Any], *labels: str) -> dict[str, Any]:
    for label in labels:
        await world.press(MANAGER, MANAGER, message, label)
    return message


def campaign_rows(world: World) -> list:
    with world.uow(readonly=True) as unit:
        return unit.connection.exec_driver_sql("SELECT campaign_id, state FROM campaign").all()


def promotion_rows(world: World) -> list:
    with world.uow(readonly=True) as unit:
        return unit.connection.exec_driver_sql(
            "SELECT member_id, channel FROM outbox_message WHERE purpose = 'promotion'"
        ).all()


async def test_a_guided_campaign_ends_approved_with_its_messages_in_the_outbox(world: World) -> None:
    scored(world)
    await world.say(MANAGER, MANAGER, "/campaign")
    segments = await world.say(MANAGER, MANAGER, "Cola days")
    await choose(world, segments, "New members", "Active", "At risk", "Dormant", "VIP", "Done")
    kinds = await after(world, segments, "What kind of offer")
    await choose(world, kinds, "Amount off")
    await after(world, kinds, "How many yuan")
    channels = await world.say(MANAGER, MANAGER, "5 10")
    await choose(world, channels, "Telegram", "SMS", "Email", "Done")
    await after(world, channels, "Budget cap")
    await world.say(MANAGER, MANAGER, "0")
    await world.say(MANAGER, MANAGER, "2026-11-20 09:00 2026-11-22 20:00")
    sample = await world.say(MANAGER, MANAGER, "2026-11-20 2026-12-05")
    preview = await after(world, sample, "Press Approve")
    await world.press(MANAGER, MANAGER, preview, "Approve")
    approved = await after(world, preview, "approved")

    assert "Sample message" in sample["text"] and "¥5 off when you spend ¥10" in preview["text"]
    assert [state for _, state in campaign_rows(world)] == ["approved"]
    with world.uow(readonly=True) as unit:
        treated, control, _ = unit.campaigns.groups(campaign_rows(world)[0][0])
    assert sorted(m for m, _ in promotion_rows(world)) == sorted(treated)
    assert sorted(treated + control) == ["M001", "M002"] and f"{len(treated)} messages" in approved["text"]


async def test_approving_twice_at_once_schedules_the_campaign_once(world: World) -> None:
    scored(world)
    sent = await world.sandbox.send_document(
        MANAGER, MANAGER, GOOD_YAML.encode(), "cola.yaml", "application/yaml"
    )
    preview = await after(world, sent, "Press Approve")

    await asyncio.gather(*(world.press(MANAGER, MANAGER, preview, "Approve") for _ in range(2)))
    refused = await after(world, preview, "cannot be approved again")

    assert "already approved" in refused["text"]
    assert len(promotion_rows(world)) == len({m for m, _ in promotion_rows(world)})
    with world.uow(readonly=True) as unit:
        treated, _, _ = unit.campaigns.groups(campaign_rows(world)[0][0])
    assert len(promotion_rows(world)) == len(treated)


async def test_a_draft_from_a_file_can_be_cancelled_before_anything_goes(world: World) -> None:
    scored(world)
    sent = await world.sandbox.send_document(
        MANAGER, MANAGER, GOOD_YAML.encode(), "cola.yml", "application/yaml"
    )
    preview = await after(world, sent, "Press Approve")

    await world.press(MANAGER, MANAGER, preview, "Cancel")
    await after(world, preview, "cancelled")

    assert [state for _, state in campaign_rows(world)] == ["cancelled"] and promotion_rows(world) == []


async def test_a_draft_made_from_the_command_line_is_previewed_by_its_id(world: World) -> None:
    scored(world)
    manager = StaffMember(MANAGER, "Li", Role.MANAGER, ["S01"])
    now = world.application.bot_data["services"].clock()
    record = world.uow.run(
        lambda unit: create_campaign(unit, manager, parse_campaign_yaml(GOOD_YAML), now, PROMOTIONS)
    )

    asked = await world.sandbox.send_text(MANAGER, MANAGER, f"/campaign {record.campaign_id}")
    preview = await after(world, asked, "Press Approve")
    unknown = await world.say(MANAGER, MANAGER, "/campaign C0000NOSUCH")

    assert record.campaign_id in preview["text"] and "Cola days" in preview["text"]
    assert "No campaign C0000NOSUCH" in unknown["text"]


async def test_a_file_with_mistakes_is_answered_with_every_field_at_fault(world: World) -> None:
    broken = GOOD_YAML.replace("percent_off", "half_price").replace("[chat, sms]", "[chat, fax]")
    sent = await world.sandbox.send_document(
        MANAGER, MANAGER, broken.encode(), "bad.yaml", "application/yaml"
    )
    answer = await after(world, sent, "problems")

    assert "offer.kind" in answer["text"] and "channels" in answer["text"] and "fax" in answer["text"]
    assert campaign_rows(world) == []


async def test_a_clerk_cannot_start_a_campaign(world: World) -> None:
    answer = await world.say(CLERK, CLERK, "/campaign")

    assert "不能执行" in answer["text"]
    assert campaign_rows(world) == []
