"""Several serve processes, one leader: a second scheduler stands by and takes over when the first goes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import create_engine, text

from adapters.leader import FileLock, PostgresAdvisoryLock
from notifications.scheduler import ScheduledJob, Scheduler, ScheduleSettings
from tests.conftest import drop_postgres_database, fresh_postgres_database

FAST = ScheduleSettings(standby_poll_seconds=0.05)


async def idle() -> None:
    return None


@pytest.fixture(params=["sqlite", "postgres"])
def lock_and_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Callable[[], object], str]]:
    if request.param == "sqlite":
        yield (lambda: FileLock(tmp_path / "jobs.db.scheduler.lock")), f"sqlite:///{tmp_path / 'jobs.db'}"
        return
    server = request.getfixturevalue("postgres_server_url")
    url = fresh_postgres_database(server)
    yield (lambda: PostgresAdvisoryLock(url)), url
    drop_postgres_database(server, url)


def instance(lock_and_url) -> Scheduler:  # type: ignore[no-untyped-def]
    new_lock, url = lock_and_url
    job = ScheduledJob("tick", IntervalTrigger(hours=1), idle)
    return Scheduler(url, [job], new_lock(), FAST)


async def wait_until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_only_one_of_two_schedulers_leads_and_the_other_takes_over_when_it_stops(lock_and_url) -> None:
    first, second = instance(lock_and_url), instance(lock_and_url)
    await first.start()
    await wait_until(lambda: first.is_leader)
    await second.start()
    await asyncio.sleep(0.3)  # several standby polls
    assert first.is_leader and not second.is_leader

    await first.shutdown()
    await wait_until(lambda: second.is_leader, timeout=2.0)
    assert not first.is_leader
    await second.shutdown()


async def test_when_the_leaders_connection_dies_it_stands_down_and_the_standby_leads(postgres_server_url) -> None:
    url = fresh_postgres_database(postgres_server_url)
    pair = ((lambda: PostgresAdvisoryLock(url)), url)
    leader, standby = instance(pair), instance(pair)
    try:
        await leader.start()
        await wait_until(lambda: leader.is_leader)
        await standby.start()

        engine = create_engine(url)
        with engine.connect() as connection:  # what the server does when the leader's process dies
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"))
        engine.dispose()

        await wait_until(lambda: standby.is_leader and not leader.is_leader, timeout=3.0)
    finally:
        await leader.shutdown()
        await standby.shutdown()
        drop_postgres_database(postgres_server_url, url)
