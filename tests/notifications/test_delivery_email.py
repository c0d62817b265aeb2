"""Email through real SMTP servers (the sandbox sink and a raw aiosmtpd mailbox), and one-click unsubscribe."""

from __future__ import annotations

import asyncio
import contextlib
import io
from email import message_from_bytes, policy

import aiohttp
from aiosmtpd.smtp import SMTP
from PIL import Image

from adapters.gateways.email import SmtpEmailGateway
from domain.membership import ContactChannel
from notifications.message import Channel
from notifications.outbox import dead_letters
from tests.notifications.delivery_world import MEMBER_EMAIL, MEMBER_ID, promotion, world

__all__ = ["world"]


class RawMailbox:
    """An aiosmtpd handler that keeps the raw messages, and answers with queued refusals first."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.refusals: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refusals:
            return self.refusals.pop(0)
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


@contextlib.asynccontextmanager
async def raw_smtp_server():
    mailbox = RawMailbox()
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(mailbox), "127.0.0.1", 0)
    try:
        yield mailbox, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def gateway_to(world, port: int) -> SmtpEmailGateway:
    from dataclasses import replace

    return SmtpEmailGateway(replace(world.settings, smtp_port=port), world.links)


class ProcessKilled(BaseException):
    pass


class DiesAfterTheServerAccepts:
    def __init__(self, gateway):
        self.channel, self._gateway = gateway.channel, gateway

    async def send(self, outgoing):
        await self._gateway.send(outgoing)
        raise ProcessKilled


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_a_promotion_mail_has_text_html_and_one_click_unsubscribe_headers(world):
    world.enqueue(promotion("promo:C1:M0001:email", Channel.EMAIL))

    assert await world.dispatcher().run_once() == 1

    [mail] = world.sandbox.inbox(MEMBER_EMAIL)
    link = world.links.url(MEMBER_ID)
    assert "CC6-8F2K" in mail.body and "<code>CC6-8F2K</code>" in mail.html
    token = world.links.token(MEMBER_ID)  # one line, never an encoded word a client could not follow
    assert (
        mail.headers["List-Unsubscribe"]
        == f"<{link}>, <mailto:unsubscribe@shop.example?subject=unsubscribe%20{token}>"
    )
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in mail.body and link in mail.html
    assert mail.headers["Message-ID"] == world.row("promo:C1:M0001:email").provider_ref


async def test_a_chart_travels_inline_and_the_html_points_at_it_by_content_id(world):
    async with raw_smtp_server() as (mailbox, port):
        gateway = gateway_to(world, port)
        world.enqueue(promotion("digest:S01:email", Channel.EMAIL, image=png(), member_id=None))
        await world.dispatcher(email=gateway).run_once()
        await gateway.close()

    [raw] = mailbox.messages
    mail = message_from_bytes(raw, policy=policy.default)
    html = mail.get_body(("html",))
    [image] = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<chart>" and image.get_content() == png()
    assert 'src="cid:chart"' in html.get_content()
    assert "List-Unsubscribe" not in mail  # not a member promotion: nothing to unsubscribe from


async def test_a_temporary_smtp_refusal_is_retried_and_a_permanent_one_is_dead_at_once(world):
    async with raw_smtp_server() as (mailbox, port):
        mailbox.refusals = ["451 4.3.0 try again later", "550 5.1.1 no such mailbox"]
        gateway = gateway_to(world, port)
        world.enqueue(
            promotion("promo:A", Channel.EMAIL),
            promotion("promo:B", Channel.EMAIL, address="gone@example.com"),
        )
        dispatcher = world.dispatcher(email=gateway)
        await dispatcher.run_once()
        states = {world.row(key).state for key in ("promo:A", "promo:B")}
        world.clock.advance(minutes=5)
        await dispatcher.run_once()
        await gateway.close()

    assert states == {"pending", "dead"}
    assert len(mailbox.messages) == 1


async def test_a_dispatcher_killed_after_the_server_took_the_mail_does_not_mail_the_member_again(world):
    world.enqueue(promotion("promo:C1:M0001:email", Channel.EMAIL))
    with contextlib.suppress(ProcessKilled):
        await world.dispatcher(email=DiesAfterTheServerAccepts(world.gateways[Channel.EMAIL])).run_once()

    world.clock.advance(minutes=10)  # past the lease: the claim belonged to a dead dispatcher
    assert await world.dispatcher().run_once() == 0

    assert len(world.sandbox.inbox(MEMBER_EMAIL)) == 1
    with world.uow(readonly=True) as unit:
        [letter] = dead_letters(unit)
    assert letter.key == "promo:C1:M0001:email" and "outcome unknown" in letter.last_error


async def test_following_the_unsubscribe_link_only_asks_and_the_one_click_post_withdraws_email_consent(world):
    world.enqueue(promotion("promo:C2:M0001:email", Channel.EMAIL))
    link = world.links.url(MEMBER_ID)
    async with aiohttp.ClientSession() as session:
        async with session.get(link) as page:
            assert page.status == 200 and 'method="post"' in await page.text()
        assert world.member().consents_to(ContactChannel.EMAIL)
        async with session.post(link, data={"List-Unsubscribe": "One-Click"}) as done:
            assert done.status == 200

    assert not world.member().consents_to(ContactChannel.EMAIL)
    assert world.member().consents_to(ContactChannel.SMS)
    assert await world.dispatcher().run_once() == 0
    assert world.row("promo:C2:M0001:email").state == "cancelled"


async def test_a_forged_unsubscribe_token_is_refused(world):
    token = world.links.token(MEMBER_ID)
    name, _, tag = token.partition(".")
    forged = world.links.token("M0002").partition(".")[0] + "." + tag
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{world.our_url}/unsubscribe/{forged}") as response,
    ):
        assert response.status == 404
    assert world.links.member_of(token) == MEMBER_ID
    assert world.member().consents_to(ContactChannel.EMAIL)
