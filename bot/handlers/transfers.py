"""Transfers in chat: /transfer, the card's "Request transfer" button, approvals, shipping, receipt.

Every step goes through a domain service (which checks roles and lets the state
machine refuse a second identical step), then `_announce` tells both locations'
groups and edits the earlier messages of the transfer so their buttons cannot be
pressed again. The messages carrying a transfer's buttons are remembered in
`bot_data` (lost on restart: a stale button is then refused by the state machine
and its message refreshed when pressed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from adapters.templates import render
from bot.callbacks import Button, CallbackSigner
from bot.context import BotContext
from bot.people import current_staff, explain, store_of_chat
from bot.replies import MAX_MESSAGE_CHARS, chat_language, keyboard, language_of, reply
from bot.routing import Router
from domain.errors import DomainError, InvalidQuantity, InvalidTransition, NotFound
from domain.services import transfers as service
from domain.services.transfers import TransferNews
from domain.staff import StaffMember
from domain.transfers import TransferState

log = logging.getLogger(__name__)

QUANTITY_CHOICES = (1, 6, 12, 24)
PENDING_MINUTES = 10
PROMPT_SCOPE = "transfer_prompt"  # a quantity prompt answers once, however often it is pressed
FROM_WORDS = ("from", "从")


@dataclass(slots=True, frozen=True)
class Pending:
    """What a plain number from this person in this chat means next."""

    kind: str  # "quantity" (of `subject` = SKU) or "received" (of `subject` = transfer id)
    subject: str
    until: datetime


# -- commands ---------------------------------------------------------------------------------


async def transfer_command(update: Update, context: BotContext) -> None:
    """/transfer <sku> <qty> [from <location>]."""
    staff = await current_staff(update, context)
    if staff is None:
        return
    words = list(context.args or [])
    if len(words) == 4 and words[2].lower() in FROM_WORDS:
        words = [*words[:2], words[3]]
    if len(words) not in (2, 3):
        await reply(update, context, "transfers/usage")
        return
    source = words[2].upper() if len(words) == 3 else None
    await _request(update, context, staff, words[0].upper(), words[1], source)


async def receive_command(update: Update, context: BotContext) -> None:
    """/receive <transfer id> <qty arrived>: the typed alternative to the Received buttons."""
    staff = await current_staff(update, context)
    if staff is None:
        return
    words = context.args or []
    if len(words) != 2 or not words[0].lstrip("#").isdecimal():
        await reply(update, context, "transfers/receive_usage")
        return
    await _receive(update, context, staff, int(words[0].lstrip("#")), words[1])


async def transfers_command(update: Update, context: BotContext) -> None:
    """/transfers: what is under way into and out of this store, with state and age."""
    staff = await current_staff(update, context)
    if staff is None:
        return
    here = await store_of_chat(update, context, staff)
    if here is None:
        await explain(update, context, DomainError("no_store_here"))
        return
    services = context.services
    try:
        listed = await services.read(lambda unit: service.open_transfers(unit, staff, here, services.clock()))
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    await reply(update, context, "transfers/list", store=here, open=listed)


# -- requesting -------------------------------------------------------------------------------


async def on_request_button(update: Update, context: BotContext, button: Button) -> None:
    """The card's "Request transfer": offer quantities, or take a typed number."""
    staff = await current_staff(update, context)
    if staff is None:
        return
    sku = button.arg(0)
    here = await store_of_chat(update, context, staff)
    product = await context.services.read(lambda unit: unit.catalog.get(sku))
    if product is None or here is None:
        await explain(update, context, NotFound("unknown_sku", sku=sku) if product is None else DomainError("no_store_here"))
        return
    row = _quantity_row(context, language_of(update, context), sku, product.pack_size)
    _remember_pending(update, context, Pending("quantity", sku, _later(context)))
    await reply(update, context, "transfers/ask_quantity", product=product, store=here, buttons=keyboard([row]))


def _quantity_row(context: BotContext, lang: str, sku: str, pack_size: int) -> list[tuple[str, str]]:
    """Buttons 1 / 6 / 12 / 24 and a whole pack, smallest first."""
    signer: CallbackSigner = context.bot_data["signer"]
    row = []
    for qty in sorted({*QUANTITY_CHOICES, pack_size}):
        text = _label(lang, "transfer_pack", qty=qty) if qty == pack_size and qty > 1 else str(qty)
        row.append((text, signer.pack("tq", sku, qty)))
    return row


