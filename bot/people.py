"""Who is talking, and where: staff resolution, the chat's store, and explaining refusals."""

from __future__ import annotations

import logging
import time

from telegram import Update

from adapters.templates import TEMPLATES_DIR
from bot.context import BotContext
from bot.replies import language_of, reply
from domain.errors import DomainError
from domain.staff import StaffMember

log = logging.getLogger(__name__)


async def current_staff(update: Update, context: BotContext, *, refuse: bool = True) -> StaffMember | None:
    """The member of staff behind the update, or None after a polite refusal (and a log line)."""
    user = update.effective_user
    if user is None:
        return None
    staff = await _staff(context, user.id)
    if staff is not None and staff.active:
        return staff
    if not refuse:
        return None
    chat_id = update.effective_chat.id if update.effective_chat else None
    log.warning("refused user %s in chat %s: not registered as staff", user.id, chat_id)
    await reply(update, context, "unknown_user", user_id=user.id)
    return None


CHAT_STORE_TTL_SECONDS = 60.0
STAFF_TTL_SECONDS = 10.0


async def _staff(context: BotContext, user_id: int) -> StaffMember | None:
    """Who this is, remembered for a few seconds: every message needs it, roles change rarely.

    /staff add in this process forgets the cache at once; elsewhere a change
    takes effect within STAFF_TTL_SECONDS.
    """
    cache = context.services.staff_cache
    cached = cache.get(user_id)
    if cached is not None and time.monotonic() - cached[0] < STAFF_TTL_SECONDS:
        return cached[1]
    staff = await context.services.lookup(lambda unit: unit.staff.get(user_id))
    cache[user_id] = (time.monotonic(), staff)
    return staff


async def store_of_chat(update: Update, context: BotContext, staff: StaffMember) -> str | None:
    """The store a group is linked to; in a private chat, the person's home location.

    Links change rarely (/link updates this process at once), and every
    lookup needs this, so it is remembered for a minute.
    """
    chat = update.effective_chat
    if chat is not None and chat.type != "private":
        cache = context.services.chat_stores
        cached = cache.get(chat.id)
        if cached is None or time.monotonic() - cached[0] > CHAT_STORE_TTL_SECONDS:
            location = await context.services.lookup(lambda unit: unit.locations.by_chat(chat.id))
            cached = (time.monotonic(), location.code if location else None)
            cache[chat.id] = cached
        if cached[1] is not None:
            return cached[1]
    return staff.home


async def explain(update: Update, context: BotContext, error: DomainError) -> None:
    """Tell the person why the domain said no, in their language."""
    lang = language_of(update, context)
    specific = TEMPLATES_DIR / "bot" / "errors" / f"{error.code}.{lang}.j2"
    template = f"errors/{error.code}" if specific.exists() else "errors/generic"
    facts = {key: value for key, value in error.facts.items()}
    await reply(update, context, template, code=error.code, facts=facts)
