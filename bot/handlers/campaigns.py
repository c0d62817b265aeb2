"""Managers' promotion campaigns in chat: /campaign step by step, or a YAML file; preview, then Approve or Cancel."""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from adapters.campaign_yaml import CampaignFileError, parse_campaign_yaml
from adapters.templates import render
from bot.callbacks import Button, CallbackSigner
from bot.context import BotContext
from bot.people import current_staff, explain
from bot.replies import keyboard, language_of, reply
from bot.routing import Router
from domain.errors import DomainError, NotAllowed
from domain.members.campaigns import Channel
from domain.members.offers import InvalidOffer
from domain.members.segments import Segment
from domain.services.campaigns import (
    OFFER_KINDS,
    CampaignDraft,
    OfferTerms,
    PromotionSettings,
    approve_campaign,
    cancel_campaign,
    create_campaign,
    plan_campaign,
)
from domain.staff import Permission, StaffMember
from notifications.promotions import offer_terms, sample_messages, schedule_promotions

NAME, SEGMENTS, KIND, VALUE, CHANNELS, BUDGET, SENDING, VALIDITY = range(8)
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2})?")
NO_BUDGET = {"", "0", "-", "none", "no", "无", "不限"}


def promotion_settings(context: BotContext) -> PromotionSettings:
    """Set by the composition root: `application.bot_data["promotion_settings"]`."""
    return context.bot_data["promotion_settings"]


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message else ""


def _draft(context: BotContext) -> dict[str, Any]:
    return context.user_data.setdefault("campaign", {})  # type: ignore[union-attr]


def _choices(update: Update, context: BotContext, action: str, options: list[str], chosen: list[str]):  # type: ignore[no-untyped-def]
    signer: CallbackSigner = context.bot_data["signer"]
    lang = language_of(update, context)
    rows = [
        [
            (
                ("✅ " if o in chosen else "") + render("bot/campaigns/option", lang, option=o),
                signer.pack(action, o),
            )
        ]
        for o in options
    ]
    return keyboard([*rows, [(render("bot/campaigns/button_done", lang), signer.pack(action, "done"))]])


async def campaign_command(update: Update, context: BotContext) -> int:
    """/campaign: a manager starts a new campaign (first its name), or previews a stored draft by its id."""
    staff = await current_staff(update, context)
    if staff is None:
        return ConversationHandler.END
    try:
        staff.require(Permission.MANAGE_CAMPAIGNS)
    except NotAllowed as refusal:
        await explain(update, context, refusal)
        return ConversationHandler.END
    if context.args:  # /campaign C1122AB12CD: the preview of a draft made from a file (`main.py campaign`)
        await send_preview(update, context, staff, context.args[0][:32])
        return ConversationHandler.END
    context.user_data["campaign"] = {"segments": [], "channels": []}  # type: ignore[index]
    await reply(update, context, "campaigns/ask_name")
    return NAME


async def on_name(update: Update, context: BotContext) -> int:
    _draft(context)["name"] = _text(update)[:80]
    options = [s.value for s in Segment]
    await reply(
        update, context, "campaigns/ask_segments", buttons=_choices(update, context, "cpg", options, [])
    )
    return SEGMENTS


async def _pressed(update: Update, context: BotContext) -> str:
    query = update.callback_query
    await query.answer()  # type: ignore[union-attr]
    button = context.bot_data["signer"].unpack(query.data or "")  # type: ignore[union-attr]
    return button.args[0] if button and button.args else ""


async def on_segment(update: Update, context: BotContext) -> int:
    """Segments toggle; Done moves on once at least one is chosen."""
    choice, chosen = await _pressed(update, context), _draft(context)["segments"]
    if choice != "done":
        chosen.remove(choice) if choice in chosen else chosen.append(choice)
        markup = _choices(update, context, "cpg", [s.value for s in Segment], chosen)
        await update.callback_query.edit_message_reply_markup(markup)  # type: ignore[union-attr]
        return SEGMENTS
    if not chosen:
        await reply(update, context, "campaigns/choose_one")
        return SEGMENTS
    signer, lang = context.bot_data["signer"], language_of(update, context)
    rows = [[(render("bot/campaigns/option", lang, option=k), signer.pack("cpk", k))] for k in OFFER_KINDS]
    await reply(update, context, "campaigns/ask_kind", buttons=keyboard(rows))
    return KIND


async def on_kind(update: Update, context: BotContext) -> int:
    kind = await _pressed(update, context)
    _draft(context)["kind"] = kind
    await reply(update, context, "campaigns/ask_value", kind=kind)
    return VALUE


