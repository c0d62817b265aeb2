"""An SMTP server on the sandbox's own event loop that files every mail into the inboxes."""

from __future__ import annotations

import asyncio
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from .state import SandboxState


class _MailFiler:
    """aiosmtpd handler: parse the DATA and add one inbox item per envelope recipient."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.refusals: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.refusals:
            return self.refusals.pop(0)
        mail = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        text_part, html_part = mail.get_body(("plain",)), mail.get_body(("html",))
        headers = {name: _unfolded(value) for name, value in mail.raw_items()}
        for recipient in envelope.rcpt_tos:
            self.state.add_inbox_item(
                kind="email",
                direction="in",
                address=recipient,
                sender=str(mail.get("From", envelope.mail_from)),
                recipient=recipient,
                subject=str(mail.get("Subject", "")),
                body=text_part.get_content() if text_part is not None else "",
                html=html_part.get_content() if html_part is not None else None,
                headers=headers,
                status="delivered",
            )
        return "250 Message accepted for delivery"


def _unfolded(raw_value: str) -> str:
    """A header as it travelled, minus line folding.

    RFC 2047 words stay encoded, so a header a mail client could not parse
    (say, a List-Unsubscribe folded into encoded words) shows up as such.
    """
    return re.sub(r"\r?\n(?=[ \t])", "", raw_value).strip()


def _accept_any_login(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=True)


class SmtpSink:
    """A listening SMTP sink; `port` is the bound port (useful when started with port 0)."""

    def __init__(self, server: asyncio.Server, filer: _MailFiler) -> None:
        self._server = server
        self._filer = filer
        self.host, self.port = server.sockets[0].getsockname()[:2]

    def refuse(self, reply: str = "451 4.3.0 Mailbox busy, try again later", times: int = 1) -> None:
        """Answer the next `times` mails with an SMTP error reply (4xx temporary, 5xx permanent)."""
        self._filer.refusals.extend([reply] * times)

    @classmethod
    async def start(cls, state: SandboxState, host: str, port: int) -> SmtpSink:
        # aiosmtpd comes with the test extras; import it only when someone wants a mail sink.
        from aiosmtpd.smtp import SMTP

        handler = _MailFiler(state)

        def protocol() -> SMTP:
            return SMTP(
                handler, auth_require_tls=False, authenticator=_accept_any_login, hostname="sandbox.local"
            )

        server = await asyncio.get_running_loop().create_server(protocol, host, port)
        return cls(server, handler)

    async def close(self) -> None:
        self._server.close()
        await self._server.wait_closed()
