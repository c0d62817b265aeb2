"""JSON endpoints behind the browser chat page (/sandbox/api/...)."""

from __future__ import annotations

import dataclasses
import time
from typing import Any
from urllib.parse import quote

from aiohttp import web

from .commands import visible_commands
from .errors import ApiError
from .sandbox import SANDBOX_KEY, TelegramSandbox
from .state import Chat

LONG_POLL_SECONDS = 20.0
PRESS_ANSWER_WAIT = 3.0
PAGE_MESSAGES = 200  # a phone screen never needs more; keeps long-poll answers small


def add_routes(app: web.Application) -> None:
    app.router.add_get("/sandbox/api/identities", identities)
    app.router.add_get("/sandbox/api/chats", chats)
    app.router.add_get("/sandbox/api/messages", messages)
    app.router.add_post("/sandbox/api/send", send)
    app.router.add_post("/sandbox/api/press", press)
    app.router.add_post("/sandbox/api/upload", upload)
    app.router.add_post("/sandbox/api/contact", contact)
    app.router.add_get("/sandbox/api/inbox", inbox)
    app.router.add_post("/sandbox/api/sms_reply", sms_reply)
    app.router.add_get("/sandbox/api/file/{file_id}", file)


def _sandbox(request: web.Request) -> TelegramSandbox:
    return request.app[SANDBOX_KEY]


def _int(source: Any, name: str) -> int:
    try:
        return int(source[name])
    except (KeyError, TypeError, ValueError):
        raise web.HTTPBadRequest(text=f"{name} must be an integer") from None


async def identities(request: web.Request) -> web.Response:
    """Every person the page can act as."""
    people = _sandbox(request).state.people.values()
    return web.json_response([dataclasses.asdict(p) for p in people])


async def chats(request: web.Request) -> web.Response:
    """The chats a person is in: their private chat with the bot, then groups."""
    sandbox = _sandbox(request)
    user_id = _int(request.query, "user_id")
    bots = list(sandbox.state.bots.values())
    listed = []
    for chat in sorted(sandbox.state.chats_of(user_id), key=lambda c: (not c.is_private, c.title or "")):
        title = chat.title or (bots[0].first_name if bots else "bot")
        listed.append({"id": chat.id, "type": chat.type, "title": title})
    return web.json_response(listed)


async def messages(request: web.Request) -> web.Response:
    """The conversation; with `since=<revision>` waits until something newer happens."""
    sandbox = _sandbox(request)
    chat = _chat(sandbox, request.query)
    user_id = _int(request.query, "user_id")
    since = int(request.query.get("since", "-1"))
    deadline = time.monotonic() + LONG_POLL_SECONDS
    while chat.revision <= since and time.monotonic() < deadline and not sandbox.state.shutting_down:
        await sandbox.state.changed.wait(deadline - time.monotonic())
    return web.json_response(_conversation(sandbox, chat, user_id))


def _chat(sandbox: TelegramSandbox, source: Any) -> Chat:
    chat = sandbox.state.chats.get(_int(source, "chat_id"))
    if chat is None:
        raise web.HTTPNotFound(text="no such chat")
    return chat


def _conversation(sandbox: TelegramSandbox, chat: Chat, user_id: int) -> dict[str, Any]:
    person = sandbox.state.people.get(user_id)
    bots = [sandbox.state.bot_by_id(bot_id) for bot_id in chat.bot_ids]
    commands = (
        visible_commands(bots[0], chat, user_id, person.language_code if person else None) if bots else []
    )
    action = chat.last_action[0] if chat.last_action and time.time() - chat.last_action[1] < 5 else None
    return {
        "revision": chat.revision,
        "messages": [_message_view(m, user_id) for m in list(chat.messages.values())[-PAGE_MESSAGES:]],
        "pinned": chat.pinned_message_id,
        "reply_keyboard": chat.reply_keyboard,
        "commands": commands,
        "action": action,
        "is_private": chat.is_private,
    }


