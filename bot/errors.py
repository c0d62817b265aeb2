"""The one error handler: log the internal error with its update id, tell the person plainly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter

from bot.context import BotContext
from bot.replies import reply

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    if isinstance(error, Forbidden):
        log.info("update %s: the bot may not write to this chat (%s)", update_id, error)
        return
    if isinstance(error, (NetworkError, RetryAfter)):
        log.warning("update %s: Telegram unreachable or rate limited: %s", update_id, error)
    else:
        log.error("update %s failed", update_id, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await reply(update, context, "internal_error", update_id=update_id or 0)
        except Exception:  # noqa: BLE001 - the apology itself failing must not loop
            log.exception("update %s: could not send the apology", update_id)
