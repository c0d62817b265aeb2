"""POST /telegram/webhook: Telegram pushes updates here in webhook mode.

Only requests carrying our secret in `X-Telegram-Bot-Api-Secret-Token` are
accepted; anyone can find the URL, nobody else knows the secret.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_routes(application: Application, secret: str) -> list[web.RouteDef]:
    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook call refused: bad secret from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            payload = json.loads(await request.text())
            update = Update.de_json(payload, application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="bad update")
        if update is None:
            return web.Response(status=400, text="bad update")
        await application.update_queue.put(update)
        return web.Response(text="ok")

    return [web.post(WEBHOOK_PATH, receive)]
