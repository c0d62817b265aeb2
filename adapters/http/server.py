"""The project's one aiohttp server: health, the receipts API, and what other parts mount."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field

from aiohttp import web

HealthCheck = Callable[[], dict[str, object]]


@dataclass(slots=True)
class WebParts:
    routes: list[web.RouteDef] = field(default_factory=list)
    mounts: list[Callable[[web.Application], None]] = field(default_factory=list)
    lifetimes: list[Callable[[web.Application], AsyncIterator[None]]] = field(default_factory=list)


def init_app(health: HealthCheck, parts: Iterable[WebParts] = ()) -> web.Application:
    app = web.Application(client_max_size=25 * 1024 * 1024)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", **health()})

    app.router.add_get("/health", healthz)
    for part in parts:
        app.router.add_routes(part.routes)
        for mount in part.mounts:
            mount(app)
        app.cleanup_ctx.extend(part.lifetimes)
    return app
