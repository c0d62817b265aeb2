"""/start, /help, /lang, and answers for anything the bot does not understand."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from adapters.templates import LANGUAGES
from bot.context import BotContext
from bot.people import current_staff
from bot.replies import reply
from domain.services.members import choose_language
from domain.staff import Permission

# Commands each permission unlocks, in the order /help lists them.
COMMANDS_BY_PERMISSION: list[tuple[str, Permission | None]] = [
    ("stock", Permission.LOOKUP),
    ("transfer", Permission.REQUEST_TRANSFER),
    ("transfers", Permission.REQUEST_TRANSFER),
    ("receive", Permission.HANDLE_TRANSFER),
    ("count", Permission.COUNT),
    ("done", Permission.COUNT),
    ("undo", None),
    ("campaign", Permission.MANAGE_CAMPAIGNS),
    ("digest", Permission.SEE_REPORTS),
    ("plan", Permission.APPROVE_TRANSFER),
    ("why", Permission.LOOKUP),
    ("settings", Permission.SEE_REPORTS),
    ("outbox", Permission.MANAGE_OUTBOX),
    ("link", Permission.LINK_GROUP),
    ("staff", Permission.MANAGE_STAFF),
    ("lang", None),
    ("help", None),
]


def commands_for(permissions: frozenset[Permission]) -> list[str]:
    return [name for name, needed in COMMANDS_BY_PERMISSION if needed is None or needed in permissions]


async def help_command(update: Update, context: BotContext) -> None:
    """List what this person's role can do."""
    staff = await current_staff(update, context)
    if staff is None:
        return
    await reply(update, context, "help", role=staff.role.value, commands=commands_for(staff.permissions()))


async def lang_command(update: Update, context: BotContext) -> None:
    """Set this chat's language: /lang zh or /lang en."""
    choice = (context.args[0].lower() if context.args else "")[:5]
    chat = update.effective_chat
    if choice not in LANGUAGES or chat is None:
        await reply(update, context, "lang_usage", languages=list(LANGUAGES))
        return

    user = update.effective_user
    member_id = user.id if user is not None and chat.type == ChatType.PRIVATE else None
    await context.services.write(lambda unit: choose_language(unit, chat.id, choice, member_id))
    context.services.languages[chat.id] = choice
    await reply(update, context, "lang_set", language=choice)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command we do not have: say so and point at /help."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    await reply(update, context, "unknown_command", command=text.split()[0][:32] if text else "")


async def unsupported_message(update: Update, context: BotContext) -> None:
    """Stickers, voice notes, locations...: never silence."""
    await reply(update, context, "unsupported_message")
