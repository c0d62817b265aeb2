"""RFC 8058 one-click unsubscribe for promotion emails.

Each promotion carries `List-Unsubscribe: <https://.../unsubscribe/<token>>`
and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`; a mail client POSTs
to the URL and email consent is withdrawn at once. A person following the
link gets a small page asking to confirm (GET never changes anything: link
scanners fetch every URL in a mail). Tokens name the member and carry an HMAC
tag, so nobody can unsubscribe someone else by guessing.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from aiohttp import web

from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.templates import render
from notifications.message import Channel
from notifications.policy import withdraw_consent

UNSUBSCRIBE_PATH = "/unsubscribe/{token}"
TAG_BYTES = 16


class UnsubscribeLinks:
    """Signed unsubscribe tokens and the headers that carry them."""

    def __init__(self, secret: str, public_base_url: str, mailto: str = "") -> None:
        if not secret:
            raise ValueError("UNSUBSCRIBE_SECRET must be set to sign unsubscribe links")
        self._key = secret.encode()
        self._base = public_base_url.rstrip("/")
        self._mailto = mailto

    def token(self, member_id: str) -> str:
        name = base64.urlsafe_b64encode(member_id.encode()).decode().rstrip("=")
        return f"{name}.{self._tag(member_id)}"

    def member_of(self, token: str) -> str | None:
        """The member a token was made for, or None when it is forged or malformed."""
        name, _, tag = token.partition(".")
        try:
            member_id = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        return member_id if hmac.compare_digest(tag, self._tag(member_id)) else None

    def url(self, member_id: str) -> str:
        return f"{self._base}/unsubscribe/{self.token(member_id)}"

    def headers(self, member_id: str) -> dict[str, str]:
        links = [f"<{self.url(member_id)}>"]
        if self._mailto:
            links.append(f"<mailto:{self._mailto}?subject={quote('unsubscribe ' + self.token(member_id))}>")
        return {"List-Unsubscribe": ", ".join(links), "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}

    def _tag(self, member_id: str) -> str:
        digest = hmac.new(self._key, f"email-unsubscribe\x1f{member_id}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:TAG_BYTES]).decode().rstrip("=")


def unsubscribe_routes(
    uow: UnitOfWorkFactory, links: UnsubscribeLinks, clock: Callable[[], datetime]
) -> list[web.RouteDef]:
    """GET shows a confirmation page; POST (one click, or the page's button) withdraws email consent."""

    async def language_of(member_id: str) -> str:
        def read(unit) -> str:  # type: ignore[no-untyped-def]
            member = unit.members.get(member_id)
            return (member.language if member else None) or "zh"

        return await asyncio.to_thread(uow.run, read)

    async def confirm(request: web.Request) -> web.Response:
        member_id = links.member_of(request.match_info["token"])
        if member_id is None:
            return _page("unsubscribe_invalid", "zh", status=404)
        return _page("unsubscribe_confirm", await language_of(member_id), action=request.path)

    async def unsubscribe(request: web.Request) -> web.Response:
        member_id = links.member_of(request.match_info["token"])
        if member_id is None:
            return _page("unsubscribe_invalid", "zh", status=404)
        now = clock()
        await asyncio.to_thread(
            uow.run,
            lambda unit: withdraw_consent(unit, member_id, Channel.EMAIL, "email one-click unsubscribe", now),
        )
        return _page("unsubscribe_done", await language_of(member_id))

    return [web.get(UNSUBSCRIBE_PATH, confirm), web.post(UNSUBSCRIBE_PATH, unsubscribe)]


def _page(name: str, lang: str, status: int = 200, **facts: object) -> web.Response:
    html = render(f"notifications/pages/{name}", lang, html=True, **facts)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
