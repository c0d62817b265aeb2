"""SMS through any Twilio-compatible REST API (Twilio itself, or the sandbox's stand-in)."""

from __future__ import annotations

import base64

import aiohttp

from adapters.gateways import render_message as render
from notifications.message import Channel, DeliveryFailed, Outgoing, Sent
from notifications.settings import NotificationSettings

# GSM 03.38: the basic set costs one septet, the extension set two (escape + char); anything else is UCS-2.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")


def sms_segments(text: str) -> int:
    """How many SMS parts `text` is billed as: 160/153 GSM-7 septets, or 70/67 UCS-2 units."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        length, single, part = sum(2 if ch in GSM_EXTENSION else 1 for ch in text), 160, 153
    else:
        length, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if length <= single else -(-length // part)


class TwilioSmsGateway:
    channel = Channel.SMS

    def __init__(
        self,
        settings: NotificationSettings,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._settings = settings
        self._session = session
        self._owns_session = session is None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        base = settings.sms_api_url.rstrip("/")
        self._url = f"{base}/2010-04-01/Accounts/{settings.sms_account_sid}/Messages.json"
        credentials = f"{settings.sms_account_sid}:{settings.sms_auth_token}".encode()
        self._headers = {"Authorization": "Basic " + base64.b64encode(credentials).decode()}

    async def send(self, outgoing: Outgoing) -> Sent:
        note = outgoing.notification
        body = render(f"notifications/{note.event}/sms", note.lang, **note.facts)
        form = {"To": note.address, "From": self._settings.sms_from, "Body": body}
        if self._settings.status_callback_url:
            form["StatusCallback"] = f"{self._settings.status_callback_url}?outbox={outgoing.outbox_id}"
        try:
            async with self._client().post(
                self._url, data=form, headers=self._headers, timeout=self._timeout
            ) as response:
                answer = await response.json(content_type=None)
                if response.status in (200, 201):
                    return Sent(provider_ref=str(answer["sid"]), segments=sms_segments(body))
                raise _refusal(response.status, answer, response.headers.get("Retry-After"))
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise DeliveryFailed(f"sms gateway unreachable: {error!r}") from error

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64))
        return self._session

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()


def _refusal(status: int, answer: object, retry_after: str | None) -> DeliveryFailed:
    message = answer.get("message", "") if isinstance(answer, dict) else ""
    reason = f"sms gateway answered {status}: {message}"
    if status == 429 or status >= 500:
        wait = float(retry_after) if retry_after and retry_after.isdigit() else None
        return DeliveryFailed(reason, retry_after=wait, counted=False)
    return DeliveryFailed(reason, permanent=status not in (401, 408))
