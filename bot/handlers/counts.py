"""Stock counts in chat: /count, entries typed, scanned or pressed, /done, and the managers' decision.

Staff get a blind sheet (names, never the book); entries are 'sku qty' lines or
barcodes, recorded through `domain.services.counts`, which also checks who may
do what. The variance report goes privately to the store's managers with
Approve / Recount; the store's group hears the outcome.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from adapters.templates import render
from bot.callbacks import Button, CallbackSigner
from bot.context import BotContext
from bot.people import current_staff, explain, store_of_chat
from bot.replies import MAX_MESSAGE_CHARS, chat_language, keyboard, label, reply
from bot.routing import Router
from domain.barcodes import looks_like_barcode
from domain.errors import DomainError
from domain.services import counts as service
from domain.services.counts import CountDecided, CountReport, EntriesRecorded, EntryLine, read_entry_lines
from domain.staff import Permission, StaffMember

log = logging.getLogger(__name__)

ADD_CHOICES = (1, 6, 12)
ADD_BUTTON_ITEMS = 3  # rows of +1/+6/+12 under an answer; more would bury the chat
PENDING_MINUTES = 10
CANCEL_WORDS = ("cancel", "取消")


@dataclass(slots=True, frozen=True)
class AskedQuantity:
    """A scanned code waiting for this person's next number in this chat."""

    count_id: int
    code: str
    until: datetime


# -- commands ---------------------------------------------------------------------------------


async def count_command(update: Update, context: BotContext) -> None:
    """/count [category] starts a blind count of this chat's store; /count cancel abandons it."""
    staff = await current_staff(update, context)
    here = await _store(update, context, staff) if staff else None
    if staff is None or here is None:
        return
    words = context.args or []
    if words and words[0].lower() in CANCEL_WORDS:
        await _cancel(update, context, staff, here)
        return
    services = context.services
    category = " ".join(words)[:64].strip() or None
    progress = await services.read(lambda unit: service.count_progress(unit, here))
    try:
        if progress is not None:
            sheet = await services.read(lambda unit: service.count_sheet(unit, staff, here, 0))
        else:
            sheet = await services.write(
                lambda unit: service.open_count(unit, staff, here, category, services.clock())
            )
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    await _send_sheet(update, context, sheet, opened=progress is None)


async def done_command(update: Update, context: BotContext) -> None:
    """/done: submit the count; the managers get the variance report."""
    staff = await current_staff(update, context)
    here = await _store(update, context, staff) if staff else None
    if staff is None or here is None:
        return
    services = context.services
    try:
        report = await services.write(
            lambda unit: service.submit_count(
                unit, staff, here, services.settings.count_variance, services.clock()
            )
        )
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    await reply(update, context, "counts/submitted", report=report)
    await _send_report(context, report)


async def _cancel(update: Update, context: BotContext, staff: StaffMember, here: str) -> None:
    services = context.services
    try:
        decided = await services.write(lambda unit: service.cancel_count(unit, staff, here))
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    await reply(update, context, "counts/cancelled", decided=decided)
    await _tell_store(update, context, decided, "counts/cancelled")


# -- the sheet --------------------------------------------------------------------------------


async def on_sheet_button(update: Update, context: BotContext, button: Button) -> None:
    """Next page of the items to count."""
    staff = await current_staff(update, context)
    here = await _store(update, context, staff) if staff else None
    if staff is None or here is None:
        return
    count_id, page = int(button.arg(0)), int(button.arg(1))
    try:
        sheet = await context.services.read(
            lambda unit: service.count_sheet(unit, staff, here, page, count_id)
        )
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    await _send_sheet(update, context, sheet, opened=False)


async def _send_sheet(
    update: Update, context: BotContext, sheet: service.CountSheet, *, opened: bool
) -> None:
    buttons = None
    if sheet.page + 1 < sheet.pages:
        signer: CallbackSigner = context.bot_data["signer"]
        data = signer.pack("csh", sheet.progress.count_id, sheet.page + 1)
        buttons = keyboard(
            [[(label(update, context, "count_next_page", page=sheet.page + 2, pages=sheet.pages), data)]]
        )
    await reply(update, context, "counts/sheet", sheet=sheet, opened=opened, buttons=buttons)


# -- entries ----------------------------------------------------------------------------------


