"""Engines for the configured database, with the settings each backend needs.

SQLite is the embedded default. It allows one writer at a time, so write
transactions start with BEGIN IMMEDIATE: a second writer waits for the lock
instead of discovering a conflict halfway through ("two sales of the last
unit": the second sees the first's result). Writers queue on a kernel lock
beside the database file before that: SQLite's own busy handler polls with
growing sleeps, so a process that writes in a tight loop (a dispatcher, an
import) starves the others for seconds; a blocked flock() wakes the moment
the lock is free, and the kernel frees it if its holder dies. Reads use a separate engine with
ordinary deferred transactions so lookups never queue behind writers (WAL).
PostgreSQL uses one engine and row locks (SELECT ... FOR UPDATE).
"""

from __future__ import annotations

import fcntl
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


@dataclass(slots=True)
class Database:
    url: str
    writer: Engine
    reader: Engine

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.writer.dialect.name == "postgresql"

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()


def open_database(url: str, *, pool_size: int = 5) -> Database:
    """Engines for `url`; a SQLite file's folder is created when missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Database(url, _sqlite_engine(url, immediate=True), _sqlite_engine(url, immediate=False))
    engine = create_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)
    return Database(url, engine, engine)


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    lock_path = f"{database}-writer.lock" if immediate and database and database != ":memory:" else None

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, record):  # type: ignore[no-untyped-def]
        if lock_path:
            # One open file per connection: flock() excludes other threads of this process too.
            record.info["writer_lock"] = open(lock_path, "a+b")  # noqa: SIM115 - closed with the connection
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-262144")  # 256 MB: positions and ledger indexes stay in memory
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        lock = connection.connection.info.get("writer_lock")
        if lock is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        except BaseException:
            _unlock(connection)
            raise

    # Both fire just before the driver's COMMIT/ROLLBACK: the next writer's BEGIN IMMEDIATE may meet
    # the lock for the last microseconds, which the busy timeout covers.
    event.listen(engine, "commit", _unlock)
    event.listen(engine, "rollback", _unlock)

    @event.listens_for(engine, "close")
    def _close(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        lock = record.info.pop("writer_lock", None)
        if lock is not None:
            lock.close()

    return engine


def _unlock(connection) -> None:  # type: ignore[no-untyped-def]
    lock = connection.connection.info.get("writer_lock")
    if lock is not None:
        fcntl.flock(lock, fcntl.LOCK_UN)
