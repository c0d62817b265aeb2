"""What handlers reach: the services, through a typed context instead of globals."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from telegram.ext import Application, CallbackContext, ExtBot

from adapters.db.unit_of_work import SqlUnitOfWork, UnitOfWorkFactory
from domain.counts import VarianceThreshold
from domain.search import ProductSearchIndex, SearchEntry

R = TypeVar("R")


@dataclass(slots=True)
class BotSettings:
    callback_secret: str
    count_variance: VarianceThreshold = field(default_factory=VarianceThreshold)
    count_asks_quantity: bool = False
    undo_window_minutes: int = 5
    tz_name: str = "Asia/Shanghai"


class CatalogSearch:
    """The name-search index, rebuilt when the catalogue has changed (checked at most once a minute)."""

    def __init__(self, uow: UnitOfWorkFactory, refresh_seconds: float = 60.0) -> None:
        self._uow = uow
        self._refresh = refresh_seconds
        self._index: ProductSearchIndex | None = None
        self._fingerprint: tuple | None = None
        self._checked = 0.0

    def index(self) -> ProductSearchIndex:
        now = time.monotonic()
        if self._index is not None and now - self._checked < self._refresh:
            return self._index
        self._checked = now
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

    async def write(self, action: Callable[[SqlUnitOfWork], R]) -> R:
        """Run a command in its own transaction, off the event loop."""
        return await asyncio.to_thread(self.uow.run, action)

    async def read(self, query: Callable[[SqlUnitOfWork], R]) -> R:
        def run() -> R:
            with self.uow(readonly=True) as unit:
                return query(unit)

        return await asyncio.to_thread(run)


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> BotServices:
        return self.application.bot_data["services"]


def attach_services(application: Application, services: BotServices) -> None:
    application.bot_data["services"] = services
