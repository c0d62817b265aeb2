"""The Twilio stand-in: authenticated sends, signed status callbacks and signed inbound SMS."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from adapters.twilio_signature import compute_twilio_signature, is_valid_twilio_signature
from tests.adapters.sandbox.sandbox_world import ALICE, serve

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "sandbox-auth-token"
OUR_NUMBER = "+15005550006"
ALICE_PHONE = "+8613800000001"


def test_signature_matches_twilios_documented_example():
    # Twilio's published validation sample (api-snippets security/signature_validation).
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675310",
        "Digits": "1234",
        "From": "+14158675310",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert compute_twilio_signature("12345", url, params) == "GvWf1cFY/Q7PnoempGyD5oXAezc="
    assert not is_valid_twilio_signature(
        "12345", url, {**params, "Digits": "1235"}, "GvWf1cFY/Q7PnoempGyD5oXAezc="
    )


class Receiver:
    """Our side of Twilio's webhooks: records every signed POST it gets."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, str], str]] = []
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.posts.append((str(request.url), form, request.headers.get("X-Twilio-Signature", "")))
        self.arrived.set()
        return web.Response(text="<Response/>", content_type="text/xml")

    async def wait_for(self, count: int) -> None:
        while len(self.posts) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 5)


@pytest.fixture
async def receiver_url() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/sms/status", receiver.handle)
    app.router.add_post("/sms/inbound", receiver.handle)
    runner, url = await serve(app)
    yield receiver, url
    await runner.cleanup()


@pytest.fixture
def sms_sandbox(sandbox, receiver_url):
    sandbox.configure_sms(ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, inbound_url=f"{receiver_url[1]}/sms/inbound")
    return sandbox


def basic_auth(password: str) -> str:
    return aiohttp.encode_basic_auth(ACCOUNT_SID, password)


async def post_sms(sandbox_url: str, form: dict[str, str], password: str = AUTH_TOKEN) -> tuple[int, dict]:
    url = f"{sandbox_url}/sms/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=form, headers={"Authorization": basic_auth(password)}) as response,
    ):
        return response.status, await response.json()


async def test_a_wrong_auth_token_is_refused(sms_sandbox, sandbox_url):
    status, body = await post_sms(sandbox_url, {"To": ALICE_PHONE, "From": OUR_NUMBER, "Body": "hi"}, "nope")
    assert (status, body["code"]) == (401, 20003)
    assert sms_sandbox.inbox(ALICE_PHONE) == []


async def test_a_missing_recipient_is_a_twilio_400(sms_sandbox, sandbox_url):
    status, body = await post_sms(sandbox_url, {"From": OUR_NUMBER, "Body": "hi"})
    assert (status, body["code"]) == (400, 21604)


async def test_a_sent_sms_is_queued_lands_in_the_inbox_and_reports_delivery_signed(
    sms_sandbox, sandbox_url, receiver_url
):
    receiver, hooks = receiver_url
    callback = f"{hooks}/sms/status?attempt=1"
    form = {"To": ALICE_PHONE, "From": OUR_NUMBER, "Body": "Your coupon: SAVE10", "StatusCallback": callback}
    status, body = await post_sms(sandbox_url, form)
    assert (status, body["status"], body["to"], body["body"]) == (
        201,
        "queued",
        ALICE_PHONE,
        "Your coupon: SAVE10",
    )
    assert sms_sandbox.inbox_of(ALICE)[0].body == "Your coupon: SAVE10"
    await receiver.wait_for(2)
    assert [params["MessageStatus"] for _, params, _ in receiver.posts] == ["sent", "delivered"]
    for url, params, signature in receiver.posts:
        assert url == callback and params["MessageSid"] == body["sid"]
        assert is_valid_twilio_signature(AUTH_TOKEN, url, params, signature)


async def test_an_undeliverable_number_reports_undelivered(sms_sandbox, sandbox_url, receiver_url):
    receiver, hooks = receiver_url
    sms_sandbox.sms.undeliverable.add("+8613900000009")
    form = {"To": "+8613900000009", "From": OUR_NUMBER, "Body": "x", "StatusCallback": f"{hooks}/sms/status"}
    await post_sms(sandbox_url, form)
    await receiver.wait_for(2)
    assert receiver.posts[-1][1]["MessageStatus"] == "undelivered"
    assert receiver.posts[-1][1]["ErrorCode"] == "30003"


async def test_injected_failure_answers_500_once(sms_sandbox, sandbox_url):
    sms_sandbox.inject_error("sms", status=500)
    form = {"To": ALICE_PHONE, "From": OUR_NUMBER, "Body": "hi"}
    assert (await post_sms(sandbox_url, form))[0] == 500
    assert (await post_sms(sandbox_url, form))[0] == 201


async def test_an_injected_429_says_when_to_retry(sms_sandbox, sandbox_url):
    sms_sandbox.inject_error("sms", status=429, retry_after=4)
    url = f"{sandbox_url}/sms/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    form = {"To": ALICE_PHONE, "From": OUR_NUMBER, "Body": "hi"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=form, headers={"Authorization": basic_auth(AUTH_TOKEN)}) as response,
    ):
        assert (response.status, response.headers["Retry-After"]) == (429, "4")
        assert (await response.json())["code"] == 20429


async def test_an_injected_delay_makes_a_hurried_client_time_out(sms_sandbox, sandbox_url):
    sms_sandbox.inject_delay("sms", 0.5)
    url = f"{sandbox_url}/sms/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    form = {"To": ALICE_PHONE, "From": OUR_NUMBER, "Body": "slow"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.2)) as session:
        with pytest.raises(TimeoutError):
            await session.post(url, data=form, headers={"Authorization": basic_auth(AUTH_TOKEN)})


async def test_a_persons_reply_reaches_the_inbound_webhook_signed(sms_sandbox, receiver_url):
    receiver, hooks = receiver_url
    assert await sms_sandbox.sms_reply(ALICE_PHONE, "TD") == 200
    url, params, signature = receiver.posts[-1]
    assert (params["From"], params["To"], params["Body"]) == (ALICE_PHONE, OUR_NUMBER, "TD")
    assert url == f"{hooks}/sms/inbound"
    assert is_valid_twilio_signature(AUTH_TOKEN, url, params, signature)
    assert sms_sandbox.inbox_of(ALICE)[-1].direction == "out"
