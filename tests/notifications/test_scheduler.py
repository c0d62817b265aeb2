"""The scheduler keeps its jobs in the database and runs a job missed while down once, not once per period."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import create_engine, text

from adapters.csvio.importer import Importer
from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.leader import FileLock
from notifications.scheduler import (
    AlertJobs,
    ScheduledJob,
    Scheduler,
    ScheduleSettings,
    build_scheduler,
    standard_jobs,
)
from tests.support.chain import write_chain

SALES_DAY = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # the tiny chain's sales are in the 28 days before
FAST = ScheduleSettings(standby_poll_seconds=0.05, misfire_grace_minutes=1)


class Runs:
    """Counts how often the scheduler ran the job."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self) -> None:
        self.count += 1


async def wait_until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def scheduler(url: str, tmp_path: Path, runs: Runs, every_seconds: float) -> Scheduler:
    job = ScheduledJob("tick", IntervalTrigger(seconds=every_seconds, timezone="Asia/Shanghai"), runs)
    return Scheduler(url, [job], FileLock(tmp_path / "leader.lock"), FAST)


def stored_rates(uow: UnitOfWorkFactory) -> int:
    with uow(readonly=True) as unit:
        return len(unit.alerts.sales_rates([("S01", "COLA330"), ("S02", "COLA330")]))


def stored_jobs(url: str) -> dict[str, float]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, next_run_time FROM apscheduler_jobs")).all()
    engine.dispose()
    return dict(rows)


async def test_jobs_are_stored_in_the_database_and_the_first_sweep_runs_at_once(sqlite_database, tmp_path: Path) -> None:
    url, uow = sqlite_database.url, UnitOfWorkFactory(sqlite_database)
    Importer(uow, ZoneInfo("Asia/Shanghai"), lambda: SALES_DAY).import_dir(write_chain(tmp_path / "chain"))
    work = AlertJobs(uow=uow, clock=lambda: SALES_DAY)
    first = build_scheduler(url, work, FAST, leader=FileLock(tmp_path / "leader.lock"))
    await first.start()
    await wait_until(lambda: stored_rates(uow) > 0)  # the sweep learnt the sales rates without waiting 15 minutes
    digest_at = first.next_run("daily_digest")
    await first.shutdown()

    stored = stored_jobs(url)
    assert set(stored) == {"low_stock_sweep", "daily_digest"}
    assert (digest_at.hour, digest_at.minute, str(digest_at.tzinfo)) == (8, 30, "Asia/Shanghai")
    assert stored["daily_digest"] == digest_at.timestamp()


async def test_a_restart_after_missed_periods_runs_the_job_once_then_keeps_the_rhythm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    before, after = Runs(), Runs()
    first = scheduler(url, tmp_path, before, every_seconds=1.5)
    await first.start()
    await wait_until(lambda: before.count == 1)
    await first.shutdown()

    await asyncio.sleep(3.2)  # two periods pass with nobody running
    second = scheduler(url, tmp_path, after, every_seconds=1.5)
    await second.start()
    await wait_until(lambda: after.count == 1, timeout=1.0)
    await asyncio.sleep(0.2)
    caught_up = after.count
    await wait_until(lambda: after.count == 2, timeout=3.0)
    await second.shutdown()

    assert before.count == 1 and caught_up == 1


async def test_a_job_with_a_changed_interval_is_rescheduled_not_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    first = scheduler(url, tmp_path, Runs(), every_seconds=3600)
    await first.start()
    await wait_until(lambda: first.is_leader)
    hourly = first.next_run("tick")
    await first.shutdown()

    second = scheduler(url, tmp_path, Runs(), every_seconds=60)
    await second.start()
    await wait_until(lambda: second.is_leader)
    minutely = second.next_run("tick")
    await second.shutdown()

    assert (hourly - minutely).total_seconds() > 3000


def test_the_digest_fires_at_the_local_time_on_the_chosen_days_only() -> None:
    work = AlertJobs(uow=None, clock=lambda: SALES_DAY)
    settings = ScheduleSettings(tz_name="Asia/Shanghai", digest_time="07:45", digest_days="mon-fri")
    [digest] = [job for job in standard_jobs(work, settings) if job.id == "daily_digest"]

    friday_evening = datetime(2026, 11, 20, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    fires = digest.trigger.get_next_fire_time(None, friday_evening)

    assert (fires.strftime("%a %H:%M"), fires.utcoffset().total_seconds()) == ("Mon 07:45", 8 * 3600)
