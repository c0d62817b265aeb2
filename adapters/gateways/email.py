"""Email over SMTP: HTML with a plain-text alternative, charts inline by cid, one-click unsubscribe on promotions."""

from __future__ import annotations

import asyncio
import hashlib
import io
from email.generator import BytesGenerator
from email.header import Header
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr

import aiosmtplib

from adapters.gateways import render_message as render
from adapters.http.unsubscribe import UnsubscribeLinks
from notifications.message import Channel, DeliveryFailed, Notification, Outgoing, Purpose, Sent
from notifications.settings import NotificationSettings

CHART_CID = "chart"
SMTP_COMPAT = compat32.clone(linesep="\r\n")


class SmtpEmailGateway:
    channel = Channel.EMAIL

    def __init__(
        self,
        settings: NotificationSettings,
        unsubscribe: UnsubscribeLinks | None = None,
        timeout: float = 30.0,
        max_connections: int = 8,
    ) -> None:
        self._settings = settings
        self._unsubscribe = unsubscribe
        self._timeout = timeout
        # Open connections are reused (a new one per mail halves throughput), at most `max_connections`.
        self._idle: list[aiosmtplib.SMTP] = []
        self._connections = asyncio.Semaphore(max_connections)

    async def send(self, outgoing: Outgoing) -> Sent:
        mail = self.compose(outgoing)
        async with self._connections:
            return await self._transmit(mail)

    async def _transmit(self, mail: MIMEMultipart) -> Sent:
        client = await self._connection()
        try:
            await client.sendmail(parseaddr(self._settings.mail_from)[1], [mail["To"]], flatten(mail))
        except aiosmtplib.SMTPResponseException as error:
            client.close()
            raise DeliveryFailed(
                f"smtp {error.code}: {error.message}", permanent=error.code >= 500
            ) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            client.close()
            raise DeliveryFailed(f"smtp unavailable: {error!r}") from error
        self._idle.append(client)
        return Sent(provider_ref=mail["Message-ID"])

    def compose(self, outgoing: Outgoing) -> MIMEMultipart:
        """The MIME message: text, and HTML as its alternative with the chart related to it; headers."""
        note = outgoing.notification
        unsubscribe_url = self._unsubscribe_url(note)
        facts = {
            **note.facts,
            "image_cid": CHART_CID if note.image else None,
            "unsubscribe_url": unsubscribe_url,
        }
        name = f"notifications/{note.event}"
        html: MIMEMultipart | MIMEText = MIMEText(
            render(f"{name}/email_html", note.lang, html=True, **facts), "html", "utf-8"
        )
        if note.image:
            related = MIMEMultipart("related")
            related.attach(html)
            chart = MIMEImage(note.image, "png")
            chart["Content-ID"] = f"<{CHART_CID}>"
            chart["Content-Disposition"] = "inline"
            related.attach(chart)
            html = related
        mail = MIMEMultipart("alternative")
        subject = render(f"{name}/email_subject", note.lang, **facts).replace("\n", " ")
        mail["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
        sender_name, sender = parseaddr(self._settings.mail_from)
        mail["From"] = formataddr((sender_name, sender), "utf-8")
        mail["To"] = note.address
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = message_id(note.key, self._settings.mail_from)
        if unsubscribe_url and self._unsubscribe is not None and note.member_id:
            for header, value in self._unsubscribe.headers(note.member_id).items():
                mail[header] = value
        mail.attach(MIMEText(render(f"{name}/email_text", note.lang, **facts), "plain", "utf-8"))
        mail.attach(html)
        return mail

    def _unsubscribe_url(self, note: Notification) -> str | None:
        if note.purpose is not Purpose.PROMOTION or self._unsubscribe is None or not note.member_id:
            return None
        return self._unsubscribe.url(note.member_id)

    async def _connection(self) -> aiosmtplib.SMTP:
        while self._idle:
            client = self._idle.pop()
            if client.is_connected:
                return client
        settings = self._settings
        client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_user or None,
            password=settings.smtp_password or None,
            use_tls=settings.smtp_port == 465,
            start_tls=settings.smtp_starttls if settings.smtp_port != 465 else False,
            timeout=self._timeout,
        )
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise DeliveryFailed(f"smtp unavailable: {error!r}", counted=False) from error
        return client

    async def close(self) -> None:
        for client in self._idle:
            if client.is_connected:
                await client.quit()
        self._idle.clear()


def flatten(mail: MIMEMultipart) -> bytes:
    """The bytes on the wire. Headers are not folded: folding a long List-Unsubscribe can turn its URL
    into an RFC 2047 encoded word mail clients cannot follow (aiosmtplib's own flattening would). The
    compat32 MIME classes are used because the modern header registry costs milliseconds per mail."""
    buffer = io.BytesIO()
    BytesGenerator(buffer, mangle_from_=False, maxheaderlen=0, policy=SMTP_COMPAT).flatten(mail)
    return buffer.getvalue()


def message_id(key: str, mail_from: str) -> str:
    """A Message-ID derived from the idempotency key, so a resend is recognisably the same mail."""
    domain = mail_from.rpartition("@")[2].strip(">") or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"
