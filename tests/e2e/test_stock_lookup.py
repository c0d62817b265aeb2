"""Staff look up stock in their store group through the real bot."""

from __future__ import annotations

from tests.e2e.world import ADMIN, CLERK, MANAGER, S01_GROUP, STRANGER, World


async def test_stock_by_sku_shows_this_store_and_nearest_locations(world: World) -> None:
    reply = await world.say(CLERK, S01_GROUP, "/stock COLA330")

    text = reply["text"]
    assert "可口可乐 330ml" in text and "在库 10" in text
    assert text.index("徐汇店") < text.index("上海中心仓")  # S02 is nearer than W01
    assert "成本" not in text  # staff do not see costs


async def test_a_manager_sees_costs_and_margins(world: World) -> None:
    reply = await world.say(MANAGER, S01_GROUP, "/stock COLA330")
    assert "cost ¥2.10" in reply["text"] and "margin" in reply["text"]


async def test_a_plain_barcode_message_gets_the_card_and_upca_matches_ean13(world: World) -> None:
    reply = await world.say(CLERK, S01_GROUP, "0036000291452")
    assert "Lay's Classic 70g" in reply["text"]


async def test_name_search_handles_chinese_partial_words_and_typos(world: World) -> None:
    chinese = await world.say(CLERK, S01_GROUP, "/stock 火锅")
    typo = await world.say(MANAGER, S01_GROUP, "/stock clasic lays")
    assert "海底捞火锅底料" in chinese["text"]
    assert "Lay's Classic 70g" in typo["text"]


async def test_several_matches_offer_a_choice_and_the_choice_gives_the_card(world: World) -> None:
    choice = await world.say(CLERK, S01_GROUP, "/stock 0g")
    labels = [b["text"] for row in choice["reply_markup"]["inline_keyboard"] for b in row]
    assert any("70g" in label for label in labels) and any("200g" in label for label in labels)

    answer = await world.press(CLERK, S01_GROUP, choice, "200g")
    card = await world.sandbox.wait_for_bot_message(S01_GROUP, after_message_id=choice["message_id"])

    assert answer.get("show_alert") in (None, False)
    assert "海底捞火锅底料" in card["text"]


async def test_a_forged_button_is_refused_and_changes_nothing(world: World) -> None:
    choice = await world.say(CLERK, S01_GROUP, "/stock 0g")
    forged = {**choice, "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "card:HOTPOT1:AAAAAAAA"}]]}}
    world.sandbox.state.chats[S01_GROUP].messages[choice["message_id"]]["reply_markup"] = forged["reply_markup"]

    answer = await world.press(CLERK, S01_GROUP, forged, "x")

    assert answer["show_alert"] is True
    assert world.last_bot_message(S01_GROUP)["message_id"] == choice["message_id"]


async def test_an_unknown_user_is_refused_politely_with_how_to_get_access(world: World) -> None:
    reply = await world.say(STRANGER, S01_GROUP, "/stock COLA330")
    assert "don't have access" in reply["text"] and str(STRANGER) in reply["text"]


async def test_a_valid_barcode_not_in_the_catalogue_says_so(world: World) -> None:
    reply = await world.say(ADMIN, S01_GROUP, "4006381333931")
    assert "not in the catalogue" in reply["text"]


async def test_help_lists_only_what_the_role_may_do(world: World) -> None:
    clerk = await world.say(CLERK, S01_GROUP, "/help")
    admin = await world.say(ADMIN, S01_GROUP, "/help")
    assert "/staff" not in clerk["text"] and "/staff" in admin["text"]