def _offer(kind: str, text: str) -> OfferTerms:
    """'20' (percent, multiplier), '10 100' (yuan off, minimum spend), '2 1' (buy 2 get 1)."""
    numbers = [Decimal(n) for n in text.replace("+", " ").replace("/", " ").split()]
    if not 1 <= len(numbers) <= 2:
        raise InvalidOffer("one or two numbers")
    second = numbers[1] if len(numbers) == 2 else None
    if kind == "buy_x_get_y":
        offer = OfferTerms(kind, numbers[0], get=int(second or 1))
    else:
        offer = OfferTerms(kind, numbers[0], min_spend=second or Decimal(0))
    if kind == "buy_x_get_y":
        return offer  # its scope is given in a YAML file; checked when the draft is stored
    offer.to_offer()
    return offer


async def on_value(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    try:
        offer = _offer(draft["kind"], _text(update))
    except (InvalidOperation, InvalidOffer, ValueError):
        await reply(update, context, "campaigns/bad_value", kind=draft["kind"])
        return VALUE
    draft["offer"] = offer
    options = [c.value for c in Channel]
    await reply(
        update, context, "campaigns/ask_channels", buttons=_choices(update, context, "cpc", options, [])
    )
    return CHANNELS


async def on_channel(update: Update, context: BotContext) -> int:
    """Channels in the order pressed: the first a member consented to is used."""
    choice, chosen = await _pressed(update, context), _draft(context)["channels"]
    if choice != "done":
        chosen.remove(choice) if choice in chosen else chosen.append(choice)
        markup = _choices(update, context, "cpc", [c.value for c in Channel], chosen)
        await update.callback_query.edit_message_reply_markup(markup)  # type: ignore[union-attr]
        return CHANNELS
    if not chosen:
        await reply(update, context, "campaigns/choose_one")
        return CHANNELS
    await reply(update, context, "campaigns/ask_budget")
    return BUDGET


async def on_budget(update: Update, context: BotContext) -> int:
    text = _text(update).lower()
    try:
        _draft(context)["budget"] = None if text in NO_BUDGET else Decimal(text)
    except InvalidOperation:
        await reply(update, context, "campaigns/bad_budget")
        return BUDGET
    await reply(update, context, "campaigns/ask_window", which="send")
    return SENDING


def _window(text: str, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    found = MOMENT.findall(text)
    if len(found) != 2:
        return None
    start, end = (datetime.fromisoformat(f) for f in found)
    if len(found[1]) == 10:  # a day alone runs to its end
        end = datetime.combine(date.fromisoformat(found[1]), time.max)
    return start.replace(tzinfo=tz), end.replace(tzinfo=tz)


async def on_send_window(update: Update, context: BotContext) -> int:
    window = _window(_text(update), ZoneInfo(promotion_settings(context).tz))
    if window is None:
        await reply(update, context, "campaigns/bad_window")
        return SENDING
    _draft(context)["send"] = window
    await reply(update, context, "campaigns/ask_window", which="valid")
    return VALIDITY


async def on_validity(update: Update, context: BotContext) -> int:
    window = _window(_text(update), ZoneInfo(promotion_settings(context).tz))
    if window is None:
        await reply(update, context, "campaigns/bad_window")
        return VALIDITY
    spec = context.user_data.pop("campaign")  # type: ignore[union-attr]
    draft = CampaignDraft(spec["name"], tuple(spec["segments"]), spec["offer"], tuple(spec["channels"]),
                          *spec["send"], *window, spec["budget"])  # fmt: skip
    await _create_and_preview(update, context, draft)
    return ConversationHandler.END


async def cancel_conversation(update: Update, context: BotContext) -> int:
    context.user_data.pop("campaign", None)  # type: ignore[union-attr]
    await reply(update, context, "campaigns/conversation_cancelled")
    return ConversationHandler.END


async def on_campaign_file(update: Update, context: BotContext) -> None:
    """A YAML file sent in a private chat becomes a draft with its preview."""
    staff = await current_staff(update, context)
    document = update.effective_message.document if update.effective_message else None
    if staff is None or document is None:
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        draft = parse_campaign_yaml(data.decode("utf-8", errors="replace"), promotion_settings(context).tz)
    except CampaignFileError as error:
        await reply(update, context, "campaigns/file_errors", problems=error.problems)
        return
    await _create_and_preview(update, context, draft, staff)


async def _create_and_preview(
    update: Update, context: BotContext, draft: CampaignDraft, staff: StaffMember | None = None
) -> None:
    staff = staff or await current_staff(update, context)
    if staff is None:
        return
    settings, clock = promotion_settings(context), context.services.clock
    try:
        record = await context.services.write(
            lambda unit: create_campaign(unit, staff, draft, clock(), settings)
        )
    except DomainError as error:
        await _refused(update, context, error)
        return
    await send_preview(update, context, staff, record.campaign_id)


async def send_preview(update: Update, context: BotContext, staff: StaffMember, campaign_id: str) -> None:
    """Counts per segment and channel, control, expected cost, and the sample message in each language."""
    settings, now = promotion_settings(context), context.services.clock()

    def look(unit):  # type: ignore[no-untyped-def]
        plan = plan_campaign(unit, staff, campaign_id, now, settings)
        return plan, sample_messages(unit, plan, settings.tz)

    try:
        plan, samples = await context.services.read(look)
    except DomainError as error:
        await _refused(update, context, error)
        return
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    for lang, text in samples.items():
        sample = render("bot/campaigns/sample", language_of(update, context), html=True, language=lang)
        await context.bot.send_message(chat_id, f"{sample}\n\n{text}", parse_mode=ParseMode.HTML)
    preview, lang = plan.preview, language_of(update, context)
    signer = context.bot_data["signer"]
    buttons = keyboard([[(render("bot/campaigns/button_approve", lang), signer.pack("cpa", campaign_id)),
                         (render("bot/campaigns/button_cancel", lang), signer.pack("cpx", campaign_id))]])  # fmt: skip
    await reply(
        update, context, "campaigns/preview", buttons=buttons, name=plan.record.name, campaign_id=campaign_id,
        terms=offer_terms(plan.draft, lang), counts=[(s, c, n) for (s, c), n in sorted(preview.counts.items())],
        control=preview.control, skipped=preview.skipped, redemptions=round(preview.expected_redemptions, 1),
        discount_cost=float(preview.expected_discount_cost), message_cost=float(preview.message_cost),
        expected_cost=float(preview.expected_cost),
        budget=None if plan.draft.budget_cap is None else float(plan.draft.budget_cap),
    )  # fmt: skip


async def on_approve(update: Update, context: BotContext, button: Button) -> None:
    """Approve: codes issued, contacts recorded, messages queued; a second press is refused."""
    staff = await current_staff(update, context)
    if staff is None or not button.args:
        return
    campaign_id, settings, clock = button.args[0], promotion_settings(context), context.services.clock
    try:
        approved = await context.services.write(
            lambda unit: approve_campaign(unit, staff, campaign_id, clock(), settings, schedule_promotions)
        )
    except DomainError as error:
        await _refused(update, context, error)
        return
    await reply(update, context, "campaigns/approved", campaign_id=campaign_id, queued=approved.queued,
                control=len(approved.plan.audience.control))  # fmt: skip


async def on_cancel(update: Update, context: BotContext, button: Button) -> None:
    """Cancel a draft, or what an approved campaign has not sent yet."""
    staff = await current_staff(update, context)
    if staff is None or not button.args:
        return
    campaign_id, clock = button.args[0], context.services.clock
    try:
        withdrawn = await context.services.write(
            lambda unit: cancel_campaign(unit, staff, campaign_id, clock())
        )
    except DomainError as error:
        await _refused(update, context, error)
        return
    await reply(update, context, "campaigns/cancelled", campaign_id=campaign_id, withdrawn=withdrawn)


async def _refused(update: Update, context: BotContext, error: DomainError) -> None:
    if isinstance(error, NotAllowed):
        await explain(update, context, error)
        return
    await reply(update, context, "campaigns/refused", code=error.code, facts=dict(error.facts))


def _action(signer: CallbackSigner, action: str):  # type: ignore[no-untyped-def]
    def matches(data: object) -> bool:
        button = signer.unpack(data) if isinstance(data, str) else None
        return button is not None and button.action == action

    return matches


def register(application: Application, router: Router) -> None:
    """/campaign (conversation), campaign YAML files in private chats, Approve and Cancel buttons."""
    signer: CallbackSigner = application.bot_data["signer"]
    with warnings.catch_warnings():
        # PTB warns that buttons are not tracked per message; ours are tracked per manager, which is what we want.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        conversation = _conversation(signer)
    application.add_handler(conversation)
    yaml_file = filters.Document.FileExtension("yaml") | filters.Document.FileExtension("yml")
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & yaml_file, on_campaign_file))
    router.on_button("cpa", on_approve)
    router.on_button("cpx", on_cancel)


def _conversation(signer: CallbackSigner) -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("campaign", campaign_command, filters.ChatType.PRIVATE)],
        states={
            NAME: [MessageHandler(text, on_name)],
            SEGMENTS: [CallbackQueryHandler(on_segment, pattern=_action(signer, "cpg"))],
            KIND: [CallbackQueryHandler(on_kind, pattern=_action(signer, "cpk"))],
            VALUE: [MessageHandler(text, on_value)],
            CHANNELS: [CallbackQueryHandler(on_channel, pattern=_action(signer, "cpc"))],
            BUDGET: [MessageHandler(text, on_budget)],
            SENDING: [MessageHandler(text, on_send_window)],
            VALIDITY: [MessageHandler(text, on_validity)],
        },
        fallbacks=[CommandHandler("cancel", cancel_conversation)],
        name="campaign",
    )
