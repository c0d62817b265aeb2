"""The SMTP sink files real mail into the recipient's inbox with its parts and headers."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import pytest

from tests.adapters.sandbox.sandbox_world import ALICE


def promotion_mail(to: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Store 1 <promos@store1.example>"
    mail["To"] = to
    mail["Subject"] = "本周特惠 / This week's offers"
    mail["List-Unsubscribe"] = "<https://store1.example/u/abc>"
    mail.set_content("Milk 20% off")
    mail.add_alternative("<p>Milk <b>20%</b> off</p>", subtype="html")
    return mail


async def test_mail_lands_in_the_recipients_inbox_with_text_html_and_headers(sandbox):
    sink = await sandbox.start_smtp_sink("127.0.0.1", 0)
    await aiosmtplib.send(promotion_mail("alice@store1.example"), hostname=sink.host, port=sink.port)
    item = await sandbox.wait_for_inbox("alice@store1.example")
    assert item.subject == "本周特惠 / This week's offers"
    assert item.body.strip() == "Milk 20% off"
    assert item.html.strip() == "<p>Milk <b>20%</b> off</p>"
    assert item.headers["List-Unsubscribe"] == "<https://store1.example/u/abc>"
    assert sandbox.inbox_of(ALICE) == [item]


async def test_login_is_accepted_and_every_envelope_recipient_gets_a_copy(sandbox):
    sink = await sandbox.start_smtp_sink()
    await aiosmtplib.send(
        promotion_mail("alice@store1.example"),
        hostname=sink.host,
        port=sink.port,
        username="mailer",
        password="secret",
        recipients=["alice@store1.example", "audit@store1.example"],
    )
    await sandbox.wait_for_inbox("audit@store1.example")
    assert len(sandbox.inbox("alice@store1.example")) == 1


async def test_a_refused_mail_raises_the_smtp_reply_and_is_not_filed(sandbox):
    sink = await sandbox.start_smtp_sink()
    sink.refuse("550 5.1.1 No such user")
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await aiosmtplib.send(promotion_mail("alice@store1.example"), hostname=sink.host, port=sink.port)
    assert refused.value.code == 550
    assert sandbox.inbox("alice@store1.example") == []
    await aiosmtplib.send(promotion_mail("alice@store1.example"), hostname=sink.host, port=sink.port)
    assert len(sandbox.inbox("alice@store1.example")) == 1


async def test_headers_are_kept_as_sent_with_line_folding_undone(sandbox):
    sink = await sandbox.start_smtp_sink()
    mail = promotion_mail("alice@store1.example")
    campaign = " ".join(f"segment-{n}" for n in range(20))  # long enough to be folded on the wire
    mail["X-Campaign"] = campaign
    await aiosmtplib.send(mail, hostname=sink.host, port=sink.port)
    (item,) = sandbox.inbox("alice@store1.example")
    assert item.headers["X-Campaign"] == campaign
    assert item.headers["Subject"].startswith("=?utf-8?")  # encoded on the wire; item.subject is decoded
