"""Writers in different processes take turns on an SQLite database instead of starving each other."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from sqlalchemy import text

from adapters.db.engine import open_database

BUSY_SECONDS = 1.5


def _write_in_a_tight_loop(url: str, started) -> None:  # type: ignore[no-untyped-def]
    database = open_database(url)
    started.set()
    deadline = time.monotonic() + BUSY_SECONDS
    while time.monotonic() < deadline:
        with database.writer.begin() as connection:
            connection.execute(text("insert into tally values ('busy')"))
            time.sleep(0.002)  # a transaction's own work
    database.dispose()


def test_a_writer_waits_about_one_transaction_not_until_a_busy_process_pauses(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    database = open_database(url)
    with database.writer.begin() as connection:
        connection.execute(text("create table tally (who text)"))
    started = multiprocessing.get_context("fork").Event()
    busy = multiprocessing.get_context("fork").Process(target=_write_in_a_tight_loop, args=(url, started))
    busy.start()
    started.wait(10)
    waits = []
    deadline = time.monotonic() + BUSY_SECONDS - 0.3
    while time.monotonic() < deadline:
        asked = time.monotonic()
        with database.writer.begin() as connection:
            waits.append(time.monotonic() - asked)
            connection.execute(text("insert into tally values ('patient')"))
        time.sleep(0.01)
    busy.join(10)
    with database.reader.connect() as connection:
        counts = dict(connection.execute(text("select who, count(*) from tally group by who")).all())
    database.dispose()
    assert counts["busy"] > 50, "the busy process did write"
    assert max(waits) < 0.5, f"a writer waited {max(waits):.2f} s behind the busy process"
