"""The same update delivered twice (a webhook retry, a replay) is handled once.

Anything that may change state claims the update in the database first, so a
replay has one effect even after a restart or on another instance. Commands
that only read (a product card) are remembered in memory instead: the claim
was a write transaction per message, the busiest message only reads, and a
card answered twice after a restart changes nothing.
"""

from __future__ import annotations

from telegram import MessageEntity, Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext

SCOPE = "tg_update"
READ_ONLY_COMMANDS = frozenset({"stock"})


async def drop_duplicate_updates(update: Update, context: BotContext) -> None:
    key = f"{context.bot.id}:{update.update_id}"
    services = context.services
    if _only_reads(update):
        if not services.recent_updates.first_time(key):
            raise ApplicationHandlerStop
        return

    def claim(unit) -> bool:  # type: ignore[no-untyped-def]
        first = unit.processed.claim(SCOPE, key, services.clock())
        unit.commit()
        return first

    if not await services.write(claim):
        raise ApplicationHandlerStop


def _only_reads(update: Update) -> bool:
    """A new message that is one of the read-only commands (as PTB's CommandHandler would match it)."""
    message = update.message
    if message is None or not message.text or not message.entities:
        return False
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return False
    command = message.text[1 : first.length].split("@", 1)[0].lower()
    return command in READ_ONLY_COMMANDS
