"""Driver-level executemany for the hot paths.

SQLAlchemy's per-row parameter processing costs more than SQLite's insert
itself when a batch has a hundred thousand rows; these statements go straight
to the DB-API cursor. SQL is written with `?` and adapted to the driver.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


def driver_sql(connection: Connection, sql: str) -> str:
    return sql if connection.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def execute_many(connection: Connection, sql: str, rows: Sequence[tuple]) -> None:
    if rows:
        connection.exec_driver_sql(driver_sql(connection, sql), list(rows))


def fetch_all(connection: Connection, sql: str, params: tuple = ()) -> list[tuple]:
    """Plain tuples from the driver's own cursor, in the connection's transaction.

    SQLAlchemy's result rows cost more than SQLite's query when a posting loads two hundred thousand
    positions. Driver errors are wrapped the way SQLAlchemy wraps them, so retries still see a lost race.
    """
    statement = driver_sql(connection, sql)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement, params)
        return cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            statement, params, error, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from error
    finally:
        cursor.close()


def db_time(connection: Connection, moment: datetime) -> object:
    """A UTC timestamp as the column stores it: SQLAlchemy's text format on SQLite."""
    return db_time_writer(connection)(moment)


def db_time_writer(connection: Connection) -> Callable[[datetime], object]:
    """`db_time` for this connection's database, chosen once for a batch of rows."""
    return _sqlite_text if connection.dialect.name == "sqlite" else _utc


@lru_cache(maxsize=4096)
def _sqlite_text(moment: datetime) -> str:
    # Lines of one receipt, and receipts of one second, share a timestamp: format each once.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def placeholders(count: int) -> str:
    return ",".join("?" * count)
