"""Where plain text and button presses go: one parser each, one table of destinations."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Update

from bot.callbacks import Button, CallbackSigner
from bot.context import BotContext
from bot.people import current_staff
from bot.replies import reply, text_of
from domain.staff import StaffMember

log = logging.getLogger(__name__)
MAX_TEXT = 2000

ButtonAction = Callable[[Update, BotContext, Button], Awaitable[None]]
# An interpreter returns True when it understood (and answered) the text.
TextInterpreter = Callable[[Update, BotContext, StaffMember, str], Awaitable[bool]]


class Router:
    def __init__(self) -> None:
        self.buttons: dict[str, ButtonAction] = {}
        self.interpreters: list[TextInterpreter] = []
        # Who answers text from someone who is not staff, in a private chat (the member flow).
        self.private_visitor: Callable[[Update, BotContext], Awaitable[None]] | None = None

    def on_button(self, action: str, handler: ButtonAction) -> None:
        self.buttons[action] = handler

    def on_text(self, interpreter: TextInterpreter) -> None:
        self.interpreters.append(interpreter)

    async def handle_button(self, update: Update, context: BotContext) -> None:
        """Check the button's signature, acknowledge the press, then act."""
        query = update.callback_query
        if query is None:
            return
        signer: CallbackSigner = context.bot_data["signer"]
        button = signer.unpack(query.data or "")
        handler = self.buttons.get(button.action) if button else None
        if button is None or handler is None:
            log.warning("refused button press %r from user %s", query.data, update.effective_user.id if update.effective_user else None)
            await query.answer(text_of(update, context, "button_invalid"), show_alert=True)
            return
        await query.answer()
        await handler(update, context, button)

    async def handle_text(self, update: Update, context: BotContext) -> None:
        """Plain text: count entries, a barcode or SKU, or a hint to use /help."""
        message = update.effective_message
        text = (message.text or "") if message else ""
        if len(text) > MAX_TEXT:
            await reply(update, context, "too_long", limit=MAX_TEXT)
            return
        private = update.effective_chat is not None and update.effective_chat.type == "private"
        staff = await current_staff(update, context, refuse=not (private and self.private_visitor))
        if staff is None:
            if private and self.private_visitor:
                await self.private_visitor(update, context)
            return
        for interpreter in self.interpreters:
            if await interpreter(update, context, staff, text.strip()):
                return
        await reply(update, context, "not_understood")
