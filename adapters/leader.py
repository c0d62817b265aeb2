"""One leader among the `serve` processes sharing a database: only it fires scheduled jobs.

PostgreSQL: a session advisory lock on a connection of its own, held for as
long as the process leads; when the process dies the server drops the
connection and with it the lock, and a standby's next try succeeds.
SQLite: an exclusive flock on a file next to the database (flock locks belong
to the open file, so two schedulers in one process exclude each other too).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import tempfile
from pathlib import Path
from typing import IO, Protocol

import psycopg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)
SCHEDULER_LOCK_KEY = 0x5E7A11  # an arbitrary number every instance of this application agrees on


class LeaderLock(Protocol):
    def try_acquire(self) -> bool:
        """Become leader if nobody is; never blocks."""
        ...

    def is_held(self) -> bool:
        """Still leader? (False once the lock's connection or file is gone.)"""
        ...

    def release(self) -> None: ...


class PostgresAdvisoryLock:
    def __init__(self, database_url: str, key: int = SCHEDULER_LOCK_KEY) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self._key = key
        self._connection: psycopg.Connection | None = None

    def try_acquire(self) -> bool:
        try:
            if self._connection is None or self._connection.closed:
                self._connection = psycopg.connect(self._conninfo, autocommit=True, application_name="scheduler-leader")
            row = self._connection.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
        except psycopg.Error as error:
            log.warning("cannot reach PostgreSQL for the leader lock: %s", error)
            self._drop()
            return False
        if not row or not row[0]:
            self._drop()  # do not hold an idle connection while standing by
            return False
        return True

    def is_held(self) -> bool:
        if self._connection is None or self._connection.closed:
            return False
        try:
            self._connection.execute("SELECT 1")
        except psycopg.Error:
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._connection is not None and not self._connection.closed:
            with contextlib.suppress(psycopg.Error):  # closing the connection below releases it anyway
                self._connection.execute("SELECT pg_advisory_unlock(%s)", (self._key,))
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def is_held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def leader_lock_for(database_url: str) -> LeaderLock:
    """The right kind of lock for the configured database."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresAdvisoryLock(database_url)
    database = url.database
    if not database or database == ":memory:":
        return FileLock(Path(tempfile.gettempdir()) / "retail-scheduler.lock")
    return FileLock(Path(database).with_name(Path(database).name + ".scheduler.lock"))
