"""One bot's pending updates: getUpdates long polling and webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from .errors import POLL_CONFLICT
from .notify import Changed

log = logging.getLogger(__name__)

# Telegram first retries a failing webhook quickly, then backs off; a few quick tries suit tests.
WEBHOOK_RETRY_DELAYS = (0.1, 0.3, 0.6)


@dataclass
class Webhook:
    """What setWebhook registered, plus the delivery outcome getWebhookInfo reports."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None
    attempts: int = 0


class UpdateQueue:
    """Updates waiting for one bot, numbered upwards, dropped once acknowledged."""

    def __init__(self, first_update_id: int = 1) -> None:
        self.pending: list[dict[str, Any]] = []
        self.allowed_updates: list[str] | None = None
        self.webhook: Webhook | None = None
        self.delivered_count = 0
        self._next_id = first_update_id
        self._changed = Changed()
        self._poll_generation = 0
        self._released = False
        self._delivery: asyncio.Task[None] | None = None

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update of `kind` (message, callback_query, ...) unless the bot filtered it out."""
        if self.allowed_updates and kind not in self.allowed_updates:
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self.pending.append(update)
        self._changed.fire()
        return update

    def acknowledge(self, offset: int) -> None:
        """Forget updates below `offset`; a negative offset keeps only the last -offset ones."""
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def clear(self) -> None:
        self.pending.clear()

    async def take(self, offset: int | None, limit: int, timeout: float) -> list[dict[str, Any]]:
        """getUpdates: acknowledge, then wait up to `timeout` s for updates; 409 if a newer poll starts."""
        if offset is not None:
            self.acknowledge(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._changed.fire()  # wake an older poll so it can answer 409
        deadline = time.monotonic() + timeout
        while not self.pending and not self._released:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await self._changed.wait(remaining)
            if generation != self._poll_generation:
                raise POLL_CONFLICT
        return self.pending[: max(1, min(limit, 100))]

    def set_webhook(self, webhook: Webhook | None, drop_pending: bool) -> None:
        """Install or remove the webhook; delivery starts with the running event loop."""
        if drop_pending:
            self.clear()
        self.webhook = webhook
        if self._delivery is not None:
            self._delivery.cancel()
            self._delivery = None
        if webhook is not None:
            self._delivery = asyncio.get_running_loop().create_task(self._deliver_forever(webhook))
        self._changed.fire()

    def release(self) -> None:
        """Answer waiting long polls now, so a server shutting down need not wait for them."""
        self._released = True
        self._changed.fire()

    async def stop(self) -> None:
        """Stop webhook delivery (on sandbox shutdown)."""
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
            self._delivery = None

    async def _deliver_forever(self, webhook: Webhook) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while True:
                while not self.pending:
                    await self._changed.wait(3600)
                update = self.pending[0]
                await self._deliver_one(session, webhook, update)
                if self.pending and self.pending[0] is update:
                    self.pending.pop(0)

    async def _deliver_one(
        self, session: aiohttp.ClientSession, webhook: Webhook, update: dict[str, Any]
    ) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": webhook.secret_token} if webhook.secret_token else {}
        for delay in (*WEBHOOK_RETRY_DELAYS, None):
            webhook.attempts += 1
            try:
                async with session.post(webhook.url, json=update, headers=headers) as response:
                    if 200 <= response.status < 300:
                        self.delivered_count += 1
                        return
                    problem = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                problem = f"Connection failed: {exc.__class__.__name__}"
            webhook.last_error_date, webhook.last_error_message = int(time.time()), problem
            if delay is None:
                log.warning("sandbox gave up delivering update %s: %s", update["update_id"], problem)
                return
            await asyncio.sleep(delay)
