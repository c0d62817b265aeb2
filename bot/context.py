"""What handlers reach: the services, through a typed context instead of globals."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from telegram.ext import Application, CallbackContext, ExtBot

from adapters.db.unit_of_work import SqlUnitOfWork, UnitOfWorkFactory
from domain.counts import VarianceThreshold
from domain.search import ProductSearchIndex, SearchEntry
from domain.services.lookup import Chain

R = TypeVar("R")
LOCATIONS_TTL_SECONDS = 60.0
RECENT_UPDATES = 10_000  # update keys remembered in memory: minutes of a busy chain


@dataclass(slots=True)
class BotSettings:
    callback_secret: str
    count_variance: VarianceThreshold = field(default_factory=VarianceThreshold)
    count_asks_quantity: bool = False
    undo_window_minutes: int = 5
    tz_name: str = "Asia/Shanghai"
    purchase_order_lang: str = "zh"


class CatalogSearch:
    """The name-search index, rebuilt when the catalogue has changed (checked at most once a minute)."""

    def __init__(self, uow: UnitOfWorkFactory, refresh_seconds: float = 60.0) -> None:
        self._uow = uow
        self._refresh = refresh_seconds
        self._index: ProductSearchIndex | None = None
        self._fingerprint: tuple | None = None
        self._checked = 0.0

    @property
    def is_fresh(self) -> bool:
        return self._index is not None and time.monotonic() - self._checked < self._refresh

    def index(self) -> ProductSearchIndex:
        """The index; checks the catalogue (and rebuilds) when it is older than the refresh period."""
        if self.is_fresh:
            assert self._index is not None
            return self._index
        self._checked = time.monotonic()
        with self._uow(readonly=True) as unit:
            fingerprint = unit.catalog.fingerprint()
            if fingerprint != self._fingerprint or self._index is None:
                self._index = ProductSearchIndex(
                    SearchEntry(p.sku, p.name, p.brand, p.category) for p in unit.catalog.all(with_barcodes=False)
                )
                self._fingerprint = fingerprint
        return self._index


class RecentUpdates:
    """Keys this process has seen, the oldest forgotten first."""

    def __init__(self, size: int = RECENT_UPDATES) -> None:
        self._size = size
        self._seen: dict[str, None] = {}

    def first_time(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self._size:
            del self._seen[next(iter(self._seen))]
        return True


@dataclass(slots=True)
class BotServices:
    uow: UnitOfWorkFactory
    clock: Callable[[], datetime]
    settings: BotSettings
    search: CatalogSearch
    barcode_reader: Any = None  # adapters.barcode.BarcodeReader, when photos are enabled
    languages: dict[int, str] = field(default_factory=dict)  # per-chat /lang, cached
    # Database work runs here, not on the event loop; SQLite readers run in parallel under WAL.
    executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(4, thread_name_prefix="db"))
    chat_stores: dict[int, tuple[float, str | None]] = field(default_factory=dict)
    staff_cache: dict[int, tuple[float, Any]] = field(default_factory=dict)
    recent_updates: RecentUpdates = field(default_factory=RecentUpdates)  # read-only updates seen (bot/dedupe.py)
    _chain: tuple[float, Chain | None] = (0.0, None)
    on_sqlite: bool = field(init=False)

    def __post_init__(self) -> None:
        self.on_sqlite = self.uow.database.is_sqlite

    async def write(self, action: Callable[[SqlUnitOfWork], R]) -> R:
        """Run a command in its own transaction, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.uow.run, action)

    async def read(self, query: Callable[[SqlUnitOfWork], R]) -> R:
        def run() -> R:
            with self.uow(readonly=True) as unit:
                return query(unit)

        return await asyncio.get_running_loop().run_in_executor(self.executor, run)

    async def lookup(self, query: Callable[[SqlUnitOfWork], R]) -> R:
        """A short read-only query (a product card, who someone is) for answering a message.

        On SQLite it runs right here: a WAL reader never waits for writers, and
        the hop to a worker thread (and back through the GIL) cost more than the
        query. On a database across the network it goes to the pool like any read.
        """
        if not self.on_sqlite:
            return await self.read(query)
        with self.uow(readonly=True) as unit:
            return query(unit)

    async def chain(self) -> Chain:
        """All stores and warehouses, nearest neighbours ranked as asked for; re-read at most once a minute."""
        stamp, cached = self._chain
        if cached is None or time.monotonic() - stamp > LOCATIONS_TTL_SECONDS:
            cached = Chain(await self.lookup(lambda unit: unit.locations.all()))
            self._chain = (time.monotonic(), cached)
        return cached

    async def search_index(self) -> ProductSearchIndex:
        """The name index without blocking the loop when it has to be rebuilt."""
        if self.search.is_fresh:
            return self.search.index()
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.search.index)

    def close(self) -> None:
        self.executor.shutdown(wait=True)


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> BotServices:
        return self.application.bot_data["services"]


def attach_services(application: Application, services: BotServices) -> None:
    application.bot_data["services"] = services
