"""Low-stock alert buttons (Snooze, Ordered), /digest on demand and /settings for digest channels.

The alert's "Request transfer" button carries the product card's `trq` action,
so the transfer flow answers it; nothing here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler

from adapters.db.alert_repository import DigestChannels
from adapters.templates import render
from bot.callbacks import Button, CallbackSigner
from bot.context import BotContext
from bot.people import current_staff, explain
from bot.replies import keyboard, label, language_of, reply, text_of
from bot.routing import Router
from domain.errors import DomainError, NotAllowed
from domain.staff import Permission, StaffMember
from notifications.alerts import acknowledge_alert, snooze_alert
from notifications.digests import DigestSettings, chart_for, collect_digest, fit_for_telegram

SETTINGS_KEY = "digest_settings"  # bot_data: the DigestSettings the composition root chose


def register(application: Application, router: Router, digests: DigestSettings | None = None) -> None:
    """Adds /digest, /settings and the alert and settings buttons."""
    if digests is not None:
        application.bot_data[SETTINGS_KEY] = digests
    application.add_handler(CommandHandler("digest", digest_command))
    application.add_handler(CommandHandler("settings", settings_command))
    router.on_button("als", on_snooze)
    router.on_button("alo", on_ordered)
    router.on_button("dgt", on_toggle_channel)


def _digests(context: BotContext) -> DigestSettings:
    settings = context.bot_data.get(SETTINGS_KEY)
    if settings is None:
        settings = DigestSettings(zone=ZoneInfo(context.services.settings.tz_name))
        context.bot_data[SETTINGS_KEY] = settings
    return settings


async def on_snooze(update: Update, context: BotContext, button: Button) -> None:
    """Snooze 1 day: the alert message says until when; the sweep raises it again if still low then."""
    staff = await current_staff(update, context)
    if staff is None or not button.arg(0).isdigit():
        return
    services, settings = context.services, _digests(context)
    try:
        alert = await services.write(
            lambda unit: snooze_alert(unit, staff, int(button.arg(0)), services.clock(), rule=settings.rule, zone=settings.zone)
        )
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    until = alert.snoozed_until.astimezone(settings.zone).strftime("%m-%d %H:%M") if alert.snoozed_until else ""
    await reply(update, context, "alerts/snoozed", sku=alert.sku, location=alert.location_code, until=until)


async def on_ordered(update: Update, context: BotContext, button: Button) -> None:
    """Ordered: the alert records who and when, and stays until the stock is back."""
    staff = await current_staff(update, context)
    if staff is None or not button.arg(0).isdigit():
        return
    services, settings = context.services, _digests(context)
    try:
        alert = await services.write(
            lambda unit: acknowledge_alert(unit, staff, int(button.arg(0)), services.clock(), zone=settings.zone)
        )
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    await reply(update, context, "alerts/ordered", sku=alert.sku, location=alert.location_code, by=staff.name)


async def digest_command(update: Update, context: BotContext) -> None:
    """/digest: today's digest for the asker's stores, here and now (text, then the chart)."""
    staff = await _reporter(update, context)
    chat = update.effective_chat
    if staff is None or chat is None:
        return
    services, settings = context.services, _digests(context)

    def build(unit):  # type: ignore[no-untyped-def]
        facts = collect_digest(unit, staff, services.clock(), settings)
        return facts, chart_for(facts)

    facts, chart = await services.read(build)
    lang = language_of(update, context)
    text = render("notifications/digest/telegram", lang, html=True, **fit_for_telegram(facts, lang))
    await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True)
    caption = render("notifications/digest/chart/telegram", lang, html=True, **facts)
    await context.bot.send_photo(chat.id, chart, caption=caption, parse_mode=ParseMode.HTML)


async def settings_command(update: Update, context: BotContext) -> None:
    """/settings: which channels the daily digest uses, with a toggle for each."""
    staff = await _reporter(update, context)
    if staff is None:
        return
    channels = await context.services.read(lambda unit: unit.alerts.digest_channels(staff.telegram_user_id))
    await reply(update, context, "alerts/settings", channels=channels, email=staff.email, buttons=_toggles(update, context, channels))


async def on_toggle_channel(update: Update, context: BotContext, button: Button) -> None:
    """Flip one digest channel and show the settings again."""
    staff = await _reporter(update, context)
    if staff is None or button.arg(0) not in ("telegram", "email"):
        return
    which = button.arg(0)

    def flip(unit):  # type: ignore[no-untyped-def]
        now = unit.alerts.digest_channels(staff.telegram_user_id)
        changed = DigestChannels(
            telegram=not now.telegram if which == "telegram" else now.telegram,
            email=not now.email if which == "email" else now.email,
        )
        unit.alerts.set_digest_channels(staff.telegram_user_id, changed)
        unit.commit()
        return changed

    channels = await context.services.write(flip)
    text = text_of(update, context, "alerts/settings", channels=channels, email=staff.email)
    await update.callback_query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=_toggles(update, context, channels))


def _toggles(update: Update, context: BotContext, channels: DigestChannels):  # type: ignore[no-untyped-def]
    signer: CallbackSigner = context.bot_data["signer"]
    return keyboard(
        [
            [
                (label(update, context, "alert_digest_telegram", on=channels.telegram), signer.pack("dgt", "telegram")),
                (label(update, context, "alert_digest_email", on=channels.email), signer.pack("dgt", "email")),
            ]
        ]
    )


async def _reporter(update: Update, context: BotContext) -> StaffMember | None:
    """The asker, when their role receives digests; otherwise they are told why not."""
    staff = await current_staff(update, context)
    if staff is None:
        return None
    if not staff.can(Permission.SEE_REPORTS):
        await explain(update, context, NotAllowed(permission=Permission.SEE_REPORTS.value, role=staff.role.value, location=""))
        return None
    return staff
