"""What the SMS provider posts back: delivery status of our messages, and members' replies.

Both are signed with X-Twilio-Signature (HMAC of the URL and the parameters
with our auth token); anything unsigned or mis-signed gets 403. A reply of
STOP (or 退订 / TD) withdraws SMS consent at once, recorded with time and source.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.twilio_signature import is_valid_twilio_signature
from notifications.dispatcher import BatchWriter
from notifications.message import Channel
from notifications.policy import withdraw_consent
from notifications.settings import NotificationSettings

log = logging.getLogger(__name__)
STATUS_PATH = "/notifications/sms/status"
INBOUND_PATH = "/notifications/sms/inbound"
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "退订", "TD"})
# "queued" comes before these; "sent" is final where the carrier reports no delivery.
SETTLED = frozenset({"sent", "delivered", "undelivered", "failed", "read"})
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def is_stop_word(body: str) -> bool:
    return body.strip().strip("。.!！").upper() in STOP_WORDS


def sms_webhook_routes(
    uow: UnitOfWorkFactory, settings: NotificationSettings, clock: Callable[[], datetime]
) -> list[web.RouteDef]:
    """POST /notifications/sms/status (StatusCallback) and POST /notifications/sms/inbound (replies)."""
    # Two callbacks per SMS: at hundreds a second, write them together in one statement each.
    statuses = BatchWriter(uow, bulk=lambda unit, reports: unit.outbox.record_statuses(reports))

    async def signed_form(request: web.Request) -> dict[str, str] | None:
        form = {name: str(value) for name, value in (await request.post()).items()}
        # Behind a proxy our own URL differs from the one the provider signed: use the public one.
        base = settings.public_base_url.rstrip("/")
        url = f"{base}{request.path_qs}" if base else str(request.url)
        signature = request.headers.get("X-Twilio-Signature", "")
        # Without a token anyone could sign: refuse everything until SMS is configured.
        valid = bool(settings.sms_auth_token) and is_valid_twilio_signature(
            settings.sms_auth_token, url, form, signature
        )
        if not valid:
            log.warning("SMS webhook refused: bad signature for %s from %s", url, request.remote)
            return None
        return form

    async def status(request: web.Request) -> web.Response:
        form = await signed_form(request)
        if form is None:
            return web.Response(status=403, text="forbidden")
        outbox_id = request.query.get("outbox", "")
        if outbox_id.isdigit() and form.get("MessageStatus", "") in SETTLED:
            report = {
                "outbox_id": int(outbox_id),
                "at": clock(),
                "provider_ref": form.get("MessageSid"),
                "status": form.get("MessageStatus", ""),
            }
            await statuses.add(report)
        return web.Response(status=204)

    async def inbound(request: web.Request) -> web.Response:
        form = await signed_form(request)
        if form is None:
            return web.Response(status=403, text="forbidden")
        if is_stop_word(form.get("Body", "")):
            now, phone, word = clock(), form.get("From", ""), form.get("Body", "").strip()
            await asyncio.to_thread(uow.run, lambda unit: _stop(unit, phone, word, now))
        return web.Response(text=EMPTY_TWIML, content_type="text/xml")

    return [web.post(STATUS_PATH, status), web.post(INBOUND_PATH, inbound)]


def _stop(unit, phone: str, word: str, now: datetime) -> None:  # type: ignore[no-untyped-def]
    member = unit.members.by_phone(phone)
    if member is None:
        log.info("STOP from a number that is no member's")
        return
    withdraw_consent(unit, member.member_id, Channel.SMS, f"sms reply {word}", now)
