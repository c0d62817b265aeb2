"""Injected failures and Telegram's send limits reach PTB as the exceptions production would raise."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from adapters.telegram_sandbox import RateLimits, TelegramSandbox, create_sandbox_app
from tests.adapters.sandbox.sandbox_world import ALICE, BOB, STORE_GROUP, bot_for, populate, serve

# PTB 22.2+ warns on every RetryAfter that retry_after will become a timedelta; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def retry_seconds(error: RetryAfter) -> float:
    """PTB 22 reports int seconds unless PTB_TIMEDELTA opts into timedelta; accept both."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def test_injected_429_raises_retry_after_with_its_delay_once(bot, sandbox):
    sandbox.inject_error("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as limited:
        await bot.send_message(ALICE, "first")
    assert retry_seconds(limited.value) == 7
    assert (await bot.send_message(ALICE, "second")).text == "second"


async def test_injected_500s_are_network_errors_for_the_given_number_of_calls(bot, sandbox):
    sandbox.inject_error("*", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.get_me()
    assert (await bot.get_me()).username == "shop_assistant_bot"


async def test_injected_delay_outlasting_the_read_timeout_times_out(sandbox, sandbox_url):
    sandbox.inject_delay("sendMessage", 0.6)
    async with bot_for(sandbox_url, request=HTTPXRequest(read_timeout=0.2)) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(ALICE, "slow")


async def test_an_injected_description_is_passed_through(bot, sandbox):
    sandbox.inject_error("sendMessage", status=400, description="Bad Request: PEER_ID_INVALID")
    with pytest.raises(BadRequest, match="(?i)peer_id_invalid"):
        await bot.send_message(ALICE, "x")


@pytest.fixture
async def limited_sandbox_url():
    sandbox = TelegramSandbox(
        enforce_rate_limits=True, rate_limits=RateLimits(group_chat=(3, 60.0), overall=(4, 10.0))
    )
    populate(sandbox)
    runner, url = await serve(create_sandbox_app(sandbox))
    yield sandbox, url
    await runner.cleanup()


async def test_a_second_private_message_within_a_second_is_refused_with_retry_after(limited_sandbox_url):
    sandbox, url = limited_sandbox_url
    async with bot_for(url) as bot:
        await bot.send_message(ALICE, "one")
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(ALICE, "two")
    assert retry_seconds(limited.value) == 1
    assert [record.accepted for record in sandbox.limiter.log] == [True, False]


async def test_group_and_overall_ceilings_are_counted_separately(limited_sandbox_url):
    sandbox, url = limited_sandbox_url
    async with bot_for(url) as bot:
        for n in range(3):
            await bot.send_message(STORE_GROUP, f"group {n}")
        with pytest.raises(RetryAfter) as group_limited:
            await bot.send_message(STORE_GROUP, "group 4")
        await bot.send_message(BOB, "private, fourth overall")
        with pytest.raises(RetryAfter):
            await bot.send_message(ALICE, "fifth overall within ten seconds")
    assert retry_seconds(group_limited.value) > 50
    assert sum(record.accepted for record in sandbox.limiter.log) == 4


async def test_limits_free_up_as_time_passes(limited_sandbox_url):
    sandbox, url = limited_sandbox_url
    async with bot_for(url) as bot:
        await bot.send_message(ALICE, "one")
        await asyncio.sleep(1.05)
        assert (await bot.send_message(ALICE, "one second later")).text == "one second later"