async def entries_interpreter(update: Update, context: BotContext, staff: StaffMember, text: str) -> bool:
    """While this store counts: 'sku qty' lines, a barcode or SKU alone, or the number a scan asked for."""
    here = await store_of_chat(update, context, staff)
    if here is None or not staff.can(Permission.COUNT, here):
        return False
    services = context.services
    count_id = await services.read(lambda unit: service.counting_at(unit, here))
    asked = _take_asked(update, context)
    if count_id is None:
        return False
    if (
        asked is not None
        and asked.count_id == count_id
        and asked.until >= services.clock()
        and _is_number(text)
    ):
        await record(update, context, staff, here, read_entry_lines(f"{asked.code} {text}"))
        return True
    lines = read_entry_lines(text)
    if not await _looks_like_entries(context, lines):
        return False
    if services.settings.count_asks_quantity and len(lines) == 1 and lines[0].is_scan:
        await _ask_quantity(update, context, count_id, lines[0])
    else:
        await record(update, context, staff, here, lines)
    return True


async def record(
    update: Update,
    context: BotContext,
    staff: StaffMember,
    here: str,
    lines: list[EntryLine],
    count_id: int | None = None,
) -> EntriesRecorded | None:
    """Record the lines and answer with what was counted (and the running totals) and what was refused."""
    services = context.services
    try:
        result = await services.write(
            lambda unit: service.record_count_entries(
                unit, staff, here, lines, services.clock(), count_id=count_id
            )
        )
    except DomainError as refusal:
        await explain(update, context, refusal)
        return None
    skus = list(dict.fromkeys(entry.sku for entry in result.recorded))
    await reply(
        update,
        context,
        "counts/recorded",
        result=result,
        buttons=_add_buttons(update, context, result.count_id, skus),
    )
    return result


async def count_scanned(
    update: Update, context: BotContext, staff: StaffMember, here: str, skus_units: list[tuple[str, int]]
) -> bool:
    """Decoded barcodes from a photo count when this store is counting; False when it is not."""
    if not staff.can(Permission.COUNT, here):
        return False
    if await context.services.read(lambda unit: service.counting_at(unit, here)) is None:
        return False
    lines = [EntryLine(sku, sku, units) for sku, units in skus_units]
    return await record(update, context, staff, here, lines) is not None


async def on_add_button(update: Update, context: BotContext, button: Button) -> None:
    """+1 / +6 / +12 under an item: that many more units of it, into the count the button was made for."""
    staff = await current_staff(update, context)
    here = await _store(update, context, staff) if staff else None
    if staff is None or here is None:
        return
    count_id, sku, qty = int(button.arg(0)), button.arg(1), int(button.arg(2))
    await record(update, context, staff, here, [EntryLine(f"{sku} {qty}", sku, qty)], count_id=count_id)


async def _ask_quantity(update: Update, context: BotContext, count_id: int, line: EntryLine) -> None:
    try:
        product, per_code = await context.services.read(lambda unit: service.identify_code(unit, line.code))
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    until = context.services.clock() + timedelta(minutes=PENDING_MINUTES)
    if context.chat_data is not None:
        context.chat_data[_asked_key(update)] = AskedQuantity(count_id, line.code, until)
    buttons = _add_buttons(update, context, count_id, [product.sku])
    await reply(update, context, "counts/ask_quantity", product=product, per_code=per_code, buttons=buttons)


def _take_asked(update: Update, context: BotContext) -> AskedQuantity | None:
    """The open question, if any; asked once, it is gone whatever the answer."""
    return context.chat_data.pop(_asked_key(update), None) if context.chat_data is not None else None


def _asked_key(update: Update) -> str:
    return f"count_asked:{update.effective_user.id if update.effective_user else 0}"


def _is_number(text: str) -> bool:
    lines = read_entry_lines(text)
    return (
        len(lines) == 1
        and lines[0].is_scan
        and lines[0].code.isdigit()
        and not looks_like_barcode(lines[0].code)
    )


async def _looks_like_entries(context: BotContext, lines: list[EntryLine]) -> bool:
    """Entries have a number, a barcode, or a code the catalogue knows; 'ok thanks' is not an entry."""
    if any(line.numeric or (line.is_scan and looks_like_barcode(line.code)) for line in lines):
        return True
    codes = [line.code for line in lines if line.code]
    if not codes:
        return False
    return await context.services.read(
        lambda unit: any(unit.catalog.get(c) or unit.catalog.get(c.upper()) for c in codes)
    )


