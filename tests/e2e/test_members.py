"""Members in their private chat with the real bot: link by phone, points, offers, stop and consent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.handlers import campaigns, common, features, members
from domain.services.campaigns import (
    CampaignDraft,
    OfferTerms,
    PromotionSettings,
    approve_campaign,
    create_campaign,
)
from domain.services.members import recompute_segments
from domain.staff import Role, StaffMember
from notifications.promotions import schedule_promotions
from tests.e2e.world import MANAGER, World

NEW_MEMBER, LINKED_MEMBER, NOBODY = (
    555101,
    555001,
    555202,
)  # M001 (not linked yet), M002 (linked, chat consent)
PROMOTIONS = PromotionSettings(coupon_secret=b"e2e-coupon-secret")


@pytest.fixture(autouse=True)
def member_flows(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wiring main does (features order, /start and /help), done here until it does."""
    if not hasattr(features, "members"):
        register = features.register

        def with_members(application, router) -> None:  # type: ignore[no-untyped-def]
            application.bot_data.setdefault("promotion_settings", PROMOTIONS)
            members.register(application, router)
            campaigns.register(application, router)
            register(application, router)

        monkeypatch.setattr(features, "register", with_members)
        monkeypatch.setattr(common, "help_command", members.start_command)


@pytest.fixture
def people(world: World) -> World:
    world.application.bot_data.setdefault("promotion_settings", PROMOTIONS)
    world.sandbox.add_user(NEW_MEMBER, "Chen", language_code="en", label="Chen · member M001")
    world.sandbox.add_user(LINKED_MEMBER, "Smith", language_code="en", label="Smith · member M002")
    world.sandbox.add_user(NOBODY, "Nobody", language_code="zh-hans", label="not a member")
    return world


async def next_message(world: World, chat: int, after: dict[str, Any], words: str) -> dict[str, Any]:
    return await world.sandbox.wait_for_bot_message(
        chat, lambda m: words in (m.get("text") or ""), after_message_id=after["message_id"], timeout=10
    )


async def test_a_member_links_by_sharing_their_own_phone_and_sees_their_points(people: World) -> None:
    welcome = await people.say(NEW_MEMBER, NEW_MEMBER, "/start")
    keyboard = people.sandbox.reply_keyboard(NEW_MEMBER)
    shared = await people.sandbox.share_contact(NEW_MEMBER, NEW_MEMBER, "+86 139-1111-0001")
    linked = await next_message(people, NEW_MEMBER, shared, "linked")
    consent = await next_message(people, NEW_MEMBER, linked, "personal offers")
    points = await people.say(NEW_MEMBER, NEW_MEMBER, "/points")

    assert "share your phone number" in welcome["text"]
    assert keyboard["keyboard"][0][0]["request_contact"] is True
    assert "陈女士" in linked["text"] and "Send me offers" in str(consent["reply_markup"])
    with people.uow(readonly=True) as unit:
        assert unit.members.get("M001").telegram_user_id == NEW_MEMBER
    assert "1200" in points["text"] and "2027-11-20" in points["text"]


async def test_an_unknown_phone_gets_a_polite_answer_and_nothing_is_linked(people: World) -> None:
    shared = await people.sandbox.share_contact(NOBODY, NOBODY, "13000000000")
    answer = await next_message(people, NOBODY, shared, "没有找到")

    assert "门店" in answer["text"]
    with people.uow(readonly=True) as unit:
        assert unit.members.by_telegram(NOBODY) is None


async def test_stop_withdraws_chat_consent_at_once_and_only_the_button_grants_it_again(people: World) -> None:
    stopped = await people.say(LINKED_MEMBER, LINKED_MEMBER, "/stop")
    with people.uow(readonly=True) as unit:
        after_stop = unit.members.get("M002").consent
        events = unit.connection.exec_driver_sql(
            "SELECT granted, source FROM consent_event WHERE source LIKE 'telegram%'"
        ).all()
    welcome = await people.say(LINKED_MEMBER, LINKED_MEMBER, "/start")
    prompt = await next_message(people, LINKED_MEMBER, welcome, "personal offers")
    with people.uow(readonly=True) as unit:
        after_start = unit.members.get("M002").consent
    await people.press(LINKED_MEMBER, LINKED_MEMBER, prompt, "Send me offers")
    await next_message(people, LINKED_MEMBER, prompt, "Done: personal offers")

    assert "no more promotions" in stopped["text"]
    assert [tuple(e) for e in events] == [(False, "telegram:/stop")]
    assert not after_stop["chat"] and not after_start["chat"]
    with people.uow(readonly=True) as unit:
        assert unit.members.get("M002").consent["chat"]


async def test_offers_show_the_members_coupon_code(people: World) -> None:
    now = people.application.bot_data["services"].clock()
    recompute_segments(people.uow, date(2026, 11, 20), now=now)
    manager = StaffMember(MANAGER, "李经理", Role.MANAGER, ["S01"])
    terms = CampaignDraft("Cola days", ("new", "active", "at_risk", "dormant", "vip"),
                          OfferTerms("percent_off", Decimal(10)), ("chat",), now, now + timedelta(days=1), now,
                          now + timedelta(days=7), control_share=0.0)  # fmt: skip
    record = people.uow.run(lambda unit: create_campaign(unit, manager, terms, now, PROMOTIONS))
    approved = people.uow.run(
        lambda unit: approve_campaign(unit, manager, record.campaign_id, now, PROMOTIONS, schedule_promotions)
    )

    offers = await people.say(LINKED_MEMBER, LINKED_MEMBER, "/offers")

    assert approved.codes["M002"] in offers["text"] and "10% off" in offers["text"]


async def test_members_never_meet_the_staff_refusal_and_staff_keep_their_help(people: World) -> None:
    member_help = await people.say(LINKED_MEMBER, LINKED_MEMBER, "/help")
    staff_start = await people.say(MANAGER, MANAGER, "/start")

    assert "/points" in member_help["text"] and "not registered" not in member_help["text"]
    assert "manager" in staff_start["text"]


async def test_a_member_typing_plain_text_gets_the_member_menu_not_a_staff_refusal(world: World) -> None:  # type: ignore[no-untyped-def]
    world.sandbox.add_user(555001, "Mr Smith", language_code="en", label="member M002")
    reply = await world.say(555001, 555001, "hello, what do I have?")
    assert "don't have access" not in reply["text"]
    assert "/points" in reply["text"]


async def test_lang_in_a_members_private_chat_also_sets_the_language_of_their_offers(people: World) -> None:
    await people.say(LINKED_MEMBER, LINKED_MEMBER, "/lang zh")
    with people.uow(readonly=True) as unit:
        chosen_in_private = unit.members.by_telegram(LINKED_MEMBER).language
    await people.say(LINKED_MEMBER, LINKED_MEMBER, "/lang en")
    with people.uow(readonly=True) as unit:
        chosen_again = unit.members.by_telegram(LINKED_MEMBER).language
        chat_setting = unit.chat_settings.language(LINKED_MEMBER)

    assert (chosen_in_private, chosen_again, chat_setting) == ("zh", "en", "en")
