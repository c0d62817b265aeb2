"""Turning results into messages: every text comes from a template, in the chat's language."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ParseMode

from adapters.templates import normalise_language, render
from bot.context import BotContext

MAX_MESSAGE_CHARS = 4000  # Telegram refuses more than 4096


def language_of(update: Update, context: BotContext) -> str:
    """The chat's /lang choice, else the person's Telegram language."""
    chat = update.effective_chat
    if chat is not None and chat.id in context.services.languages:
        return context.services.languages[chat.id]
    user = update.effective_user
    return normalise_language(user.language_code if user else None)


async def chat_language(context: BotContext, chat_id: int) -> str:
    """Another chat's /lang choice (cached, else stored), else the default: for telling a chat something."""
    services = context.services
    if chat_id not in services.languages:
        stored = await services.read(lambda unit: unit.chat_settings.language(chat_id))
        if stored:
            services.languages[chat_id] = stored
    return normalise_language(services.languages.get(chat_id))


def text_of(update: Update, context: BotContext, template: str, **facts: object) -> str:
    return render(f"bot/{template}", language_of(update, context), html=True, **facts)[:MAX_MESSAGE_CHARS]


def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    """Rows of (label, callback data) pairs."""
    built = [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows if row]
    return InlineKeyboardMarkup(built) if built else None


def label(update: Update, context: BotContext, name: str, **facts: object) -> str:
    """A button label from templates/bot/buttons/<name>."""
    return render(f"bot/buttons/{name}", language_of(update, context), **facts)


async def reply(
    update: Update,
    context: BotContext,
    template: str,
    *,
    buttons: InlineKeyboardMarkup | None = None,
    **facts: object,
) -> None:
    """Answer in the chat the update came from."""
    chat = update.effective_chat
    if chat is None:
        return
    # In a busy group, answering as a reply keeps each answer next to its question.
    asked = update.message.message_id if update.message else None
    await context.bot.send_message(
        chat.id,
        text_of(update, context, template, **facts),
        parse_mode=ParseMode.HTML,
        reply_markup=buttons,
        disable_web_page_preview=True,
        reply_parameters=ReplyParameters(asked, allow_sending_without_reply=True) if asked else None,
    )


async def send_to_chat(
    context: BotContext, chat_id: int, lang: str, template: str, buttons: InlineKeyboardMarkup | None = None, **facts: object
) -> None:
    """Tell another chat (a store group, a manager) about something."""
    await context.bot.send_message(
        chat_id,
        render(f"bot/{template}", lang, html=True, **facts)[:MAX_MESSAGE_CHARS],
        parse_mode=ParseMode.HTML,
        reply_markup=buttons,
        disable_web_page_preview=True,
    )
