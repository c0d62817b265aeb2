"""Sending, editing and deleting messages, with Telegram's limits and refusals."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .call import Call
from .errors import NOT_MODIFIED, bad_request, forbidden
from .formatting import parse_formatted, utf16_len
from .messages import (
    check_inline_keyboard,
    document_dict,
    photo_sizes,
    post_message,
    reply_target,
    store_document,
    store_photo,
)
from .params import Params, Upload
from .state import Chat, SandboxState, StoredFile

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


# --- sending ------------------------------------------------------------------------------------


def _formatted(p: Params, field: str, limit: int, too_long: str) -> tuple[str, list[dict[str, Any]] | None]:
    source = p.text(field, "") or ""
    text, entities = parse_formatted(source, p.text("parse_mode"))
    if not p.text("parse_mode"):
        entities = p.structure(f"{'caption_' if field == 'caption' else ''}entities")
    if utf16_len(text) > limit:
        raise bad_request(too_long)
    return text, entities or None


def _with_text(content: dict[str, Any], field: str, text: str, entities: list[dict[str, Any]] | None) -> None:
    if text:
        content[field] = text
    if entities:
        content["entities" if field == "text" else "caption_entities"] = entities


def _apply_reply_markup(chat: Chat, p: Params, content: dict[str, Any]) -> None:
    markup = p.structure("reply_markup")
    if not markup:
        return
    if "inline_keyboard" in markup:
        content["reply_markup"] = check_inline_keyboard(markup)
    elif "keyboard" in markup:
        chat.reply_keyboard = markup  # shown by clients under the input field, not in the message
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def _reply_to(chat: Chat, p: Params) -> dict[str, Any] | None:
    parameters = p.structure("reply_parameters") or {}
    message_id = parameters.get("message_id") or p.integer("reply_to_message_id")
    allow_missing = bool(parameters.get("allow_sending_without_reply")) or p.flag(
        "allow_sending_without_reply"
    )
    return reply_target(chat, int(message_id) if message_id else None, allow_missing)


def _open_chat(call: Call) -> Chat:
    chat = call.state.chat_for_bot(call.bot, call.params.require("chat_id"))
    if chat.is_private:
        person = call.state.people[chat.id]
        if person.has_blocked_bot:
            raise forbidden("bot was blocked by the user")
        if not chat.started:
            raise forbidden("bot can't initiate conversation with a user")
    return chat


def _send(call: Call, chat: Chat, method: str, content: dict[str, Any]) -> dict[str, Any]:
    reply_to = _reply_to(chat, call.params)
    _apply_reply_markup(chat, call.params, content)
    call.limiter.admit(chat.id, chat.is_private, method)
    return post_message(call.state, chat, call.bot.user_dict(), content, reply_to)


async def send_message(call: Call) -> dict[str, Any]:
    chat = _open_chat(call)
    text, entities = _formatted(call.params, "text", TEXT_LIMIT, "message is too long")
    if not text.strip():
        raise bad_request("message text is empty")
    content: dict[str, Any] = {}
    _with_text(content, "text", text, entities)
    return _send(call, chat, "sendMessage", content)


def _resolve_file(call: Call, field: str, store: Callable[[SandboxState, Upload], StoredFile]) -> StoredFile:
    given = call.params.file(field)
    if isinstance(given, Upload):
        return store(call.state, given)
    if not given:
        raise bad_request(f"there is no {field} in the request")
    stored = call.state.files.get(given)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


async def send_photo(call: Call) -> dict[str, Any]:
    chat = _open_chat(call)
    stored = _resolve_file(call, "photo", store_photo)
    if stored.width is None:
        raise bad_request("type of file mismatch")
    caption, entities = _formatted(call.params, "caption", CAPTION_LIMIT, "message caption is too long")
    content: dict[str, Any] = {"photo": photo_sizes(stored)}
    _with_text(content, "caption", caption, entities)
    return _send(call, chat, "sendPhoto", content)


async def send_document(call: Call) -> dict[str, Any]:
    chat = _open_chat(call)
    stored = _resolve_file(call, "document", store_document)
    caption, entities = _formatted(call.params, "caption", CAPTION_LIMIT, "message caption is too long")
    content: dict[str, Any] = {"document": document_dict(stored)}
    _with_text(content, "caption", caption, entities)
    return _send(call, chat, "sendDocument", content)


async def send_chat_action(call: Call) -> bool:
    chat = _open_chat(call)
    action = call.params.text("action", "")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.last_action = (action, time.time())
    call.state.touch(chat)
    return True


# --- editing and deleting -----------------------------------------------------------------------


def _bots_own_message(call: Call) -> tuple[Chat, dict[str, Any]]:
    if call.params.raw("inline_message_id"):
        raise bad_request("inline messages are not supported by the sandbox")
    chat = call.state.chat_for_bot(call.bot, call.params.require("chat_id"))
    message = chat.messages.get(call.params.integer("message_id") or 0)
    if message is None:
        raise bad_request("message to edit not found")
    if message["from"].get("id") != call.bot.id:
        raise bad_request("message can't be edited")
    return chat, message


def _replace_content(
    call: Call, chat: Chat, message: dict[str, Any], changes: dict[str, Any]
) -> dict[str, Any]:
    markup = call.params.structure("reply_markup")
    changes["reply_markup"] = check_inline_keyboard(markup) if markup else None
    if all(message.get(key) == value for key, value in changes.items()):
        raise bad_request(NOT_MODIFIED)
    for key, value in changes.items():
        if value:
            message[key] = value
        else:
            message.pop(key, None)
    message["edit_date"] = int(time.time())
    call.state.touch(chat)
    return message


async def edit_message_text(call: Call) -> dict[str, Any]:
    chat, message = _bots_own_message(call)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    text, entities = _formatted(call.params, "text", TEXT_LIMIT, "MESSAGE_TOO_LONG")
    if not text.strip():
        raise bad_request("message text is empty")
    return _replace_content(call, chat, message, {"text": text, "entities": entities})


async def edit_message_caption(call: Call) -> dict[str, Any]:
    chat, message = _bots_own_message(call)
    if "photo" not in message and "document" not in message:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = _formatted(call.params, "caption", CAPTION_LIMIT, "message caption is too long")
    return _replace_content(call, chat, message, {"caption": caption, "caption_entities": entities})


async def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    chat, message = _bots_own_message(call)
    return _replace_content(call, chat, message, {})


async def delete_message(call: Call) -> bool:
    chat = call.state.chat_for_bot(call.bot, call.params.require("chat_id"))
    message_id = call.params.integer("message_id") or 0
    if chat.messages.pop(message_id, None) is None:
        raise bad_request("message to delete not found")
    call.state.touch(chat)
    return True


async def pin_chat_message(call: Call) -> bool:
    chat = call.state.chat_for_bot(call.bot, call.params.require("chat_id"))
    message_id = call.params.integer("message_id") or 0
    if message_id not in chat.messages:
        raise bad_request("message to pin not found")
    chat.pinned_message_id = message_id
    call.state.touch(chat)
    return True


async def unpin_chat_message(call: Call) -> bool:
    chat = call.state.chat_for_bot(call.bot, call.params.require("chat_id"))
    chat.pinned_message_id = None
    call.state.touch(chat)
    return True
