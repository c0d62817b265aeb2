"""End-to-end fixtures: the real bot against the sandbox over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.barcode import BarcodeReader
from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.telegram_sandbox import TelegramSandbox
from main import build_bot
from tests.e2e.world import (
    World,
    load_chain,
    populate_sandbox,
    serve_sandbox,
    settings_for,
    start_polling,
    stop,
)


@pytest.fixture
async def world(sqlite_database, tmp_path: Path, clock) -> AsyncIterator[World]:  # type: ignore[no-untyped-def]
    uow = UnitOfWorkFactory(sqlite_database)
    load_chain(uow, tmp_path, clock)
    sandbox = TelegramSandbox()
    populate_sandbox(sandbox)
    runner, url = await serve_sandbox(sandbox)
    reader = BarcodeReader(workers=1)
    application = build_bot(settings_for(url), uow, clock, barcode_reader=reader)
    await start_polling(application)
    try:
        yield World(sandbox, uow, application, url)
    finally:
        sandbox.release_waiters()
        await stop(application)
        await sandbox.close()
        await runner.cleanup()
        reader.close()
