"""The replenishment plan in chat: /plan with Approve all and per-line −pack / +pack / Skip,
purchase order files for the manager, planned transfers into the transfer flow, and /why <sku>."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler

from adapters.templates import render
from bot.callbacks import Button, CallbackSigner
from bot.context import BotContext
from bot.handlers.transfers import announce_transfer as tell_about_transfer
from bot.people import current_staff, explain, store_of_chat
from bot.replies import MAX_MESSAGE_CHARS, keyboard, language_of, reply
from bot.routing import Router
from domain.errors import DomainError
from domain.services import replenishment as service
from domain.services.transfers import TransferNews, approvers_of
from domain.staff import Permission, Role, StaffMember
from notifications.replenishment import email_purchase_orders, purchase_order_csv, purchase_order_facts

PAGE = 8  # lines with buttons per message: a screenful, and well under Telegram's 100 buttons


def register(application: Application, router: Router) -> None:
    """Adds /plan, /why and the plan's buttons."""
    application.add_handler(CommandHandler("plan", plan_command))
    application.add_handler(CommandHandler("why", why_command))
    for action, handler in {"rpa": on_approve_all, "rpm": on_less, "rpp": on_more, "rps": on_skip, "rpn": on_page}.items():
        router.on_button(action, handler)


def _zone(context: BotContext) -> ZoneInfo:
    return ZoneInfo(context.services.settings.tz_name)


def _today(context: BotContext) -> date:
    return context.services.clock().astimezone(_zone(context)).date()


async def plan_command(update: Update, context: BotContext) -> None:
    """Today's plan for this chat's store (in a private chat: every location the manager approves for)."""
    staff = await current_staff(update, context)
    if staff is None:
        return
    codes = await _locations_here(update, context, staff)
    if not any(staff.can(Permission.APPROVE_TRANSFER, code) for code in codes):
        await reply(update, context, "replenishment/not_yours")
        return
    today = _today(context)
    plan_id, lines = await context.services.read(lambda unit: service.plan_for(unit, staff, codes, today))
    waiting = sorted({line.location_code for line in lines if line.undecided})
    if plan_id is None or not waiting:
        await reply(update, context, "replenishment/nothing", day=today.isoformat())
        return
    for code in waiting:
        text, buttons = _page(update, context, plan_id, code, [line for line in lines if line.location_code == code], 0)
        await context.bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML, reply_markup=buttons)


async def _locations_here(update: Update, context: BotContext, staff: StaffMember) -> list[str]:
    chat = update.effective_chat
    if chat is not None and chat.type != "private":
        store = await store_of_chat(update, context, staff)
        return [store] if store else []
    if staff.role is Role.ADMIN:
        return [loc.code for loc in await context.services.read(lambda unit: unit.locations.all())]
    return list(staff.locations)


def _page(update: Update, context: BotContext, plan_id: int, code: str, lines: list, offset: int):  # type: ignore[no-untyped-def]
    """The plan message for one location: undecided lines from `offset`, each with its buttons, then Approve all."""
    lang = language_of(update, context)
    signer: CallbackSigner = context.bot_data["signer"]
    waiting = [line for line in lines if line.undecided]
    offset = offset if offset < len(waiting) else 0
    shown = waiting[offset : offset + PAGE]
    text = render("bot/replenishment/plan", lang, html=True, location=code, lines=shown, waiting=len(waiting),
                  first=offset + 1, decided=len(lines) - len(waiting))[:MAX_MESSAGE_CHARS]  # fmt: skip
    rows = [
        [(_label(lang, "less", line=line), signer.pack("rpm", line.id, offset)),
         (_label(lang, "more", line=line), signer.pack("rpp", line.id, offset)),
         (_label(lang, "skip", line=line), signer.pack("rps", line.id, offset))]
        for line in shown
    ]  # fmt: skip
    last = [(_label(lang, "approve_all", count=len(waiting)), signer.pack("rpa", plan_id, code))]
    if len(waiting) > offset + PAGE:
        last.append((_label(lang, "next"), signer.pack("rpn", plan_id, code, offset + PAGE)))
    return text, keyboard([*rows, last])


def _label(lang: str, name: str, **facts: object) -> str:
    return render(f"bot/replenishment/buttons/{name}", lang, **facts).strip()


async def on_page(update: Update, context: BotContext, button: Button) -> None:
    """The next lines of a long plan, in the same message."""
    staff = await current_staff(update, context)
    if staff is None or not button.arg(0).isdigit() or not button.arg(2).isdigit():
        return
    await _refresh(update, context, staff, int(button.arg(0)), button.arg(1), int(button.arg(2)))


async def _refresh(update: Update, context: BotContext, staff: StaffMember, plan_id: int, code: str, offset: int) -> None:
    lines = await context.services.read(lambda unit: unit.replenishment.lines(plan_id, [code]))
    message = update.effective_message
    if not any(line.undecided for line in lines):
        await message.edit_text(render("bot/replenishment/all_decided", language_of(update, context), html=True,
                                       location=code), parse_mode=ParseMode.HTML)  # fmt: skip
        return
    text, buttons = _page(update, context, plan_id, code, lines, offset)
    await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)