async def on_quantity_button(update: Update, context: BotContext, button: Button) -> None:
    """A quantity chosen: the request goes to the proposed source; the prompt answers only once."""
    staff = await current_staff(update, context)
    if staff is None:
        return
    _forget_pending(update, context)
    message = update.effective_message
    claim = f"{message.chat_id}:{message.message_id}" if message else None
    await _request(update, context, staff, button.arg(0), button.arg(1), None, claim=claim)


async def _request(
    update: Update, context: BotContext, staff: StaffMember, sku: str, qty_text: str, source: str | None, claim: str | None = None
) -> None:
    services = context.services
    here = await store_of_chat(update, context, staff)
    now = services.clock()

    def run(unit) -> TransferNews:  # type: ignore[no-untyped-def]
        if claim is not None and not unit.processed.claim(PROMPT_SCOPE, claim, now):
            raise DomainError("transfer_prompt_used")
        return service.request_transfer(unit, staff, sku, parse_quantity(qty_text), here, source, now)

    news = await _act(update, context, run)
    if news is None:
        return
    prompt = update.effective_message
    if claim is not None and prompt is not None:  # the prompt shows what became of it, without its buttons
        await _edit(context, prompt.chat_id, prompt.message_id, language_of(update, context), news)
    await _announce_request(update, context, news)


def parse_quantity(text: str) -> int:
    """Whole units typed by a person: digits only (the domain checks the range)."""
    cleaned = text.strip()
    if not cleaned.isdecimal() or len(cleaned) > 9:
        raise InvalidQuantity(quantity=cleaned[:12])
    return int(cleaned)


# -- the steps after a request ----------------------------------------------------------------


async def on_approve(update: Update, context: BotContext, button: Button) -> None:
    await _step(update, context, button, service.approve_transfer)


async def on_reject(update: Update, context: BotContext, button: Button) -> None:
    await _step(update, context, button, service.reject_transfer)


async def on_cancel(update: Update, context: BotContext, button: Button) -> None:
    await _step(update, context, button, service.cancel_transfer)


async def on_shipped(update: Update, context: BotContext, button: Button) -> None:
    await _step(update, context, button, service.ship_transfer)


async def on_all_arrived(update: Update, context: BotContext, button: Button) -> None:
    """Everything shipped arrived (the button carries the shipped quantity)."""
    staff = await current_staff(update, context)
    if staff is not None:
        await _receive(update, context, staff, int(button.arg(0)), button.arg(1))


async def on_fewer_arrived(update: Update, context: BotContext, button: Button) -> None:
    """Ask for the number that did arrive; the person's next number in this chat answers it."""
    staff = await current_staff(update, context)
    if staff is None:
        return
    transfer = await context.services.read(lambda unit: unit.transfers.get(int(button.arg(0))))
    if transfer is None or transfer.state is not TransferState.SHIPPED:
        state = transfer.state.value if transfer else ""
        await explain(update, context, InvalidTransition(transfer_id=int(button.arg(0)), state=state))
        await _refresh(update, context, int(button.arg(0)))
        return
    _remember_pending(update, context, Pending("received", str(transfer.id), _later(context)))
    await reply(update, context, "transfers/ask_received", t=transfer)


async def _step(update: Update, context: BotContext, button: Button, action) -> None:  # type: ignore[no-untyped-def]
    staff = await current_staff(update, context)
    if staff is None:
        return
    transfer_id, services = int(button.arg(0)), context.services
    news = await _act(update, context, lambda unit: action(unit, staff, transfer_id, services.clock()),
                      refresh=transfer_id)
    if news is not None:
        await _announce(update, context, news)


async def _receive(update: Update, context: BotContext, staff: StaffMember, transfer_id: int, qty_text: str) -> None:
    services = context.services

    def run(unit) -> TransferNews:  # type: ignore[no-untyped-def]
        return service.receive_transfer(unit, staff, transfer_id, parse_quantity(qty_text), services.clock())

    news = await _act(update, context, run, refresh=transfer_id)
    if news is not None:
        await _announce(update, context, news)


