"""Telegram through our own bot: HTML text, photos for charts, edits of earlier messages, signed buttons."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from adapters.gateways import render_message as render
from bot.callbacks import CallbackSigner
from notifications.message import Channel, DeliveryFailed, Notification, Outgoing, Sent


class TelegramGateway:
    channel = Channel.TELEGRAM

    def __init__(self, bot: Bot, signer: CallbackSigner) -> None:
        self._bot = bot
        self._signer = signer

    async def send(self, outgoing: Outgoing) -> Sent:
        note = outgoing.notification
        text = render(f"notifications/{note.event}/telegram", note.lang, html=True, **note.facts)
        markup = self._keyboard(note)
        try:
            if outgoing.edits is not None:
                return await self._edit(outgoing.edits, text, markup)
            if note.image is not None:
                message = await self._bot.send_photo(
                    int(note.address),
                    note.image,
                    caption=text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
                return Sent(chat_id=message.chat_id, message_id=message.message_id, as_photo=True)
            message = await self._bot.send_message(
                int(note.address), text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
            return Sent(chat_id=message.chat_id, message_id=message.message_id)
        except TelegramError as error:
            raise _failure(error) from error

    async def _edit(
        self, edits: tuple[int, int, bool], text: str, markup: InlineKeyboardMarkup | None
    ) -> Sent:
        chat_id, message_id, photo = edits
        try:
            if photo:
                result = await self._bot.edit_message_caption(
                    chat_id, message_id, caption=text, parse_mode=ParseMode.HTML, reply_markup=markup
                )
            else:
                result = await self._bot.edit_message_text(
                    text, chat_id, message_id, parse_mode=ParseMode.HTML, reply_markup=markup
                )
        except BadRequest as error:
            # Pressing "snooze" twice renders the same text: Telegram refuses, the chat already shows it.
            if "not modified" not in error.message.lower():
                raise
            result = None
        message_id = result.message_id if isinstance(result, Message) else message_id
        return Sent(chat_id=chat_id, message_id=message_id, as_photo=photo)

    def _keyboard(self, note: Notification) -> InlineKeyboardMarkup | None:
        if not note.buttons:
            return None
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        render(f"notifications/buttons/{button.label}", note.lang),
                        callback_data=self._signer.pack(button.action, *button.args),
                    )
                    for button in row
                ]
                for row in note.buttons
            ]
        )


def _failure(error: TelegramError) -> DeliveryFailed:
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that the int will become a timedelta; we take both
            warnings.simplefilter("ignore")
            wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return DeliveryFailed(f"telegram flood control: {error}", retry_after=seconds, counted=False)
    if isinstance(error, Forbidden | BadRequest):
        return DeliveryFailed(f"telegram refused: {error.message}", permanent=True)
    if isinstance(error, NetworkError):  # timeouts and 5xx
        return DeliveryFailed(f"telegram unavailable: {error.message}", counted=False)
    return DeliveryFailed(f"telegram error: {error}")