def _add_buttons(
    update: Update, context: BotContext, count_id: int, skus: list[str]
) -> InlineKeyboardMarkup | None:
    """+1 / +6 / +12 rows under the first few items of an answer."""
    signer: CallbackSigner = context.bot_data["signer"]
    rows = []
    for sku in skus[:ADD_BUTTON_ITEMS]:
        try:
            rows.append(
                [
                    (
                        label(
                            update, context, "count_add", sku=sku if qty == ADD_CHOICES[0] else "", qty=qty
                        ),
                        signer.pack("cad", count_id, sku, qty),
                    )
                    for qty in ADD_CHOICES
                ]
            )
        except ValueError:  # a SKU too long for Telegram's 64-byte button data: typing still works
            continue
    return keyboard(rows)


# -- the managers' decision -------------------------------------------------------------------


async def on_approve(update: Update, context: BotContext, button: Button) -> None:
    """Approve: the adjustments are posted once, however often and by however many it is pressed."""
    await _decide(update, context, button, service.approve_count, "counts/approved")


async def on_recount(update: Update, context: BotContext, button: Button) -> None:
    """Recount: the flagged lines go back to staff, from zero."""
    await _decide(update, context, button, service.request_recount, "counts/recount")


async def _decide(update: Update, context: BotContext, button: Button, action, template: str) -> None:  # type: ignore[no-untyped-def]
    staff = await current_staff(update, context)
    if staff is None:
        return
    count_id, services = int(button.arg(0)), context.services
    try:
        decided = await services.write(
            lambda unit: action(unit, staff, count_id, services.settings.count_variance, services.clock())
        )
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    await _take_buttons_away(update)
    await reply(update, context, template, decided=decided)
    await _tell_store(update, context, decided, template)


async def _take_buttons_away(update: Update) -> None:
    query = update.callback_query
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError as error:  # already gone (a double press): nothing left to do
        log.debug("count buttons not removed: %s", error)


# -- telling people ---------------------------------------------------------------------------


async def _send_report(context: BotContext, report: CountReport) -> None:
    """The variance report, privately to each of the store's approvers, with Approve / Recount."""
    signer: CallbackSigner = context.bot_data["signer"]
    for chat_id in report.approvers:
        lang = await chat_language(context, chat_id)
        approve = "count_approve_after_recount" if report.needs_recount else "count_approve"
        buttons = keyboard(
            [
                [
                    (render(f"bot/buttons/{approve}", lang), signer.pack("cap", report.count_id)),
                    (render("bot/buttons/count_recount", lang), signer.pack("crc", report.count_id)),
                ]
            ]
        )
        text = render("bot/counts/report", lang, html=True, report=report)[:MAX_MESSAGE_CHARS]
        try:
            await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=buttons)
        except TelegramError as error:  # one unreachable manager must not stop the others hearing
            log.warning("count %s: could not send the report to %s: %s", report.count_id, chat_id, error)


async def _tell_store(update: Update, context: BotContext, decided: CountDecided, template: str) -> None:
    """The store's group (or whoever opened the count) hears the decision, without book figures."""
    chat = update.effective_chat
    if decided.store_chat_id is None or (chat is not None and chat.id == decided.store_chat_id):
        return
    lang = await chat_language(context, decided.store_chat_id)
    text = render(f"bot/{template}_store", lang, html=True, decided=decided)[:MAX_MESSAGE_CHARS]
    try:
        await context.bot.send_message(decided.store_chat_id, text, parse_mode=ParseMode.HTML)
    except TelegramError as error:
        log.warning("count %s: could not tell chat %s: %s", decided.count_id, decided.store_chat_id, error)


async def _store(update: Update, context: BotContext, staff: StaffMember) -> str | None:
    """This chat's store, or None after saying the chat has none."""
    here = await store_of_chat(update, context, staff)
    if here is None:
        await explain(update, context, DomainError("count_no_store"))
    return here


def register(application: Application, router: Router) -> None:
    """Adds the counts commands, buttons and text interpreters."""
    application.add_handler(CommandHandler("count", count_command))
    application.add_handler(CommandHandler("done", done_command))
    for action, handler in {
        "csh": on_sheet_button,
        "cad": on_add_button,
        "cap": on_approve,
        "crc": on_recount,
    }.items():
        router.on_button(action, handler)
    router.on_text(entries_interpreter)
