"""Everything the sandbox remembers: bots, people, chats, messages, files, callbacks, inboxes.

Messages are stored as the very Bot API JSON objects that are returned to
the bot, so what a test reads is what PTB parsed.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request, forbidden
from .notify import Changed
from .updates import UpdateQueue


@dataclass
class BotAccount:
    """A bot known by its token; `privacy_mode` hides plain group chatter from it like Telegram does."""

    token: str
    id: int
    username: str
    first_name: str
    privacy_mode: bool = False
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    # (canonical scope JSON, language_code) -> list of {"command", "description"}
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    menu_button: dict[str, Any] | None = None

    def user_dict(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def me(self) -> dict[str, Any]:
        return {
            **self.user_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class Person:
    """A human demo identity: a Telegram user who may also own a phone and a mailbox."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "zh-hans"
    label: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None
    has_blocked_bot: bool = False

    def user_dict(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user


@dataclass
class Chat:
    """A private chat (id == the person's id) or a group with members and one message history."""

    id: int
    type: str
    title: str | None
    member_ids: list[int]
    bot_ids: set[int]
    admin_ids: set[int] = field(default_factory=set)
    owner_id: int | None = None
    started: bool = True
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None
    pinned_message_id: int | None = None
    last_action: tuple[str, float] | None = None
    revision: int = 0
    _next_message_id: int = 1

    def take_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    @property
    def is_private(self) -> bool:
        return self.type == "private"


@dataclass
class StoredFile:
    """Bytes uploaded by a bot or a person, downloadable through getFile's file_path."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    mime_type: str
    file_name: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass
class CallbackQuery:
    """A button press and, once the bot calls answerCallbackQuery, its answer."""

    id: str
    bot_id: int
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: dict[str, Any] | None = None


@dataclass
class InboxItem:
    """An SMS or email that reached (direction 'in') or left (direction 'out') a demo identity."""

    id: int
    kind: str  # "sms" or "email"
    direction: str
    address: str  # the identity's phone or email this belongs to
    sender: str
    recipient: str
    at: float
    body: str = ""
    subject: str | None = None
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: str | None = None
    sid: str | None = None


class SandboxState:
    """The in-memory world; the Bot API, the driver and the page all read and change it."""

    def __init__(self) -> None:
        self.bots: dict[str, BotAccount] = {}
        self.people: dict[int, Person] = {}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackQuery] = {}
        self.inbox: list[InboxItem] = []
        self.changed = Changed()
        self.shutting_down = False
        self._file_numbers = itertools.count(1)
        self._callback_numbers = itertools.count(1)
        self._inbox_numbers = itertools.count(1)

    # --- lookups -------------------------------------------------------------------------

    def bot_by_id(self, bot_id: int) -> BotAccount:
        return next(bot for bot in self.bots.values() if bot.id == bot_id)

    def person(self, user_id: int) -> Person:
        if user_id not in self.people:
            raise KeyError(f"no sandbox user {user_id}")
        return self.people[user_id]

    def chat_for_bot(self, bot: BotAccount, chat_id: Any) -> Chat:
        """The chat a bot addresses, with Telegram's 400/403 answers when it may not."""
        try:
            chat = self.chats[int(chat_id)]
        except (KeyError, TypeError, ValueError):
            raise bad_request("chat not found") from None
        if bot.id not in chat.bot_ids:
            if chat.is_private:
                raise bad_request("chat not found")
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def chat_dict(self, chat: Chat) -> dict[str, Any]:
        if chat.is_private:
            person = self.people[chat.id]
            data: dict[str, Any] = {"id": chat.id, "type": "private", "first_name": person.first_name}
            for key in ("last_name", "username"):
                if getattr(person, key):
                    data[key] = getattr(person, key)
            return data
        return {"id": chat.id, "type": chat.type, "title": chat.title}

    def chats_of(self, user_id: int) -> list[Chat]:
        return [chat for chat in self.chats.values() if user_id in chat.member_ids]

    # --- changes -------------------------------------------------------------------------

    def touch(self, chat: Chat) -> None:
        """Record that a chat changed so page long-polls and test waiters wake up."""
        chat.revision += 1
        self.changed.fire()

    def store_file(
        self, data: bytes, folder: str, extension: str, mime_type: str, **details: Any
    ) -> StoredFile:
        number = next(self._file_numbers)
        stored = StoredFile(
            file_id=f"{folder[:2].upper()}AC{number:04d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQAD{number:04d}{secrets.token_hex(3)}",
            data=data,
            file_path=f"{folder}/file_{number}{extension}",
            mime_type=mime_type,
            **details,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    def new_callback(
        self, bot: BotAccount, user_id: int, chat_id: int, message_id: int, data: str
    ) -> CallbackQuery:
        query = CallbackQuery(
            f"{bot.id}{next(self._callback_numbers):06d}", bot.id, user_id, chat_id, message_id, data
        )
        self.callbacks[query.id] = query
        return query

    def add_inbox_item(self, **fields: Any) -> InboxItem:
        item = InboxItem(id=next(self._inbox_numbers), at=time.time(), **fields)
        self.inbox.append(item)
        self.changed.fire()
        return item

    def person_by_address(self, address: str) -> Person | None:
        wanted = address.strip().lower()
        return next(
            (p for p in self.people.values() if wanted in ((p.phone or "").lower(), (p.email or "").lower())),
            None,
        )