async def _act(update: Update, context: BotContext, run, refresh: int | None = None) -> TransferNews | None:  # type: ignore[no-untyped-def]
    """Run the service; a refusal is explained, and a stale button's message shows the current state."""
    try:
        return await context.services.write(run)
    except DomainError as refusal:
        await explain(update, context, refusal)
        if isinstance(refusal, InvalidTransition) and refresh is not None:
            await _refresh(update, context, refresh)
        return None


# -- plain numbers after a prompt -------------------------------------------------------------


async def pending_interpreter(update: Update, context: BotContext, staff: StaffMember, text: str) -> bool:
    """A number answering this person's open prompt here (quantity to request, or units arrived)."""
    pending = _forget_pending(update, context)
    if pending is None or pending.until < context.services.clock():
        return False
    if pending.kind == "quantity":
        await _request(update, context, staff, pending.subject, text, None)
    else:
        await _receive(update, context, staff, int(pending.subject), text)
    return True


def _pending_key(update: Update) -> str:
    return f"transfer_pending:{update.effective_user.id if update.effective_user else 0}"


def _remember_pending(update: Update, context: BotContext, pending: Pending) -> None:
    if context.chat_data is not None:
        context.chat_data[_pending_key(update)] = pending


def _forget_pending(update: Update, context: BotContext) -> Pending | None:
    return context.chat_data.pop(_pending_key(update), None) if context.chat_data is not None else None


def _later(context: BotContext) -> datetime:
    return context.services.clock() + timedelta(minutes=PENDING_MINUTES)


# -- telling people ---------------------------------------------------------------------------


async def _announce_request(update: Update, context: BotContext, news: TransferNews) -> None:
    """The requester's confirmation; the source group and its approvers get Approve / Reject."""
    signer: CallbackSigner = context.bot_data["signer"]
    t, chat = news.transfer, update.effective_chat
    here_lang = language_of(update, context)
    cancel = keyboard([[(_label(here_lang, "transfer_cancel"), signer.pack("tcx", t.id))]])
    sent = await context.bot.send_message(
        chat.id, _text(here_lang, "transfers/requested", news), parse_mode=ParseMode.HTML, reply_markup=cancel
    )
    await _track(context, t.id, sent.chat_id, sent.message_id, here_lang)
    decide = [("transfer_approve", "tap"), ("transfer_reject", "trj")]
    approvers = [m.telegram_user_id for m in news.managers]
    for chat_id in dict.fromkeys(c for c in [news.source.chat_id, *approvers] if c is not None and c != chat.id):
        await announce_transfer(context, chat_id, "transfers/request", news, decide)
    if news.destination.chat_id not in (None, chat.id):
        await announce_transfer(context, news.destination.chat_id, "transfers/news", news, [])


async def _announce(update: Update, context: BotContext, news: TransferNews) -> None:
    """A state change: stale buttons go, both groups hear of it, the next step gets its buttons."""
    t = news.transfer
    pressed = update.effective_message if update.callback_query else None
    stale = await context.services.write(lambda unit: _take_messages(unit, t.id))
    if pressed is not None and all(m[:2] != (pressed.chat_id, pressed.message_id) for m in stale):
        stale.append((pressed.chat_id, pressed.message_id, language_of(update, context)))
    for chat_id, message_id, lang in stale:
        await _edit(context, chat_id, message_id, lang, news)
    source_side, destination_side = _next_buttons(t.state)
    source_chats = [news.source.chat_id] if news.source.chat_id else await _approver_chats(context, news.source.code)
    destination_chats = [news.destination.chat_id] if news.destination.chat_id else [service.requester_id(t)]
    for chat_id in dict.fromkeys(c for c in source_chats if c is not None):
        await announce_transfer(context, chat_id, "transfers/news", news, source_side)
    for chat_id in dict.fromkeys(c for c in destination_chats if c is not None and c not in source_chats):
        await announce_transfer(context, chat_id, "transfers/news", news, destination_side)
    for manager in news.managers:  # a shortfall: both stores' managers, privately
        await announce_transfer(context, manager.telegram_user_id, "transfers/shortfall", news, [])