async def on_less(update: Update, context: BotContext, button: Button) -> None:
    await _decide(update, context, button, lambda unit, staff, line_id, now: service.adjust_line(unit, staff, line_id, -1, now))


async def on_more(update: Update, context: BotContext, button: Button) -> None:
    await _decide(update, context, button, lambda unit, staff, line_id, now: service.adjust_line(unit, staff, line_id, 1, now))


async def on_skip(update: Update, context: BotContext, button: Button) -> None:
    await _decide(update, context, button, service.skip_line)


async def _decide(update: Update, context: BotContext, button: Button, action) -> None:  # type: ignore[no-untyped-def]
    """One line's decision, then the message shows the plan as it now stands."""
    staff = await current_staff(update, context)
    if staff is None or not button.arg(0).isdigit() or not button.arg(1).isdigit():
        return
    services, line_id = context.services, int(button.arg(0))
    try:
        line = await services.write(lambda unit: action(unit, staff, line_id, services.clock()))
    except DomainError as refusal:
        await _refuse(update, context, refusal)
        return
    await _refresh(update, context, staff, line.plan_id, line.location_code, int(button.arg(1)))


async def _refuse(update: Update, context: BotContext, refusal: DomainError) -> None:
    if refusal.code == "plan_line_decided":
        await reply(update, context, "replenishment/decided", **refusal.facts)
    else:
        await explain(update, context, refusal)


async def on_approve_all(update: Update, context: BotContext, button: Button) -> None:
    """Approve the location's undecided lines: purchase orders (file here, email to the supplier) and transfer requests."""
    staff = await current_staff(update, context)
    if staff is None or not button.arg(0).isdigit():
        return
    services, zone = context.services, _zone(context)
    plan_id, code = int(button.arg(0)), button.arg(1)
    hook = email_purchase_orders(zone, services.settings.purchase_order_lang)
    try:
        approval = await services.write(lambda unit: service.approve_all(unit, staff, plan_id, code, services.clock(), hook))
    except DomainError as refusal:
        await _refuse(update, context, refusal)
        return
    lang = language_of(update, context)
    message = update.effective_message
    if not approval.approved:  # a second press, or someone else was quicker: nothing more happened
        await reply(update, context, "replenishment/already_approved", location=code)
        return
    await message.edit_text(render("bot/replenishment/approved", lang, html=True, approval=approval, actor=staff.name),
                            parse_mode=ParseMode.HTML)  # fmt: skip
    await _send_order_files(update, context, approval)
    for news in approval.transfers:
        await _announce_transfer(context, news)


async def _send_order_files(update: Update, context: BotContext, approval: service.PlanApproval) -> None:
    """Each purchase order as a CSV file in this chat."""
    zone, lang = _zone(context), language_of(update, context)
    for order in approval.orders:
        facts = await context.services.read(lambda unit, o=order: purchase_order_facts(unit, o, zone))
        caption = render("bot/replenishment/order_file", lang, html=True, **facts)
        document = InputFile(purchase_order_csv(facts), filename=f"{order.reference}.csv")
        await context.bot.send_document(update.effective_chat.id, document, caption=caption, parse_mode=ParseMode.HTML)


async def _announce_transfer(context: BotContext, news: TransferNews) -> None:
    """A planned transfer asks the source's group and approvers, like any transfer request."""
    approvers = await context.services.read(lambda unit: approvers_of(unit, news.source.code))
    decide = [("transfer_approve", "tap"), ("transfer_reject", "trj")]
    for chat_id in dict.fromkeys(c for c in [news.source.chat_id, *(m.telegram_user_id for m in approvers)] if c):
        await tell_about_transfer(context, chat_id, "transfers/request", news, decide)  # logs an unreachable chat


async def why_command(update: Update, context: BotContext) -> None:
    """/why <sku>: the plan's numbers for this chat's store, in a sentence."""
    staff = await current_staff(update, context)
    if staff is None:
        return
    if not context.args:
        await reply(update, context, "replenishment/why_usage")
        return
    sku, store = context.args[0].upper(), await store_of_chat(update, context, staff)
    today = _today(context)

    def read(unit):  # type: ignore[no-untyped-def]
        plan_id = unit.replenishment.latest_plan_id(today)
        lines = unit.replenishment.lines(plan_id, [store]) if plan_id and store else []
        position = unit.stock.get(store, sku) if store and unit.catalog.get(sku) else None
        point = unit.catalog.reorder_points(sku).get(store) if position else None
        return [line for line in lines if line.sku == sku], position, point

    lines, position, reorder_point = await context.services.read(read)
    lang = language_of(update, context)
    if not lines:
        await reply(update, context, "replenishment/why_no_line", sku=sku, location=store or "", position=position,
                    reorder_point=reorder_point)  # fmt: skip
        return
    reasons = [render("replenishment/reason", lang, **line.reason_facts).strip() for line in lines]
    await reply(update, context, "replenishment/why", sku=sku, location=store, reasons=reasons, lines=lines)
