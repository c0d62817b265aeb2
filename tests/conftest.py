"""Shared fixtures: real databases (SQLite always, PostgreSQL when reachable) and clocks.

PostgreSQL comes from TEST_POSTGRES_URL (`.ci/run` starts a server and sets
it). Without it the PostgreSQL variants skip locally; with CI=true they fail,
so CI can never pass without having tested PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from adapters.db.engine import Database, open_database
from adapters.db.migrate import upgrade_to_head
from adapters.db.unit_of_work import UnitOfWorkFactory

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("CI=true but TEST_POSTGRES_URL is not set: PostgreSQL tests cannot be skipped in CI")
        pytest.skip("TEST_POSTGRES_URL not set; PostgreSQL variant skipped locally")
    try:
        with create_engine(POSTGRES_URL).connect() as connection:
            connection.execute(text("select 1"))
    except Exception as error:  # noqa: BLE001 - any connection failure means the same thing here
        if IN_CI:
            pytest.fail(f"PostgreSQL at TEST_POSTGRES_URL is unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    return POSTGRES_URL


def fresh_postgres_database(server_url: str) -> str:
    """A new empty database on the test server, migrated to head."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade_to_head(url)
    return url


def drop_postgres_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        db = open_database(f"sqlite:///{path}")
        yield db
        db.dispose()
        return
    server = request.getfixturevalue("postgres_server_url")
    url = fresh_postgres_database(server)
    db = open_database(url)
    yield db
    db.dispose()
    drop_postgres_database(server, url)


@pytest.fixture
def sqlite_database(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    db = open_database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def uow(database: Database) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(database)


class FrozenClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()
