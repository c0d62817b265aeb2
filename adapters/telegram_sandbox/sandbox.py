"""TelegramSandbox: the world plus a driver that acts as the people in it."""

from __future__ import annotations

import copy
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

from .faults import Fault, FaultPlan, RateLimits, SendLimiter
from .formatting import detect_entities
from .messages import document_dict, photo_sizes, post_message, reply_target, store_document, store_photo
from .notify import wait_until
from .params import Upload
from .sms import SmsGateway
from .smtp_sink import SmtpSink
from .state import BotAccount, Chat, InboxItem, Person, SandboxState

MessagePredicate = Callable[[dict[str, Any]], bool]


class TelegramSandbox:
    """An offline Telegram (plus SMS and email inboxes) that tests and the demo drive."""

    def __init__(self, *, enforce_rate_limits: bool = False, rate_limits: RateLimits | None = None) -> None:
        self.state = SandboxState()
        self.faults = FaultPlan()
        self.limiter = SendLimiter(rate_limits or RateLimits(), enforce_rate_limits)
        self.sms = SmsGateway(self.state, self.faults)
        self._smtp_sinks: list[SmtpSink] = []

    # --- building the world ----------------------------------------------------------------------

    def add_bot(
        self, token: str, username: str, first_name: str | None = None, privacy_mode: bool = False
    ) -> BotAccount:
        """Register a bot; its id is the token's numeric prefix, as in Telegram."""
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else zlib.crc32(token.encode())
        bot = BotAccount(token, bot_id, username, first_name or username, privacy_mode)
        self.state.bots[token] = bot
        for chat in self.state.chats.values():
            chat.bot_ids.add(bot.id)
        return bot

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "zh-hans",
        label: str | None = None,
        role: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        started: bool = True,
    ) -> Person:
        """Add a person and their private chat with the bot(s); `started=False` means they never pressed Start."""
        person = Person(user_id, first_name, username, last_name, language_code, label, role, phone, email)
        self.state.people[user_id] = person
        bot_ids = {bot.id for bot in self.state.bots.values()}
        self.state.chats[user_id] = Chat(user_id, "private", None, [user_id], bot_ids, started=started)
        return person

    def add_group(
        self,
        chat_id: int,
        title: str,
        member_ids: Iterable[int],
        *,
        admin_ids: Iterable[int] = (),
        owner_id: int | None = None,
        kind: str = "supergroup",
    ) -> Chat:
        """Add a group (chat_id negative, as in Telegram) with its members; every bot is in it."""
        bot_ids = {bot.id for bot in self.state.bots.values()}
        chat = Chat(chat_id, kind, title, list(member_ids), bot_ids, set(admin_ids), owner_id)
        self.state.chats[chat_id] = chat
        return chat

    def block_bot(self, user_id: int) -> None:
        """The person blocks the bot: further sends to them get 403."""
        self.state.person(user_id).has_blocked_bot = True

    # --- acting as a person ----------------------------------------------------------------------

    async def send_text(
        self, user_id: int, chat_id: int, text: str, reply_to_message_id: int | None = None
    ) -> dict[str, Any]:
        """The person types `text` in the chat; commands and mentions get their entities."""
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        return self._user_message(user_id, chat_id, content, reply_to_message_id)

    async def send_command(self, user_id: int, chat_id: int, command: str, args: str = "") -> dict[str, Any]:
        """Send `/command args`."""
        text = f"/{command.lstrip('/')}" + (f" {args}" if args else "")
        return await self.send_text(user_id, chat_id, text)

    async def send_photo(
        self, user_id: int, chat_id: int, image_bytes: bytes, caption: str | None = None
    ) -> dict[str, Any]:
        """The person sends a picture (must be a real image, like in Telegram)."""
        stored = store_photo(self.state, Upload("photo.jpg", "image/jpeg", image_bytes))
        content: dict[str, Any] = {"photo": photo_sizes(stored)}
        if caption:
            content["caption"] = caption
        return self._user_message(user_id, chat_id, content)

    async def send_document(
        self, user_id: int, chat_id: int, data: bytes, filename: str, mime_type: str
    ) -> dict[str, Any]:
        """The person sends a file."""
        stored = store_document(self.state, Upload(filename, mime_type, data))
        return self._user_message(user_id, chat_id, {"document": document_dict(stored)})

    async def share_contact(self, user_id: int, chat_id: int, phone_number: str) -> dict[str, Any]:
        """The person shares their own contact card (the request_contact button)."""
        person = self.state.person(user_id)
        contact = {"phone_number": phone_number, "first_name": person.first_name, "user_id": user_id}
        if person.last_name:
            contact["last_name"] = person.last_name
        return self._user_message(user_id, chat_id, {"contact": contact})

    async def press_button(self, user_id: int, chat_id: int, message_id: int, callback_data: str) -> str:
        """The person taps an inline button of a bot message; returns the callback query id."""
        chat = self._member_chat(user_id, chat_id)
        message = chat.messages.get(message_id) or {}
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        if not any(button.get("callback_data") == callback_data for row in rows for button in row):
            raise ValueError(
                f"message {message_id} in chat {chat_id} has no button with data {callback_data!r}"
            )
        bot = self.state.bot_by_id(message["from"]["id"])
        query = self.state.new_callback(bot, user_id, chat_id, message_id, callback_data)
        payload = {
            "id": query.id,
            "from": self.state.person(user_id).user_dict(),
            "message": copy.deepcopy(message),
            "chat_instance": str(zlib.crc32(f"{bot.id}:{chat_id}".encode())),
            "data": callback_data,
        }
        bot.updates.push("callback_query", payload)
        return query.id

    def _member_chat(self, user_id: int, chat_id: int) -> Chat:
        chat = self.state.chats.get(chat_id)
        if chat is None or user_id not in chat.member_ids:
            raise ValueError(f"user {user_id} is not in chat {chat_id}")
        return chat

    def _user_message(
        self, user_id: int, chat_id: int, content: dict[str, Any], reply_to_message_id: int | None = None
    ) -> dict[str, Any]:
        chat = self._member_chat(user_id, chat_id)
        person = self.state.person(user_id)
        reply_to = reply_target(chat, reply_to_message_id)
        if chat.is_private:
            chat.started = True
            person.has_blocked_bot = False
        message = post_message(self.state, chat, person.user_dict(), content, reply_to)
        for bot_id in chat.bot_ids:
            bot = self.state.bot_by_id(bot_id)
            if self._bot_sees(bot, chat, message):
                bot.updates.push("message", copy.deepcopy(message))
        return message

    @staticmethod
    def _bot_sees(bot: BotAccount, chat: Chat, message: dict[str, Any]) -> bool:
        """Privacy mode: in groups the bot only gets commands, replies to it and mentions of it."""
        if chat.is_private or not bot.privacy_mode:
            return True
        text = message.get("text", "")
        replied = message.get("reply_to_message", {}).get("from", {}).get("id")
        return text.startswith("/") or replied == bot.id or f"@{bot.username}" in text

    # --- reading what happened -----------------------------------------------------------------

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message still in the chat, oldest first."""
        return list(self.state.chats[chat_id].messages.values())

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Only the messages bots sent to the chat."""
        return [m for m in self.messages(chat_id) if m["from"].get("is_bot")]

    async def wait_for_bot_message(
        self,
        chat_id: int,
        predicate: MessagePredicate | None = None,
        timeout: float = 5,
        after_message_id: int | None = None,
    ) -> dict[str, Any]:
        """The first bot message in the chat (after `after_message_id`) that satisfies `predicate`."""

        def probe() -> dict[str, Any] | None:
            # Newest first, stopping at `after_message_id`: a long chat must not make each wait O(history).
            found = None
            for message in reversed(self.state.chats[chat_id].messages.values()):
                if after_message_id is not None and message["message_id"] <= after_message_id:
                    break
                if message["from"].get("is_bot") and (predicate is None or predicate(message)):
                    found = message
            return found

        found = await wait_until(self.state.changed, probe, timeout)
        if found is None:
            seen = [m.get("text") or m.get("caption") for m in self.messages(chat_id)[-5:]]
            raise TimeoutError(f"no matching bot message in chat {chat_id} within {timeout}s; last: {seen}")
        return found

    def callback_answer(self, callback_query_id: str) -> dict[str, Any] | None:
        """What the bot answered to a button press (text, show_alert, url, cache_time), or None yet."""
        return self.state.callbacks[callback_query_id].answer

    async def wait_for_callback_answer(self, callback_query_id: str, timeout: float = 5) -> dict[str, Any]:
        """Wait until the bot answers a button press."""
        found = await wait_until(self.state.changed, lambda: self.callback_answer(callback_query_id), timeout)
        if found is None:
            raise TimeoutError(f"callback query {callback_query_id} not answered within {timeout}s")
        return found

    def reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The reply keyboard the bot last put under the chat's input field."""
        return self.state.chats[chat_id].reply_keyboard

    def inbox(self, address: str) -> list[InboxItem]:
        """SMS and emails to or from a phone number or email address."""
        wanted = address.strip().lower()
        return [item for item in self.state.inbox if item.address.lower() == wanted]

    def inbox_of(self, user_id: int) -> list[InboxItem]:
        """Everything in a person's phone and mailbox, oldest first."""
        person = self.state.person(user_id)
        addresses = {a.lower() for a in (person.phone, person.email) if a}
        return [item for item in self.state.inbox if item.address.lower() in addresses]

    async def wait_for_inbox(
        self, address: str, predicate: Callable[[InboxItem], bool] | None = None, timeout: float = 5
    ) -> InboxItem:
        """The first inbox item for `address` satisfying `predicate`."""

        def probe() -> InboxItem | None:
            return next((i for i in self.inbox(address) if predicate is None or predicate(i)), None)

        found = await wait_until(self.state.changed, probe, timeout)
        if found is None:
            raise TimeoutError(f"nothing for {address} arrived within {timeout}s")
        return found

    # --- faults, SMS, email, shutdown ------------------------------------------------------------

    def inject_error(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Make the next `times` calls of a Bot API method ('*' for any, 'sms' for the Twilio endpoint) fail."""
        self.faults.add(Fault(method.lower(), status, retry_after, times, delay, description))

    def inject_delay(self, method: str, seconds: float, times: int = 1) -> None:
        """Make the next `times` calls of a method answer (normally) only after `seconds`."""
        self.faults.add(Fault(method.lower(), None, 0, times, seconds))

    def configure_sms(
        self, account_sid: str, auth_token: str, number: str, inbound_url: str | None = None
    ) -> None:
        """Set the Twilio account the SMS endpoint accepts and where inbound SMS are posted."""
        self.sms.configure(account_sid, auth_token, number, inbound_url)

    async def sms_reply(self, from_phone: str, body: str) -> int:
        """A person texts `body` to our number; returns the inbound webhook's HTTP status."""
        return await self.sms.reply(from_phone, body)

    async def start_smtp_sink(self, host: str = "127.0.0.1", port: int = 0) -> SmtpSink:
        """Listen for SMTP on host:port (0 picks a free port) and file mail into inboxes."""
        sink = await SmtpSink.start(self.state, host, port)
        self._smtp_sinks.append(sink)
        return sink

    def release_waiters(self) -> None:
        """Let every long poll (getUpdates, the page) answer at once; for server shutdown."""
        self.state.shutting_down = True
        for bot in self.state.bots.values():
            bot.updates.release()
        self.state.changed.fire()

    async def close(self) -> None:
        """Stop webhook deliveries, SMS callbacks and SMTP sinks."""
        self.release_waiters()
        for bot in self.state.bots.values():
            await bot.updates.stop()
        await self.sms.close()
        for sink in self._smtp_sinks:
            await sink.close()
        self._smtp_sinks.clear()


SANDBOX_KEY = web.AppKey("telegram_sandbox", TelegramSandbox)
