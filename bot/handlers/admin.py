"""/staff add and /link: admins grant access, managers bind their store's group."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.people import current_staff, explain
from bot.replies import reply
from domain.errors import DomainError
from domain.services.staff_admin import add_staff, link_group


async def staff_command(update: Update, context: BotContext) -> None:
    """/staff add <telegram_user_id> <role> <location>"""
    actor = await current_staff(update, context)
    if actor is None:
        return
    args = context.args or []
    if len(args) != 4 or args[0] != "add" or not args[1].isdigit() or len(args[1]) > 15:
        await reply(update, context, "staff_usage")
        return
    user_id, role, location = int(args[1]), args[2].lower()[:16], args[3].upper()[:32]
    try:
        person = await context.services.write(lambda unit: add_staff(unit, actor, user_id, role, location))
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    context.services.staff_cache.pop(user_id, None)
    await reply(update, context, "staff_added", person=person, location=location)


async def link_command(update: Update, context: BotContext) -> None:
    """/link <location_code> in a group: this group now speaks for that store."""
    actor = await current_staff(update, context)
    if actor is None:
        return
    chat = update.effective_chat
    if chat is None or chat.type == "private":
        await reply(update, context, "link_in_group_only")
        return
    if len(context.args or []) != 1:
        await reply(update, context, "link_usage")
        return
    code = context.args[0].upper()[:32]
    try:
        await context.services.write(lambda unit: link_group(unit, actor, chat.id, code))
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    context.services.chat_stores.clear()  # a group may have moved from one store to another
    await reply(update, context, "linked", location=code)
