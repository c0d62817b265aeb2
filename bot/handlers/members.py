"""The member's side of the bot, in a private chat: link by phone, points, offers, stop promotions.

Members are not staff, so these handlers never go through `current_staff`
(whose refusal is for strangers in staff flows); /start and /help serve both:
staff get their help, members their own menu.
"""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from adapters.templates import render
from bot.callbacks import Button
from bot.context import BotContext
from bot.handlers.common import help_command as staff_help
from bot.replies import keyboard, language_of, reply
from bot.routing import Router
from domain.membership import ContactChannel, Member
from domain.services.members import grant_chat_consent, link_member, member_offers, member_points
from notifications.policy import withdraw_consent
from notifications.promotions import offer_terms

MEMBER_COMMANDS = ("points", "offers", "stop", "lang")


def _label(update: Update, context: BotContext, name: str) -> str:
    return render(f"bot/members/{name}", language_of(update, context))


def _is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


async def _is_staff(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    staff = await context.services.read(lambda unit: unit.staff.get(user.id)) if user else None
    return staff is not None and staff.active


async def _member(update: Update, context: BotContext) -> Member | None:
    user = update.effective_user
    return await context.services.read(lambda unit: unit.members.by_telegram(user.id)) if user else None


async def start_command(update: Update, context: BotContext) -> None:
    """/start and /help: staff get their help; a member their menu; anyone else in private the phone button."""
    if not _is_private(update) or await _is_staff(update, context):
        await staff_help(update, context)
        return
    member = await _member(update, context)
    if member is None:
        await _ask_for_phone(update, context)
        return
    await reply(update, context, "members/welcome", name=member.name, commands=list(MEMBER_COMMANDS))
    if not member.consents_to(ContactChannel.CHAT):
        await _offer_consent(update, context)


async def _ask_for_phone(update: Update, context: BotContext) -> None:
    button = KeyboardButton(_label(update, context, "button_share_phone"), request_contact=True)
    markup = ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    await reply(update, context, "members/share_phone", buttons=markup)  # type: ignore[arg-type]


async def _offer_consent(update: Update, context: BotContext) -> None:
    data = context.bot_data["signer"].pack("mcs")
    await reply(
        update,
        context,
        "members/ask_consent",
        buttons=keyboard([[(_label(update, context, "button_consent"), data)]]),
    )


async def on_contact(update: Update, context: BotContext) -> None:
    """A shared contact links the membership, but only the sender's own number."""
    message, user = update.effective_message, update.effective_user
    if message is None or message.contact is None or user is None or not _is_private(update):
        return
    if message.contact.user_id != user.id:
        await reply(update, context, "members/not_your_contact")
        return
    phone = message.contact.phone_number
    member = await context.services.write(lambda unit: link_member(unit, user.id, phone))
    if member is None:
        await reply(update, context, "members/unknown_phone", buttons=ReplyKeyboardRemove())  # type: ignore[arg-type]
        return
    await reply(update, context, "members/linked", buttons=ReplyKeyboardRemove(), name=member.name,  # type: ignore[arg-type]
                commands=list(MEMBER_COMMANDS))  # fmt: skip
    if not member.consents_to(ContactChannel.CHAT):
        await _offer_consent(update, context)


async def on_consent_button(update: Update, context: BotContext, button: Button) -> None:
    """The member agreed to promotions in this chat: recorded with time and source."""
    member = await _member(update, context)
    if member is None:
        await _ask_for_phone(update, context)
        return
    clock = context.services.clock
    await context.services.write(lambda unit: grant_chat_consent(unit, member.member_id, clock()))
    await reply(update, context, "members/consent_granted")


async def points_command(update: Update, context: BotContext) -> None:
    """Balance and the next points to expire."""
    member = await _linked_member(update, context)
    if member is None:
        return
    today = context.services.clock().date()
    summary = await context.services.read(lambda unit: member_points(unit, member.member_id, today))
    await reply(update, context, "members/points", balance=summary.balance, expiring=summary.next_expiring,
                expiring_on=summary.next_expiring_on.isoformat() if summary.next_expiring_on else None)  # fmt: skip


async def offers_command(update: Update, context: BotContext) -> None:
    """Live coupons, and products picked for the member with the nearest stores that have them."""
    member = await _linked_member(update, context)
    if member is None:
        return
    now = context.services.clock()
    found = await context.services.read(lambda unit: member_offers(unit, member.member_id, now))
    lang = language_of(update, context)
    offers = [
        {
            "name": o.campaign,
            "terms": offer_terms(o.draft, lang),
            "code": o.code,
            "valid_until": f"{o.valid_until:%Y-%m-%d}",
        }
        for o in found.offers
    ]
    picks = [{"name": p.name, "stores": [{"name": n, "qty": q} for n, q in p.stores]} for p in found.picks]
    await reply(update, context, "members/offers", offers=offers, picks=picks)


async def stop_command(update: Update, context: BotContext) -> None:
    """Withdraw chat consent at once; what was waiting to be sent is cancelled."""
    member = await _linked_member(update, context)
    if member is None:
        return
    clock = context.services.clock
    await context.services.write(
        lambda unit: withdraw_consent(unit, member.member_id, ContactChannel.CHAT, "telegram:/stop", clock())
    )
    await reply(update, context, "members/stopped")


async def _linked_member(update: Update, context: BotContext) -> Member | None:
    if not _is_private(update):
        await reply(update, context, "members/private_only")
        return None
    member = await _member(update, context)
    if member is None:
        await _ask_for_phone(update, context)
    return member


def register(application: Application, router: Router) -> None:
    """Member commands, the shared contact, and the consent button."""
    for name, callback in {"points": points_command, "offers": offers_command, "stop": stop_command}.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(MessageHandler(filters.CONTACT & filters.ChatType.PRIVATE, on_contact))
    router.on_button("mcs", on_consent_button)
    router.private_visitor = start_command