def _message_view(message: dict[str, Any], user_id: int) -> dict[str, Any]:
    sender = message["from"]
    view = {
        "id": message["message_id"],
        "mine": sender["id"] == user_id,
        "is_bot": sender.get("is_bot", False),
        "sender": " ".join(filter(None, (sender.get("first_name"), sender.get("last_name")))),
        "date": message["date"],
        "edited": "edit_date" in message,
        "text": message.get("text") or message.get("caption") or "",
        "entities": message.get("entities") or message.get("caption_entities") or [],
        "buttons": (message.get("reply_markup") or {}).get("inline_keyboard", []),
        "contact": message.get("contact"),
    }
    if "photo" in message:
        view["photo_url"] = f"/sandbox/api/file/{message['photo'][-1]['file_id']}"
    if "document" in message:
        document = message["document"]
        view["document"] = {
            "name": document.get("file_name", "file"),
            "size": document.get("file_size", 0),
            "url": f"/sandbox/api/file/{document['file_id']}",
        }
    if "reply_to_message" in message:
        replied = message["reply_to_message"]
        view["reply_to"] = {"sender": replied["from"].get("first_name"), "text": replied.get("text", "")[:80]}
    return view


async def _act(action: Any) -> web.Response:
    try:
        return web.json_response(await action)
    except (ValueError, KeyError, ApiError) as problem:
        return web.json_response({"error": str(problem)}, status=400)


async def send(request: web.Request) -> web.Response:
    body = await request.json()
    sandbox = _sandbox(request)
    text = str(body.get("text", "")).strip()
    if not text:
        return web.json_response({"error": "empty message"}, status=400)
    return await _act(sandbox.send_text(_int(body, "user_id"), _int(body, "chat_id"), text))


async def press(request: web.Request) -> web.Response:
    """Tap a button, then wait briefly for the bot's answer so the page can show its toast or alert."""
    body = await request.json()
    sandbox = _sandbox(request)
    try:
        query_id = await sandbox.press_button(
            _int(body, "user_id"), _int(body, "chat_id"), _int(body, "message_id"), str(body.get("data"))
        )
    except ValueError as problem:
        return web.json_response({"error": str(problem)}, status=400)
    try:
        answer = await sandbox.wait_for_callback_answer(query_id, PRESS_ANSWER_WAIT)
    except TimeoutError:
        answer = None
    return web.json_response({"callback_query_id": query_id, "answer": answer})


async def upload(request: web.Request) -> web.Response:
    """A picture becomes a photo message, anything else a document."""
    sandbox = _sandbox(request)
    fields: dict[str, Any] = {}
    reader = await request.multipart()
    async for part in reader:
        if part.filename:
            fields["file"] = (part.filename, part.headers.get("Content-Type", ""), bytes(await part.read()))
        elif part.name:
            fields[part.name] = await part.text()
    if "file" not in fields:
        return web.json_response({"error": "no file"}, status=400)
    user_id, chat_id = _int(fields, "user_id"), _int(fields, "chat_id")
    name, content_type, data = fields["file"]
    if content_type.startswith("image/"):
        action = sandbox.send_photo(user_id, chat_id, data, caption=fields.get("caption") or None)
    else:
        action = sandbox.send_document(
            user_id, chat_id, data, name, content_type or "application/octet-stream"
        )
    return await _act(action)


async def contact(request: web.Request) -> web.Response:
    body = await request.json()
    sandbox = _sandbox(request)
    person = sandbox.state.people.get(_int(body, "user_id"))
    if person is None or not person.phone:
        return web.json_response({"error": "this identity has no phone number"}, status=400)
    return await _act(sandbox.share_contact(person.id, _int(body, "chat_id"), person.phone))


async def inbox(request: web.Request) -> web.Response:
    """SMS and emails of one identity, newest first."""
    sandbox = _sandbox(request)
    items = sandbox.inbox_of(_int(request.query, "user_id"))
    return web.json_response([dataclasses.asdict(item) for item in reversed(items)])


async def sms_reply(request: web.Request) -> web.Response:
    body = await request.json()
    sandbox = _sandbox(request)
    person = sandbox.state.people.get(_int(body, "user_id"))
    if person is None or not person.phone:
        return web.json_response({"error": "this identity has no phone number"}, status=400)
    try:
        status = await sandbox.sms_reply(person.phone, str(body.get("body", "")))
    except (RuntimeError, ConnectionError) as problem:
        return web.json_response({"error": str(problem)}, status=400)
    return web.json_response({"status": status})


async def file(request: web.Request) -> web.StreamResponse:
    stored = _sandbox(request).state.files.get(request.match_info["file_id"])
    if stored is None:
        raise web.HTTPNotFound()
    headers = {}
    if stored.file_name:
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stored.file_name)}"
    return web.Response(body=stored.data, content_type=stored.mime_type, headers=headers)
