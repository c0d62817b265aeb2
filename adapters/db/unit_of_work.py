"""One business action, one transaction: the unit of work hands out repositories
bound to a single connection and commits only when told to."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from adapters.db.alert_repository import AlertRepository
from adapters.db.campaign_repository import CampaignRepository
from adapters.db.engine import Database
from adapters.db.member_frames_db import MemberFramesReader
from adapters.db.outbox_repository import OutboxRepository
from adapters.db.replenishment_repository import ReplenishmentRepository
from adapters.db.repositories import (
    CatalogRepository,
    ChatSettings,
    CountRepository,
    LocationRepository,
    MemberRepository,
    ProcessedKeys,
    ReceiptRepository,
    StaffRepository,
    TransferRepository,
    UserActions,
)
from adapters.db.stock_repository import StockRepository
from domain.stock import Movement

R = TypeVar("R")
# Runs inside the transaction, after the ledger is written and before it commits (e.g. low-stock alerts).
CommitHook = Callable[["SqlUnitOfWork", list[Movement]], None]


class SqlUnitOfWork:
    def __init__(self, database: Database, *, readonly: bool = False, before_commit: Sequence[CommitHook] = ()) -> None:
        self._database = database
        self._readonly = readonly
        self._committed = False
        self._before_commit = before_commit

    def __enter__(self) -> SqlUnitOfWork:
        engine = self._database.reader if self._readonly else self._database.writer
        self.connection: Connection = engine.connect()
        self._transaction = self.connection.begin()
        lock = self._database.is_postgres and not self._readonly
        self.locations = LocationRepository(self.connection)
        self.catalog = CatalogRepository(self.connection)
        self.stock = StockRepository(self.connection, lock_rows=lock)
        self.receipts = ReceiptRepository(self.connection)
        self.staff = StaffRepository(self.connection)
        self.members = MemberRepository(self.connection)
        self.transfers = TransferRepository(self.connection, lock_rows=lock)
        self.counts = CountRepository(self.connection, lock_rows=lock)
        self.processed = ProcessedKeys(self.connection)
        self.chat_settings = ChatSettings(self.connection)
        self.actions = UserActions(self.connection)
        self.outbox = OutboxRepository(self.connection, lock_rows=lock)
        self.alerts = AlertRepository(self.connection, lock_rows=lock)
        self.campaigns = CampaignRepository(self.connection)
        self.member_frames = MemberFramesReader(self.connection)
        self.replenishment = ReplenishmentRepository(self.connection, lock_rows=lock)
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.close()

    def commit(self) -> None:
        if self._readonly:
            raise RuntimeError("a read-only unit of work cannot commit")
        moved = self.stock.save()
        for hook in self._before_commit:
            hook(self, moved)
        self._transaction.commit()
        self._committed = True

    def rollback(self) -> None:
        self._transaction.rollback()


class UnitOfWorkFactory:
    """What services receive: opens units of work, and retries the ones that lost a race."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.before_commit: list[CommitHook] = []  # the composition root plugs reactions to stock changes in here

    def __call__(self, *, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.database, readonly=readonly, before_commit=self.before_commit)

    def run(self, action: Callable[[SqlUnitOfWork], R], *, attempts: int = 5) -> R:
        """Run `action` in a fresh unit of work, again if a concurrent writer got there first."""
        for attempt in range(1, attempts + 1):
            try:
                with self() as uow:
                    return action(uow)
            except (IntegrityError, OperationalError) as error:
                if attempt == attempts or not _is_retryable(error):
                    raise
                time.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")


def _is_retryable(error: Exception) -> bool:
    text = str(getattr(error, "orig", error)).lower()
    return any(
        marker in text
        for marker in ("deadlock", "could not serialize", "database is locked", "duplicate key", "unique constraint")
    )
