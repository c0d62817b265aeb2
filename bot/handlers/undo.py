"""/undo: reverse the person's last action within a few minutes, where that is safe."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.context import BotContext
from bot.people import current_staff, explain
from bot.replies import reply
from bot.routing import Router
from domain.errors import DomainError
from domain.services.undo import undo_last


async def undo_command(update: Update, context: BotContext) -> None:
    staff = await current_staff(update, context)
    if staff is None:
        return
    services = context.services
    window = timedelta(minutes=services.settings.undo_window_minutes)
    try:
        undone = await services.write(lambda unit: undo_last(unit, staff, services.clock(), window))
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    await reply(update, context, undone.template, **undone.facts)


def register(application: Application, router: Router) -> None:
    application.add_handler(CommandHandler("undo", undo_command))
