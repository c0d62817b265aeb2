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
from domain.locations import Location
from domain.search import ProductSearchIndex, SearchEntry

R = TypeVar("R")
LOCATIONS_TTL_SECONDS = 60.0


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
    _locations: tuple[float, list[Location] | None] = (0.0, None)

    async def write(self, action: Callable[[SqlUnitOfWork], R]) -> R:
        """Run a command in its own transaction, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.uow.run, action)

    async def read(self, query: Callable[[SqlUnitOfWork], R]) -> R:
        def run() -> R:
            with self.uow(readonly=True) as unit:
                return query(unit)

        return await asyncio.get_running_loop().run_in_executor(self.executor, run)

    async def locations(self) -> list[Location]:
        """All stores and warehouses, re-read at most once a minute."""
        stamp, cached = self._locations
        if cached is None or time.monotonic() - stamp > LOCATIONS_TTL_SECONDS:
            cached = await self.read(lambda unit: unit.locations.all())
            self._locations = (time.monotonic(), cached)
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
