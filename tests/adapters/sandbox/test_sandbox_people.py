"""What people do in the sandbox reaches the bot as correctly shaped updates."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden

from tests.adapters.sandbox.sandbox_world import ALICE, BOB, STORE_GROUP, TOKEN


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 10)).save(buffer, "JPEG")
    return buffer.getvalue()


async def test_a_photo_from_a_person_can_be_downloaded_by_the_bot(bot, sandbox):
    image = jpeg_bytes()
    await sandbox.send_photo(ALICE, ALICE, image, caption="shelf label")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message.caption == "shelf label"
    largest = update.message.photo[-1]
    assert (largest.width, largest.height) == (64, 48)
    downloaded = await (await largest.get_file()).download_as_bytearray()
    assert bytes(downloaded) == image


async def test_a_document_from_a_person_keeps_its_name_and_type(bot, sandbox):
    await sandbox.send_document(BOB, BOB, b"%PDF-1.4 count", "count-0301.pdf", "application/pdf")
    (update,) = await bot.get_updates(timeout=0)
    document = update.message.document
    assert (document.file_name, document.mime_type, document.file_size) == (
        "count-0301.pdf",
        "application/pdf",
        14,
    )


async def test_a_shared_contact_names_the_person_who_shared_it(bot, sandbox):
    await sandbox.share_contact(ALICE, ALICE, "+8613800000001")
    (update,) = await bot.get_updates(timeout=0)
    contact = update.message.contact
    assert (contact.phone_number, contact.user_id, contact.first_name) == ("+8613800000001", ALICE, "Alice")


async def test_a_button_press_carries_the_pressed_message_and_its_data(bot, sandbox):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="count:7:yes")]])
    question = await bot.send_message(STORE_GROUP, "Close count 7?", reply_markup=keyboard)
    query_id = await sandbox.press_button(BOB, STORE_GROUP, question.message_id, "count:7:yes")
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert (query.id, query.data, query.from_user.id) == (query_id, "count:7:yes", BOB)
    assert query.message.message_id == question.message_id and query.message.chat.id == STORE_GROUP


async def test_pressing_a_button_that_is_not_there_is_a_test_mistake(sandbox):
    said = await sandbox.send_text(ALICE, ALICE, "hello")
    with pytest.raises(ValueError, match="no button"):
        await sandbox.press_button(ALICE, ALICE, said["message_id"], "anything")


async def test_people_can_only_talk_in_chats_they_belong_to(sandbox):
    with pytest.raises(ValueError, match="not in chat"):
        await sandbox.send_text(ALICE, BOB, "let me in")


async def test_a_bot_in_privacy_mode_only_hears_commands_and_replies_in_groups(bot, sandbox):
    sandbox.state.bots[TOKEN].privacy_mode = True
    await sandbox.send_text(ALICE, STORE_GROUP, "just chatting")
    await sandbox.send_command(ALICE, STORE_GROUP, "stock", "1")
    await sandbox.send_text(ALICE, ALICE, "private words are always heard")
    texts = [u.message.text for u in await bot.get_updates(timeout=0)]
    assert texts == ["/stock 1", "private words are always heard"]


async def test_a_person_who_never_started_the_bot_cannot_be_messaged_first(bot, sandbox):
    sandbox.add_user(1003, "Carol", started=False)
    with pytest.raises(Forbidden, match="(?i)can't initiate conversation"):
        await bot.send_message(1003, "welcome")
    await sandbox.send_command(1003, 1003, "start")
    assert (await bot.send_message(1003, "welcome")).text == "welcome"


async def test_waiting_for_a_bot_message_times_out_with_what_was_seen(sandbox):
    await sandbox.send_text(ALICE, ALICE, "anyone?")
    with pytest.raises(TimeoutError, match="anyone"):
        await sandbox.wait_for_bot_message(ALICE, timeout=0.1)


async def test_updates_of_kinds_the_bot_did_not_ask_for_are_not_queued(bot, sandbox):
    assert await bot.get_updates(timeout=0, allowed_updates=["callback_query"]) == ()
    await sandbox.send_text(ALICE, ALICE, "ignored by a bot that only wants button presses")
    assert await bot.get_updates(timeout=0) == ()
