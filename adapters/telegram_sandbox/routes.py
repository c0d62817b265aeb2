"""HTTP wiring: the Bot API, file downloads, the SMS endpoint, the chat page and its JSON API."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from aiohttp import web

from . import page_api
from .bot_api import find_method
from .call import Call
from .errors import METHOD_NOT_FOUND, UNAUTHORIZED, ApiError
from .params import read_params
from .sandbox import SANDBOX_KEY, TelegramSandbox

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
UPLOAD_LIMIT = 60 * 1024 * 1024


def setup_sandbox_routes(app: web.Application, sandbox: TelegramSandbox, page_path: str = "/") -> None:
    """Add every sandbox route at root paths, so the sandbox can share another aiohttp app.

    The chat page is served at `page_path`; everything else has fixed paths
    (/bot..., /file/bot..., /sms/2010-04-01/..., /sandbox/...).

    The app's shutdown answers pending long polls and its cleanup closes the sandbox
    (webhook deliveries, SMS callbacks, SMTP sinks).
    """
    app[SANDBOX_KEY] = sandbox

    async def release(app: web.Application) -> None:
        sandbox.release_waiters()

    async def close(app: web.Application) -> None:
        await sandbox.close()

    app.on_shutdown.append(release)
    app.on_cleanup.append(close)
    app.router.add_route("*", r"/bot{token}/{method}", _bot_api)
    app.router.add_get(r"/file/bot{token}/{file_path:.+}", _download)
    app.router.add_post(r"/sms/2010-04-01/Accounts/{sid}/Messages.json", _sms_send)
    page_api.add_routes(app)
    app.router.add_get(page_path, _chat_page)
    app.router.add_static("/sandbox/static/", STATIC_DIR)


def create_sandbox_app(sandbox: TelegramSandbox) -> web.Application:
    """A standalone aiohttp app serving only the sandbox; closing it stops deliveries and sinks."""
    app = web.Application(client_max_size=UPLOAD_LIMIT)
    setup_sandbox_routes(app, sandbox)
    return app


def _sandbox(request: web.Request) -> TelegramSandbox:
    return request.app[SANDBOX_KEY]


async def _bot_api(request: web.Request) -> web.StreamResponse:
    sandbox = _sandbox(request)
    try:
        bot = sandbox.state.bots.get(request.match_info["token"])
        if bot is None:
            raise UNAUTHORIZED
        method = request.match_info["method"]
        handler = find_method(method)
        if handler is None:
            raise METHOD_NOT_FOUND
        params = await read_params(request)
        fault = sandbox.faults.take(method.lower())
        if fault is not None:
            await asyncio.sleep(fault.delay)
            error = fault.error()
            if error is not None:
                raise error
        result = await handler(Call(sandbox.state, sandbox.limiter, bot, params))
    except ApiError as error:
        return web.json_response(error.body(), status=error.status)
    return web.json_response({"ok": True, "result": result})


async def _download(request: web.Request) -> web.StreamResponse:
    sandbox = _sandbox(request)
    if request.match_info["token"] not in sandbox.state.bots:
        return web.json_response(UNAUTHORIZED.body(), status=401)
    stored = sandbox.state.file_by_path(request.match_info["file_path"])
    if stored is None:
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
    return web.Response(body=stored.data, content_type=stored.mime_type)


async def _sms_send(request: web.Request) -> web.StreamResponse:
    return await _sandbox(request).sms.handle_send(request)


async def _chat_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-store"})
