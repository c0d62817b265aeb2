"""Driver-level executemany for the hot paths.

SQLAlchemy's per-row parameter processing costs more than SQLite's insert
itself when a batch has a hundred thousand rows; these statements go straight
to the DB-API cursor. SQL is written with `?` and adapted to the driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import Connection


def driver_sql(connection: Connection, sql: str) -> str:
    return sql if connection.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def execute_many(connection: Connection, sql: str, rows: Sequence[tuple]) -> None:
    if rows:
        connection.exec_driver_sql(driver_sql(connection, sql), list(rows))


def fetch_all(connection: Connection, sql: str, params: tuple = ()) -> list[tuple]:
    return list(connection.exec_driver_sql(driver_sql(connection, sql), params).fetchall())


def db_time(connection: Connection, moment: datetime) -> object:
    """A UTC timestamp as the column stores it: SQLAlchemy's text format on SQLite."""
    if connection.dialect.name != "sqlite":
        return moment.astimezone(UTC)
    return _sqlite_text(moment)


@lru_cache(maxsize=4096)
def _sqlite_text(moment: datetime) -> str:
    # Lines of one receipt, and receipts of one second, share a timestamp: format each once.
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%d %H:%M:%S}.{utc.microsecond:06d}"


def placeholders(count: int) -> str:
    return ",".join("?" * count)
