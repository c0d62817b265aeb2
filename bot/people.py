"""Who is talking, and where: staff resolution, the chat's store, and explaining refusals."""

from __future__ import annotations

import logging

from telegram import Update

from adapters.templates import TEMPLATES_DIR
from bot.context import BotContext
from bot.replies import language_of, reply
from domain.errors import DomainError
from domain.staff import StaffMember

log = logging.getLogger(__name__)


async def current_staff(update: Update, context: BotContext) -> StaffMember | None:
    """The member of staff behind the update, or None after a polite refusal (and a log line)."""
    user = update.effective_user
    if user is None:
        return None
    staff = await context.services.read(lambda unit: unit.staff.get(user.id))
    if staff is not None and staff.active:
        return staff
    chat_id = update.effective_chat.id if update.effective_chat else None
    log.warning("refused user %s in chat %s: not registered as staff", user.id, chat_id)
    await reply(update, context, "unknown_user", user_id=user.id)
    return None


async def store_of_chat(update: Update, context: BotContext, staff: StaffMember) -> str | None:
    """The store a group is linked to; in a private chat, the person's home location."""
    chat = update.effective_chat
    if chat is not None and chat.type != "private":
        location = await context.services.read(lambda unit: unit.locations.by_chat(chat.id))
        if location is not None:
            return location.code
    return staff.home


async def explain(update: Update, context: BotContext, error: DomainError) -> None:
    """Tell the person why the domain said no, in their language."""
    lang = language_of(update, context)
    specific = TEMPLATES_DIR / "bot" / "errors" / f"{error.code}.{lang}.j2"
    template = f"errors/{error.code}" if specific.exists() else "errors/generic"
    facts = {key: value for key, value in error.facts.items()}
    await reply(update, context, template, code=error.code, facts=facts)
