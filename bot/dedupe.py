"""The same update delivered twice (a webhook retry, a replay) is handled once."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext

SCOPE = "tg_update"


async def drop_duplicate_updates(update: Update, context: BotContext) -> None:
    key = f"{context.bot.id}:{update.update_id}"
    services = context.services

    def claim(unit) -> bool:  # type: ignore[no-untyped-def]
        first = unit.processed.claim(SCOPE, key, services.clock())
        unit.commit()
        return first

    if not await services.write(claim):
        raise ApplicationHandlerStop
