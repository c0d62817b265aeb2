"""`main.py serve` on a fresh machine: the web server, the sandbox and the bot come up and go down cleanly."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp

from adapters.settings import Settings
from main import serve


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _get_json(url: str) -> dict:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(url) as response:
                    return await response.json()
            except aiohttp.ClientConnectorError:
                await asyncio.sleep(0.05)
    raise AssertionError(f"nothing answered at {url}")


async def test_serve_without_a_token_runs_on_the_sandbox_and_stops_when_told(tmp_path: Path) -> None:
    port = _free_port()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'data' / 'retail.db'}",
        http_port=port,
        telegram_token="",
        _env_file=None,
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(settings, stop))

    health = await _get_json(f"http://127.0.0.1:{port}/health")
    me = await _get_json(f"http://127.0.0.1:{port}/bot{'x'}/getMe")  # an unknown token is refused, not crashed

    stop.set()
    await asyncio.wait_for(serving, 30)
    assert health == {"status": "ok", "database": "sqlite", "telegram": "sandbox"}
    assert me["ok"] is False
    assert (tmp_path / "data" / "retail.db").exists()
