"""A tiny PTB echo bot: the stand-in for our assistant in sandbox tests."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.adapters.sandbox.sandbox_world import TOKEN


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeat the text, with a button to confirm."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Confirm", callback_data="confirm")]])
    await update.effective_message.reply_html(
        f"echo: <b>{update.effective_message.text}</b>", reply_markup=keyboard
    )


async def stock(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer /stock with the SKU asked for."""
    await update.effective_message.reply_text(f"stock of {' '.join(context.args)}: 12")


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge the press, then replace the question."""
    await update.callback_query.answer("Confirmed")
    await update.callback_query.edit_message_text("confirmed ✔")


def sandbox_builder(sandbox_url: str) -> ApplicationBuilder:
    """An Application builder pointed at the sandbox instead of api.telegram.org."""
    return (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{sandbox_url}/bot")
        .base_file_url(f"{sandbox_url}/file/bot")
    )


def with_handlers(application: Application) -> Application:
    application.add_handler(CommandHandler("stock", stock))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(CallbackQueryHandler(confirm, pattern="^confirm$"))
    return application


def echo_application(sandbox_url: str) -> Application:
    return with_handlers(sandbox_builder(sandbox_url).build())
