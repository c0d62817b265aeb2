"""Email over SMTP: HTML with a plain-text alternative, charts inline by cid, one-click unsubscribe on promotions."""

from __future__ import annotations

import hashlib
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import aiosmtplib

from adapters.http.unsubscribe import UnsubscribeLinks
from adapters.templates import render
from notifications.message import Channel, DeliveryFailed, Notification, Outgoing, Purpose, Sent
from notifications.settings import NotificationSettings

CHART_CID = "chart"
# Folding a long List-Unsubscribe at 78 columns can turn the URL into an RFC 2047 encoded word, which
# mail clients then cannot use; 998 is the hard line limit, so headers stay on one line.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)


class SmtpEmailGateway:
    channel = Channel.EMAIL

    def __init__(
        self,
        settings: NotificationSettings,
        unsubscribe: UnsubscribeLinks | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._settings = settings
        self._unsubscribe = unsubscribe
        self._timeout = timeout
        self._idle: list[
            aiosmtplib.SMTP
        ] = []  # open connections, reused: a new one per mail halves throughput

    async def send(self, outgoing: Outgoing) -> Sent:
        mail = self.compose(outgoing)
        client = await self._connection()
        try:
            # Flattened here: aiosmtplib's own flattening re-folds headers at 78 columns.
            await client.sendmail(
                parseaddr(self._settings.mail_from)[1], [mail["To"]], mail.as_bytes(policy=MAIL_POLICY)
            )
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

    def compose(self, outgoing: Outgoing) -> EmailMessage:
        """The MIME message: text, HTML alternative, the chart related to the HTML, headers."""
        note = outgoing.notification
        unsubscribe_url = self._unsubscribe_url(note)
        facts = {
            **note.facts,
            "image_cid": CHART_CID if note.image else None,
            "unsubscribe_url": unsubscribe_url,
        }
        name = f"notifications/{note.event}"
        mail = EmailMessage(policy=MAIL_POLICY)
        mail["Subject"] = render(f"{name}/email_subject", note.lang, **facts).replace("\n", " ")
        mail["From"] = self._settings.mail_from
        mail["To"] = note.address
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = message_id(note.key, self._settings.mail_from)
        if unsubscribe_url and self._unsubscribe is not None and note.member_id:
            for header, value in self._unsubscribe.headers(note.member_id).items():
                mail[header] = value
        mail.set_content(render(f"{name}/email_text", note.lang, **facts))
        mail.add_alternative(render(f"{name}/email_html", note.lang, html=True, **facts), subtype="html")
        if note.image:
            html_part = mail.get_payload()[1]
            html_part.add_related(note.image, maintype="image", subtype="png", cid=f"<{CHART_CID}>")
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


def message_id(key: str, mail_from: str) -> str:
    """A Message-ID derived from the idempotency key, so a resend is recognisably the same mail."""
    domain = mail_from.rpartition("@")[2].strip(">") or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"
