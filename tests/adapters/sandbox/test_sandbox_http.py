"""The wire format: JSON bodies, GET queries and Telegram's exact error bodies."""

from __future__ import annotations

import aiohttp

from tests.adapters.sandbox.sandbox_world import ALICE, TOKEN


async def call(url: str, method: str, http: str = "POST", **kwargs) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.request(http, url + method, **kwargs) as response:
        return response.status, await response.json()


async def test_json_body_and_query_string_are_both_understood(sandbox_url):
    base = f"{sandbox_url}/bot{TOKEN}/"
    status, body = await call(
        base, "sendMessage", json={"chat_id": ALICE, "text": "<i>hi</i>", "parse_mode": "HTML"}
    )
    assert (status, body["ok"], body["result"]["text"]) == (200, True, "hi")
    status, body = await call(base, "getMe", "GET")
    assert body["result"]["username"] == "shop_assistant_bot"
    status, body = await call(base, "getChat", "GET", params={"chat_id": str(ALICE)})
    assert body["result"]["type"] == "private"


async def test_error_bodies_are_telegrams(sandbox_url):
    assert await call(f"{sandbox_url}/bot{TOKEN}/", "noSuchMethod") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    assert await call(f"{sandbox_url}/bot1:bad/", "getMe") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await call(f"{sandbox_url}/bot{TOKEN}/", "sendMessage", data={"chat_id": "42", "text": "x"}) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
    )


async def test_injected_429_body_carries_retry_after(sandbox, sandbox_url):
    sandbox.inject_error("getMe", status=429, retry_after=3)
    assert await call(f"{sandbox_url}/bot{TOKEN}/", "getMe") == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        },
    )


async def test_method_names_are_case_insensitive_like_telegram(sandbox_url):
    status, body = await call(f"{sandbox_url}/bot{TOKEN}/", "GETME", "GET")
    assert status == 200 and body["result"]["id"] == 123456
