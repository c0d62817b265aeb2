"""A real python-telegram-bot `Bot` talks to the sandbox over loopback HTTP."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken

from tests.adapters.sandbox.sandbox_world import ALICE, BOB, STORE_GROUP, bot_for


def png_bytes(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_get_me_describes_the_registered_bot(bot):
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "shop_assistant_bot", True)


async def test_html_message_arrives_as_text_with_entities(bot, sandbox):
    sent = await bot.send_message(ALICE, "Stock <b>low</b> at <i>Store 1</i>", parse_mode=ParseMode.HTML)
    assert sent.text == "Stock low at Store 1"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 6, 3), ("italic", 13, 7)]
    assert sent.text_html == "Stock <b>low</b> at <i>Store 1</i>"
    assert sandbox.bot_messages(ALICE)[-1]["text"] == "Stock low at Store 1"


async def test_unbalanced_html_is_refused_like_telegram(bot):
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(ALICE, "<b>never closed", parse_mode=ParseMode.HTML)


async def test_sending_to_an_unknown_chat_says_chat_not_found(bot):
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(999999, "hello")


async def test_a_wrong_token_is_an_invalid_token(sandbox_url):
    with pytest.raises(InvalidToken):
        await bot_for(sandbox_url, "999:wrong").get_me()


async def test_an_unknown_method_is_not_found(bot):
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": ALICE})


async def test_a_person_who_blocked_the_bot_cannot_be_messaged(bot, sandbox):
    sandbox.block_bot(BOB)
    with pytest.raises(Forbidden, match="(?i)blocked by the user"):
        await bot.send_message(BOB, "promotion!")


async def test_inline_keyboard_and_reply_parameters_round_trip(bot, sandbox):
    question = await sandbox.send_text(ALICE, STORE_GROUP, "/transfer 5 milk")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Approve", callback_data="tr:1:ok")]])
    sent = await bot.send_message(
        STORE_GROUP,
        "Approve?",
        reply_markup=keyboard,
        reply_parameters=ReplyParameters(question["message_id"]),
    )
    assert sent.reply_markup == keyboard
    assert sent.reply_to_message.text == "/transfer 5 milk"


async def test_reply_keyboard_is_kept_for_the_chat_not_the_message(bot, sandbox):
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Share phone", request_contact=True)]])
    sent = await bot.send_message(ALICE, "Please share your phone", reply_markup=keyboard)
    assert sent.reply_markup is None
    assert sandbox.reply_keyboard(ALICE)["keyboard"][0][0]["request_contact"] is True


async def test_photo_upload_download_and_reuse_by_file_id(bot, sandbox):
    image = png_bytes(40, 30)
    first = await bot.send_photo(ALICE, image, caption="shelf 3")
    size = first.photo[-1]
    assert (size.width, size.height, first.caption) == (40, 30, "shelf 3")
    downloaded = await (await bot.get_file(size.file_id)).download_as_bytearray()
    assert bytes(downloaded) == image
    again = await bot.send_photo(STORE_GROUP, size.file_id)
    assert again.photo[-1].file_id == size.file_id


async def test_bytes_that_are_no_image_are_refused_as_a_photo(bot):
    with pytest.raises(BadRequest, match="(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(ALICE, b"not a picture")


async def test_document_upload_keeps_name_and_content(bot):
    data = b"sku,qty\n6901234567892,4\n"
    sent = await bot.send_document(ALICE, data, filename="count.csv", caption="count sheet")
    assert (sent.document.file_name, sent.document.mime_type) == ("count.csv", "text/csv")
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == data


async def test_editing_text_marks_the_message_edited_and_refuses_no_op_edits(bot, sandbox):
    sent = await bot.send_message(ALICE, "Counting…")
    edited = await bot.edit_message_text("Counted 12", chat_id=ALICE, message_id=sent.message_id)
    assert edited.text == "Counted 12" and edited.edit_date is not None
    assert sandbox.messages(ALICE)[-1]["edit_date"]
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("Counted 12", chat_id=ALICE, message_id=sent.message_id)


async def test_editing_markup_and_caption(bot):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Undo", callback_data="undo")]])
    photo = await bot.send_photo(ALICE, png_bytes(8, 8), caption="before", reply_markup=keyboard)
    without_buttons = await bot.edit_message_reply_markup(ALICE, photo.message_id, reply_markup=None)
    assert without_buttons.reply_markup is None
    recaptioned = await bot.edit_message_caption(ALICE, photo.message_id, caption="after")
    assert recaptioned.caption == "after"


async def test_deleted_messages_are_gone_and_cannot_be_deleted_twice(bot, sandbox):
    sent = await bot.send_message(ALICE, "temporary")
    assert await bot.delete_message(ALICE, sent.message_id) is True
    assert sent.message_id not in [m["message_id"] for m in sandbox.messages(ALICE)]
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(ALICE, sent.message_id)


async def test_callback_answers_are_recorded_once(bot, sandbox):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    sent = await bot.send_message(ALICE, "Confirm", reply_markup=keyboard)
    query_id = await sandbox.press_button(ALICE, ALICE, sent.message_id, "ok")
    assert await bot.answer_callback_query(query_id, text="Saved", show_alert=True)
    assert sandbox.callback_answer(query_id)["text"] == "Saved"
    assert sandbox.callback_answer(query_id)["show_alert"] is True
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_commands_are_kept_per_scope_and_language(bot):
    staff = [BotCommand("stock", "Look up stock"), BotCommand("count", "Start a count")]
    await bot.set_my_commands(staff, scope=BotCommandScopeChat(STORE_GROUP), language_code="en")
    await bot.set_my_commands([BotCommand("start", "Begin")])
    assert await bot.get_my_commands(scope=BotCommandScopeChat(STORE_GROUP), language_code="en") == tuple(
        staff
    )
    assert await bot.get_my_commands(scope=BotCommandScopeChat(STORE_GROUP)) == ()
    assert await bot.delete_my_commands(scope=BotCommandScopeDefault())
    assert await bot.get_my_commands() == ()


async def test_invalid_command_names_are_refused(bot):
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Stock-Check", "bad name")])


async def test_chat_info_and_staff_membership(bot):
    chat = await bot.get_chat(STORE_GROUP)
    assert (chat.title, chat.type) == ("Store 1 staff", "supergroup")
    assert (await bot.get_chat_member(STORE_GROUP, BOB)).status == "administrator"
    assert (await bot.get_chat_member(STORE_GROUP, ALICE)).status == "member"
    with pytest.raises(BadRequest, match="(?i)user not found"):
        await bot.get_chat_member(STORE_GROUP, 424242)


async def test_chat_action_and_menu_button_are_accepted(bot, sandbox):
    assert await bot.send_chat_action(ALICE, "typing")
    assert sandbox.state.chats[ALICE].last_action[0] == "typing"
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())


async def test_get_updates_returns_a_command_with_its_entity_and_acknowledges_by_offset(bot, sandbox):
    await sandbox.send_command(ALICE, STORE_GROUP, "stock", "6901234567892")
    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 1
    message = updates[0].message
    assert message.text == "/stock 6901234567892"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == len("/stock")
    assert message.from_user.language_code == "en" and message.chat.id == STORE_GROUP
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_get_updates_long_polls_until_something_happens(bot, sandbox):
    poll = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.2)
    await sandbox.send_text(BOB, BOB, "你好")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].message.text == "你好"


async def test_get_updates_conflicts_while_a_webhook_is_set(bot):
    await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook"
    with pytest.raises(Conflict, match="(?i)webhook is active"):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_group_administrators_are_the_staff_admins_and_the_bot(bot):
    admins = await bot.get_chat_administrators(STORE_GROUP)
    assert [(a.user.id, a.status) for a in admins] == [(BOB, "administrator"), (bot.id, "administrator")]
    assert (await bot.get_chat_member(STORE_GROUP, bot.id)).can_delete_messages is True
    assert await bot.get_chat_member_count(STORE_GROUP) == 3


async def test_pinning_needs_an_existing_message(bot, sandbox):
    sent = await bot.send_message(STORE_GROUP, "Count 7 in progress")
    assert await bot.pin_chat_message(STORE_GROUP, sent.message_id)
    assert sandbox.state.chats[STORE_GROUP].pinned_message_id == sent.message_id
    with pytest.raises(BadRequest, match="(?i)message to pin not found"):
        await bot.pin_chat_message(STORE_GROUP, 9999)
    assert await bot.unpin_chat_message(STORE_GROUP)
    assert sandbox.state.chats[STORE_GROUP].pinned_message_id is None