def _next_buttons(state: TransferState) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(label template, action) pairs for the source's and the destination's next step."""
    if state is TransferState.APPROVED:
        return [("transfer_shipped", "tsh")], [("transfer_cancel", "tcx")]
    if state is TransferState.SHIPPED:
        return [], [("transfer_all_arrived", "tra"), ("transfer_fewer_arrived", "trf")]
    return [], []


async def _approver_chats(context: BotContext, location_code: str) -> list[int]:
    people = await context.services.read(lambda unit: service.approvers_of(unit, location_code))
    return [p.telegram_user_id for p in people]


async def announce_transfer(context: BotContext, chat_id: int, template: str, news: TransferNews, actions: list[tuple[str, str]]) -> None:
    """One message about the transfer to one chat, in that chat's language; buttons are remembered."""
    lang = await chat_language(context, chat_id)
    signer: CallbackSigner = context.bot_data["signer"]
    t = news.transfer
    row = [(_label(lang, name, qty=t.shipped_qty), _pack(signer, action, t.id, t.shipped_qty)) for name, action in actions]
    try:
        sent = await context.bot.send_message(
            chat_id, _text(lang, template, news), parse_mode=ParseMode.HTML, reply_markup=keyboard([row])
        )
    except TelegramError as error:  # one unreachable manager must not stop the others hearing
        log.warning("transfer %s: could not tell chat %s: %s", t.id, chat_id, error)
        return
    if row:
        await _track(context, t.id, chat_id, sent.message_id, lang)


def _pack(signer: CallbackSigner, action: str, transfer_id: int, shipped: int) -> str:
    return signer.pack(action, transfer_id, shipped) if action == "tra" else signer.pack(action, transfer_id)


async def _edit(context: BotContext, chat_id: int, message_id: int, lang: str, news: TransferNews) -> None:
    """Show the transfer's state in an earlier message and take its buttons away."""
    try:
        await context.bot.edit_message_text(
            _text(lang, "transfers/status", news), chat_id, message_id, parse_mode=ParseMode.HTML, reply_markup=None
        )
    except TelegramError as error:  # already edited, or deleted by someone: nothing left to do
        log.debug("transfer %s: message %s/%s not edited: %s", news.transfer.id, chat_id, message_id, error)


async def _refresh(update: Update, context: BotContext, transfer_id: int) -> None:
    """A pressed button whose step is past: the message shows where the transfer is now."""
    message = update.effective_message if update.callback_query else None
    if message is None:
        return

    def load(unit) -> TransferNews | None:  # type: ignore[no-untyped-def]
        t = unit.transfers.get(transfer_id)
        if t is None:
            return None
        return TransferNews(t, unit.catalog.get(t.sku), unit.locations.get(t.from_code), unit.locations.get(t.to_code), None)

    news = await context.services.read(load)
    if news is not None:
        await _edit(context, message.chat_id, message.message_id, language_of(update, context), news)


async def _track(context: BotContext, transfer_id: int, chat_id: int, message_id: int, lang: str) -> None:
    """Remember a message with buttons, so the next step takes them away (in the database: a restart
    between two steps must not leave live buttons behind)."""

    def remember(unit) -> None:  # type: ignore[no-untyped-def]
        unit.transfers.remember_message(transfer_id, chat_id, message_id, lang)
        unit.commit()

    await context.services.write(remember)


def _take_messages(unit, transfer_id: int) -> list[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    messages = unit.transfers.take_messages(transfer_id)
    unit.commit()
    return messages


def _text(lang: str, template: str, news: TransferNews) -> str:
    facts = {"t": news.transfer, "product": news.product, "source": news.source, "destination": news.destination,
             "actor": news.actor, "proposal": news.proposal}
    return render(f"bot/{template}", lang, html=True, **facts)[:MAX_MESSAGE_CHARS]


def _label(lang: str, name: str, **facts: object) -> str:
    return render(f"bot/buttons/{name}", lang, **facts)


def register(application: Application, router: Router) -> None:
    """Adds the transfers commands, buttons and text interpreters."""
    for name, callback in {"transfer": transfer_command, "transfers": transfers_command, "receive": receive_command}.items():
        application.add_handler(CommandHandler(name, callback))
    for action, handler in {
        "trq": on_request_button,
        "tq": on_quantity_button,
        "tap": on_approve,
        "trj": on_reject,
        "tcx": on_cancel,
        "tsh": on_shipped,
        "tra": on_all_arrived,
        "trf": on_fewer_arrived,
    }.items():
        router.on_button(action, handler)
    router.on_text(pending_interpreter)
