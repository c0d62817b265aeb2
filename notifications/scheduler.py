"""Scheduled work in the `serve` process: the low-stock sweep and the managers' daily digest.

APScheduler keeps the jobs in the database (its own table), so a schedule
survives restarts; a run missed while no process was up happens once when one
comes back (coalesce, within the misfire grace time), not once per missed
period. Only the leader (see adapters.leader) runs the scheduler; the other
processes stand by and take over when the leader's lock goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import undefined

from adapters.leader import LeaderLock, leader_lock_for
from domain.alerts import AlertRule
from notifications.alerts import sales_rates, sweep_low_stock
from notifications.digests import DigestSettings, send_daily_digests

log = logging.getLogger(__name__)
JOB_TABLE = "apscheduler_jobs"
JobTarget = Callable[[], Awaitable[object]]

# The job store keeps a job's id, trigger and next run time, never our objects (they do not
# pickle): a stored job calls `run_job(id)`, which finds what that id does in this process here.
_TARGETS: dict[str, JobTarget] = {}


async def run_job(job_id: str) -> None:
    """What every stored job calls."""
    target = _TARGETS.get(job_id)
    if target is None:
        log.warning("scheduled job %r has nothing to run in this process", job_id)
        return
    await target()


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    id: str
    trigger: BaseTrigger
    target: JobTarget
    first_run_at_once: bool = False  # when first scheduled, run now rather than one period from now


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    tz_name: str = "Asia/Shanghai"
    digest_time: str = "08:30"  # local time of the daily digest
    digest_days: str = "mon-sun"  # cron day_of_week, e.g. "mon-sat" to skip Sundays (in the local zone)
    low_stock_sweep_minutes: float = 15.0
    misfire_grace_minutes: float = 240.0  # a run later than this after its time is skipped
    standby_poll_seconds: float = 5.0  # how often a standby tries to become leader

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    @property
    def digest_at(self) -> time:
        return time.fromisoformat(self.digest_time)


class Scheduler:
    """Leads or stands by; while leading, runs `jobs` from the job store on `database_url`."""

    def __init__(
        self,
        database_url: str,
        jobs: Sequence[ScheduledJob],
        leader: LeaderLock,
        settings: ScheduleSettings = ScheduleSettings(),  # noqa: B008 - frozen, safe to share
    ) -> None:
        self._url = database_url
        self._jobs = list(jobs)
        self._leader = leader
        self._settings = settings
        self._scheduler: AsyncIOScheduler | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def is_leader(self) -> bool:
        return self._scheduler is not None

    async def start(self) -> None:
        """Begin leading or standing by; returns at once."""
        self._task = asyncio.create_task(self._lead(), name="scheduler-leadership")

    async def shutdown(self) -> None:
        """Stop firing jobs and let a standby take over."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._step_down()

    def next_run(self, job_id: str) -> datetime | None:
        job = self._scheduler.get_job(job_id) if self._scheduler else None
        return job.next_run_time if job else None

    async def _lead(self) -> None:
        while True:
            if self._scheduler is None:
                if await asyncio.to_thread(self._leader.try_acquire):
                    self._take_over()
            elif not await asyncio.to_thread(self._leader.is_held):
                log.warning("lost the scheduler leader lock; standing by")
                self._step_down()
            await asyncio.sleep(self._settings.standby_poll_seconds)

    def _take_over(self) -> None:
        zone = self._settings.zone
        scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=self._url, tablename=JOB_TABLE)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(self._settings.misfire_grace_minutes * 60),
            },
            timezone=zone,
        )
        _TARGETS.update({job.id: job.target for job in self._jobs})
        scheduler.start(paused=True)
        for job in self._jobs:
            _keep_or_schedule(scheduler, job)
        scheduler.resume()
        self._scheduler = scheduler
        log.info("this process now runs the scheduled jobs")

    def _step_down(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self._leader.release()


def _keep_or_schedule(scheduler: AsyncIOScheduler, job: ScheduledJob) -> None:
    """A stored job with the same trigger keeps its next run time, so a run missed while down still happens."""
    stored = scheduler.get_job(job.id)
    if stored is not None and str(stored.trigger) == str(job.trigger):
        return
    first = datetime.now(scheduler.timezone) if job.first_run_at_once else undefined
    scheduler.add_job(
        run_job, job.trigger, args=[job.id], id=job.id, name=job.id, replace_existing=True, next_run_time=first
    )


@dataclass(slots=True)
class AlertJobs:
    """What the standard jobs need: the unit-of-work factory, a clock and the rules."""

    uow: object
    clock: Callable[[], datetime]
    rule: AlertRule = field(default_factory=AlertRule)
    digests: DigestSettings = field(default_factory=DigestSettings)

    async def sweep(self) -> int:
        return len(await asyncio.to_thread(self._sweep, self.clock()))

    def _sweep(self, now: datetime) -> list:
        with self.uow(readonly=True) as unit:  # type: ignore[operator]
            rates = sales_rates(unit, now, self.rule)
        return self.uow.run(  # type: ignore[attr-defined]
            lambda unit: sweep_low_stock(unit, now, rule=self.rule, zone=self.digests.zone, rates=rates)
        )

    async def daily_digests(self) -> int:
        return await asyncio.to_thread(send_daily_digests, self.uow, self.clock(), self.digests)


def standard_jobs(work: AlertJobs, settings: ScheduleSettings) -> list[ScheduledJob]:
    zone = settings.zone
    return [
        ScheduledJob(
            "low_stock_sweep",
            IntervalTrigger(minutes=settings.low_stock_sweep_minutes, timezone=zone),
            work.sweep,
            first_run_at_once=True,  # learn the sales rates that sales read
        ),
        ScheduledJob(
            "daily_digest",
            CronTrigger(
                day_of_week=settings.digest_days, hour=settings.digest_at.hour, minute=settings.digest_at.minute, timezone=zone
            ),
            work.daily_digests,
        ),
    ]


def build_scheduler(
    database_url: str,
    work: AlertJobs,
    settings: ScheduleSettings = ScheduleSettings(),  # noqa: B008 - frozen, safe to share
    *,
    extra_jobs: Sequence[ScheduledJob] = (),
    leader: LeaderLock | None = None,
) -> Scheduler:
    """The serve process's scheduler: sweep, daily digest and any `extra_jobs`, under a leader lock."""
    return Scheduler(
        database_url,
        [*standard_jobs(work, settings), *extra_jobs],
        leader or leader_lock_for(database_url),
        settings,
    )
