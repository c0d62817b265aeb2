"""Channel gateways behind the one notifier interface (`notifications.message.Gateway`), and their wiring."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from jinja2 import TemplateError

from adapters.templates import render
from notifications.message import Channel, DeliveryFailed, Gateway
from notifications.settings import NotificationSettings

if TYPE_CHECKING:
    from telegram import Bot

    from adapters.http.unsubscribe import UnsubscribeLinks
    from adapters.telegram_sandbox import TelegramSandbox
    from adapters.telegram_sandbox.smtp_sink import SmtpSink
    from bot.callbacks import CallbackSigner

SANDBOX_SMS = ("AC" + "0" * 32, "sandbox-sms-token", "+8610690000")


def render_message(name: str, lang: str, /, *, html: bool = False, **facts: object) -> str:
    """`render`, with a broken template or a missing fact as a permanent failure: retrying cannot fix it."""
    try:
        return render(name, lang, html=html, **facts)
    except TemplateError as error:
        raise DeliveryFailed(f"template {name}: {error}", permanent=True, counted=False) from error


def configured_gateways(
    settings: NotificationSettings, bot: Bot, signer: CallbackSigner, unsubscribe: UnsubscribeLinks | None
) -> dict[Channel, Gateway]:
    """Telegram always; SMS and email when their settings are complete (their rows wait otherwise)."""
    from adapters.gateways.email import SmtpEmailGateway
    from adapters.gateways.sms import TwilioSmsGateway
    from adapters.gateways.telegram import TelegramGateway

    gateways: dict[Channel, Gateway] = {Channel.TELEGRAM: TelegramGateway(bot, signer)}
    if settings.sms_configured:
        gateways[Channel.SMS] = TwilioSmsGateway(settings)
    if settings.email_configured:
        gateways[Channel.EMAIL] = SmtpEmailGateway(settings, unsubscribe)
    return gateways


def into_sandbox(
    settings: NotificationSettings, sandbox: TelegramSandbox, sandbox_url: str, sink: SmtpSink
) -> NotificationSettings:
    """The demo without real providers: SMS to the sandbox's Twilio stand-in, mail to its SMTP sink.

    Replies typed on the sandbox page reach our inbound webhook when PUBLIC_BASE_URL is set.
    """
    from adapters.http.sms_webhooks import INBOUND_PATH

    sid, token, number = SANDBOX_SMS
    inbound = f"{settings.public_base_url.rstrip('/')}{INBOUND_PATH}" if settings.public_base_url else None
    sandbox.configure_sms(sid, token, number, inbound_url=inbound)
    return replace(
        settings,
        sms_api_url=f"{sandbox_url.rstrip('/')}/sms",
        sms_account_sid=sid,
        sms_auth_token=token,
        sms_from=number,
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_user="",
        smtp_password="",
        smtp_starttls=False,
        mail_from=settings.mail_from or "零售助手 Retail Assistant <assistant@sandbox.local>",
    )
