"""Composition root and command line of the retail operations assistant.

Everything that builds the world (settings, database, services, web server,
bot, scheduler) is wired here and nowhere else; tests call the same builders
with their own settings.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from adapters.batch import paused_gc
from adapters.csvio.exporter import export_dir
from adapters.csvio.importer import Importer
from adapters.csvio.sales_rows import read_receipts
from adapters.db.engine import Database, open_database
from adapters.db.migrate import upgrade_to_head
from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.http.receipts_api import receipts_routes
from adapters.http.server import WebParts, init_app
from adapters.settings import Settings
from domain.counts import VarianceThreshold
from domain.services.sales import PostingReport, post_receipts

log = logging.getLogger("retail")
SALES_API_ACTOR = "api:receipts"


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_database(settings: Settings) -> Database:
    """Open the configured database and bring its schema up to date.

    Opening first creates a SQLite file's folder (./data on a fresh clone) before Alembic connects.
    """
    database = open_database(settings.database_url)
    upgrade_to_head(settings.database_url)
    return database


def build_bot(  # type: ignore[no-untyped-def]
    settings: Settings, uow: UnitOfWorkFactory, clock=utc_now, *, barcode_reader=None, webhook=False, rate_limit=True
):
    """The Telegram application, talking to whatever Bot API server the settings name.

    `rate_limit` keeps sends within Telegram's limits (30/s overall, 20/min per
    group); only a benchmark measuring raw capacity turns it off.
    """
    import hashlib

    from adapters.gateways.telegram_http import AiohttpRequest
    from bot.app import build_application
    from bot.context import BotServices, BotSettings, CatalogSearch

    secret = settings.callback_secret or hashlib.sha256(f"callbacks:{settings.telegram_token}".encode()).hexdigest()
    bot_settings = BotSettings(
        callback_secret=secret,
        count_variance=VarianceThreshold(settings.count_variance_percent, settings.count_variance_value),
        count_asks_quantity=settings.count_asks_quantity,
        undo_window_minutes=settings.undo_window_minutes,
        tz_name=settings.tz_name,
        purchase_order_lang=settings.purchase_order_lang,
    )
    services = BotServices(uow, clock, bot_settings, CatalogSearch(uow), barcode_reader)
    application = build_application(
        settings.telegram_token,
        services,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        http=lambda pool_size: AiohttpRequest(connection_pool_size=pool_size),
        webhook=webhook,
        rate_limit=rate_limit,
    )
    application.bot_data["promotion_settings"] = promotion_settings(settings)
    return application


def build_alerting(settings: Settings, uow: UnitOfWorkFactory, clock=utc_now):  # type: ignore[no-untyped-def]
    """Low-stock alerts raised in the transaction of the movement, and the scheduler for sweeps and digests."""
    from domain.alerts import AlertRule
    from notifications.alerts import LowStockWatch
    from notifications.digests import DigestSettings
    from notifications.scheduler import AlertJobs, ScheduleSettings, build_scheduler

    zone = ZoneInfo(settings.tz_name)
    rule = AlertRule(
        days_of_cover=settings.days_of_cover_alert,
        sales_window_days=settings.alert_sales_window_days,
        fast_mover_share=settings.fast_mover_share,
        snooze_hours=settings.alert_snooze_hours,
    )
    from notifications.replenishment import plan_section_provider

    digests = DigestSettings(rule=rule, zone=zone, extra_sections=[plan_section_provider(zone)])
    uow.before_commit.append(LowStockWatch(clock, rule, zone))
    extra_jobs = nightly_jobs(settings, uow, clock)
    schedule = ScheduleSettings(
        tz_name=settings.tz_name,
        digest_time=settings.digest_time,
        digest_days=settings.digest_days,
        low_stock_sweep_minutes=settings.low_stock_sweep_minutes,
        misfire_grace_minutes=settings.scheduler_misfire_grace_minutes,
        standby_poll_seconds=settings.scheduler_standby_poll_seconds,
    )
    jobs = AlertJobs(uow, clock, rule, digests)
    return digests, build_scheduler(settings.database_url, jobs, schedule, extra_jobs=extra_jobs)


def policy_config(settings: Settings):  # type: ignore[no-untyped-def]
    """The replenishment policy with the chain's settings."""
    from domain.replenishment.config import PolicyConfig

    return PolicyConfig(
        min_transfer_value=settings.replenish_min_transfer_value,
        service_levels=dict(settings.replenish_service_levels),
        central_stock_days=settings.replenish_central_stock_days,
    )


def nightly_jobs(settings: Settings, uow: UnitOfWorkFactory, clock=utc_now) -> list:  # type: ignore[no-untyped-def]
    """The nightly replenishment plan and member segments, and the daily report of ended campaigns."""
    from apscheduler.triggers.cron import CronTrigger

    from adapters.replenishment_cli import nightly_plan
    from domain.services.members import recompute_segments
    from notifications.promotions import report_finished_campaigns
    from notifications.scheduler import ScheduledJob

    zone = ZoneInfo(settings.tz_name)

    def at(clock_time: str) -> CronTrigger:
        hour, minute = (int(part) for part in clock_time.split(":"))
        return CronTrigger(hour=hour, minute=minute, timezone=zone)

    def segments():  # type: ignore[no-untyped-def]
        now = clock()
        return asyncio.to_thread(recompute_segments, uow, now.astimezone(zone).date(), tz=settings.tz_name, now=now)

    return [
        ScheduledJob(
            "replenishment_plan",
            at(settings.replenish_time),
            lambda: asyncio.to_thread(nightly_plan, uow, clock(), settings.tz_name, policy_config(settings)),
        ),
        ScheduledJob("member_segments", at(settings.segments_time), segments),
        ScheduledJob("campaign_results", at(settings.campaign_results_time), lambda: asyncio.to_thread(report_finished_campaigns, uow, clock())),
    ]


def notification_settings(settings: Settings, base_url: str = ""):  # type: ignore[no-untyped-def]
    """The delivery settings: the fields of the same names, read from the environment."""
    from dataclasses import fields

    from notifications.settings import NotificationSettings

    values = {f.name: getattr(settings, f.name) for f in fields(NotificationSettings) if hasattr(settings, f.name)}
    values["public_base_url"] = settings.public_base_url or base_url
    return NotificationSettings(**values)


def build_importer(uow: UnitOfWorkFactory, settings: Settings) -> Importer:
    return Importer(uow, ZoneInfo(settings.tz_name), utc_now)


def promotion_settings(settings: Settings):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from domain.members.campaigns import FrequencyCap, QuietHours
    from domain.services.campaigns import PromotionSettings

    return PromotionSettings(
        coupon_secret=settings.coupon_secret.encode(),
        points_per_yuan=Decimal(str(settings.points_per_yuan)),
        points_valid_days=settings.points_valid_days,
        quiet_hours=QuietHours(settings.quiet_hours_start, settings.quiet_hours_end),
        frequency_cap=FrequencyCap(settings.promotion_cap_messages, timedelta(days=settings.promotion_cap_days)),
        tz=settings.tz_name,
    )


def post_sales(uow: UnitOfWorkFactory, receipts: Sequence, actor: str, settings: Settings, clock=utc_now) -> PostingReport:  # type: ignore[no-untyped-def]
    """Post receipts through the ledger; members earn points and redeem coupons in the same transaction."""
    from domain.services.members import on_receipts_posted

    promotions = promotion_settings(settings)
    return uow.run(
        lambda unit: post_receipts(unit, receipts, actor, lambda u, posted: on_receipts_posted(u, posted, clock(), promotions))
    )


# -- commands ------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    database = build_database(settings)
    try:
        with paused_gc():
            outcomes = build_importer(UnitOfWorkFactory(database), settings).import_dir(Path(args.dir))
    finally:
        database.dispose()
    for outcome in outcomes:
        print(outcome.summary())
        for error in outcome.errors[:20]:
            print(f"  {error}")
        if len(outcome.errors) > 20:
            print(f"  ... and {len(outcome.errors) - 20} more")
    return 1 if any(o.status == "rejected" for o in outcomes) else 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    database = build_database(settings)
    try:
        written = export_dir(UnitOfWorkFactory(database), Path(args.dir), ZoneInfo(settings.tz_name))
    finally:
        database.dispose()
    for name, count in written.items():
        print(f"{name}: {count} rows")
    return 0


def cmd_sales(args: argparse.Namespace, settings: Settings) -> int:
    with paused_gc():
        return post_sales_file(args, settings)


def post_sales_file(args: argparse.Namespace, settings: Settings) -> int:
    receipts, source = read_receipts(Path(args.file), ZoneInfo(settings.tz_name))
    if source.errors:
        print(f"{source.name}: rejected, nothing posted ({len(source.errors)} error(s))")
        for error in source.errors[:20]:
            print(f"  {error}")
        return 1
    database = build_database(settings)
    try:
        uow = UnitOfWorkFactory(database)
        build_alerting(settings, uow)  # a CSV of sales alerts like the till does
        report = post_sales(uow, receipts, f"file:{source.name}", settings)
    finally:
        database.dispose()
    print(
        f"{source.name}: {len(report.posted)} receipts posted ({report.lines_posted} lines), "
        f"{len(report.already_posted)} already posted, {len(report.refused)} refused"
    )
    for receipt, error in report.refused[:50]:
        print(f"  receipt {receipt.receipt_id} refused: {error}")
    return 1 if report.refused else 0


def cmd_demo_data(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.demo_chain import generate_demo_chain

    database = build_database(settings)
    uow = UnitOfWorkFactory(database)
    try:
        if args.if_empty:
            with uow(readonly=True) as unit:
                if unit.locations.codes():
                    print("demo chain already loaded; skipping (drop data/ to rebuild)")
                    return 0
        out = Path(args.dir)
        yesterday = datetime.now(ZoneInfo(settings.tz_name)).date() - timedelta(days=1)
        end = date.fromisoformat(args.end_date) if args.end_date else yesterday
        summary = generate_demo_chain(out, seed=args.seed, days=args.days, end_date=end)
        print(f"demo chain written to {out}: {summary}")
        outcomes = build_importer(uow, settings).import_dir(out)
    finally:
        database.dispose()
    for outcome in outcomes:
        print(outcome.summary())
    return 1 if any(o.status == "rejected" for o in outcomes) else 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(serve(settings))
    return 0


@dataclass
class Service:
    """Everything `serve` runs, built and wired but not started."""

    settings: Settings
    database: Database
    application: Any  # telegram.ext.Application
    sender: Any  # telegram.Bot: the dispatcher's, without PTB's rate limiter
    gateways: dict
    dispatcher: Any
    scheduler: Any
    web_app: Any  # aiohttp.web.Application
    reader: Any  # BarcodeReader
    sandbox: Any = None  # the offline Telegram, when no token is set

    @property
    def base_url(self) -> str:
        return f"http://{self.settings.http_host}:{self.settings.http_port}"

    @property
    def webhook(self) -> bool:
        return self.settings.telegram_mode == "webhook"


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the web server, the bot (and, with no token, the sandbox it talks to) until stopped."""
    service = await build_service(settings)
    await run_service(service, stop or _stop_on_signals())


async def build_service(settings: Settings) -> Service:
    """Wire the database, web routes, bot, scheduler and outbox dispatcher for `serve`."""
    from telegram import Bot

    from adapters.barcode import BarcodeReader
    from adapters.gateways import configured_gateways, into_sandbox
    from adapters.gateways.telegram_http import AiohttpRequest
    from adapters.http.sms_webhooks import sms_webhook_routes
    from adapters.http.telegram_webhook import webhook_routes
    from adapters.http.unsubscribe import UnsubscribeLinks, unsubscribe_routes
    from bot.handlers.alerts import SETTINGS_KEY
    from notifications.dispatcher import Dispatcher

    database = build_database(settings)
    uow = UnitOfWorkFactory(database)
    digests, scheduler = build_alerting(settings, uow)
    zone = ZoneInfo(settings.tz_name)
    base = f"http://{settings.http_host}:{settings.http_port}"
    delivery = notification_settings(settings, base)
    links = UnsubscribeLinks(settings.unsubscribe_secret, delivery.public_base_url, mailto="")
    parts = [
        WebParts(routes=receipts_routes(lambda r: post_sales(uow, r, SALES_API_ACTOR, settings), settings.api_token, zone)),
        WebParts(routes=[*sms_webhook_routes(uow, delivery, utc_now), *unsubscribe_routes(uow, links, utc_now)]),
    ]
    sandbox = None
    if not settings.telegram_token:
        sandbox, settings = _demo_sandbox(settings, uow)
        parts.append(WebParts(mounts=[lambda app: _mount_sandbox(app, sandbox)]))
        if not (delivery.sms_configured or delivery.email_configured):
            delivery = into_sandbox(delivery, sandbox, base, await sandbox.start_smtp_sink())
    webhook = settings.telegram_mode == "webhook"
    reader = BarcodeReader(workers=2)
    application = build_bot(settings, uow, barcode_reader=reader, webhook=webhook)
    application.bot_data[SETTINGS_KEY] = digests
    if webhook:
        parts.append(WebParts(routes=webhook_routes(application, settings.webhook_secret)))
    sender = Bot(
        settings.telegram_token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        request=AiohttpRequest(),
    )
    gateways = configured_gateways(delivery, sender, application.bot_data["signer"], links)

    def health() -> dict[str, object]:
        return {"database": database.writer.dialect.name, "telegram": "sandbox" if sandbox else settings.telegram_mode}

    return Service(
        settings, database, application, sender, gateways, Dispatcher(uow, gateways, utc_now, delivery),
        scheduler, init_app(health, parts), reader, sandbox,
    )


async def run_service(service: Service, stop: asyncio.Event) -> None:
    """Start everything, wait for `stop`, then stop in reverse order: nothing claimed is left half-sent."""
    from aiohttp import web

    settings, application = service.settings, service.application
    # What start-up built lives as long as the process: keep it out of every later full collection,
    # whose pauses otherwise land on whichever reply is being answered.
    gc.collect()
    gc.freeze()
    runner = web.AppRunner(service.web_app)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.http_host, settings.http_port).start()
        async with application, service.sender:
            await application.start()
            await service.scheduler.start()
            dispatching = asyncio.Event()
            delivering = asyncio.create_task(service.dispatcher.run_forever(dispatching))
            if service.webhook:
                await application.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret)
            else:
                await application.updater.start_polling(poll_interval=0.0, timeout=10)
            _announce(service)
            await stop.wait()
            await service.scheduler.shutdown()
            dispatching.set()
            await delivering
            for gateway in service.gateways.values():
                await _close(gateway)
            if service.sandbox:
                service.sandbox.release_waiters()
            if application.updater and application.updater.running:
                await application.updater.stop()
            await application.stop()
    finally:
        await runner.cleanup()
        service.reader.close()
        service.database.dispose()


def _announce(service: Service) -> None:
    print(f"serving on {service.base_url} (health: {service.base_url}/health)", flush=True)
    if service.sandbox:
        print(f"no TELEGRAM_TOKEN: chat with the bot in the sandbox at {service.base_url}/", flush=True)


async def _close(gateway) -> None:  # type: ignore[no-untyped-def]
    close = getattr(gateway, "close", None)
    if close is not None:
        await close()


def _demo_sandbox(settings: Settings, uow: UnitOfWorkFactory):  # type: ignore[no-untyped-def]
    """The offline Telegram the demo runs on, served by our own web server."""
    from adapters.demo_sandbox import DEMO_TOKEN, populate_demo_sandbox
    from adapters.telegram_sandbox import TelegramSandbox

    sandbox = TelegramSandbox()
    populate_demo_sandbox(sandbox, uow)
    base = f"http://{settings.http_host}:{settings.http_port}"
    return sandbox, settings.model_copy(
        update={
            "telegram_token": DEMO_TOKEN,
            "telegram_api_url": f"{base}/bot",
            "telegram_file_url": f"{base}/file/bot",
            "telegram_mode": "polling",
        }
    )


def _mount_sandbox(app, sandbox) -> None:  # type: ignore[no-untyped-def]
    from adapters.telegram_sandbox import setup_sandbox_routes

    setup_sandbox_routes(app, sandbox)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def cmd_scan(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.barcode.cli import scan_paths

    for line in scan_paths(args.images):
        print(line)
    return 0


def cmd_segments(args: argparse.Namespace, settings: Settings) -> int:
    from domain.services.members import score_segments, write_segments_csv

    database = build_database(settings)
    try:
        as_of = date.fromisoformat(args.date) if args.date else datetime.now(ZoneInfo(settings.tz_name)).date()
        frame = score_segments(UnitOfWorkFactory(database), as_of, tz=settings.tz_name)
    finally:
        database.dispose()
    path = write_segments_csv(frame, args.out)
    print(f"{len(frame)} members scored on history before {as_of}: {path}")
    print(frame["segment"].value_counts().to_string())
    return 0


def cmd_campaign(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.campaign_yaml import CampaignFileError, read_campaign_file
    from domain.errors import DomainError
    from domain.services.campaigns import create_campaign

    try:
        draft = read_campaign_file(args.file, settings.tz_name)
    except CampaignFileError as error:
        print(f"{args.file}: not a valid campaign")
        for problem in error.problems:
            print(f"  {problem}")
        return 1
    database = build_database(settings)
    uow = UnitOfWorkFactory(database)
    try:
        with uow(readonly=True) as unit:
            staff = unit.staff.get(args.by)
        if staff is None:
            print(f"no member of staff with Telegram id {args.by}")
            return 1
        record = uow.run(lambda unit: create_campaign(unit, staff, draft, utc_now(), promotion_settings(settings)))
    except DomainError as refusal:
        print(f"refused: {refusal.code} {refusal.facts}")
        return 1
    finally:
        database.dispose()
    print(f"campaign {record.campaign_id} created as a draft; send /campaign {record.campaign_id} in the bot to preview and approve")
    return 0


def _as_of(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def cmd_forecast(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.replenishment_cli import run_forecast

    database = build_database(settings)
    try:
        run_forecast(UnitOfWorkFactory(database), _as_of(args.date), args.horizon, Path(args.out), settings.tz_name)
    finally:
        database.dispose()
    return 0


def cmd_replenish(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.replenishment_cli import run_replenish

    database = build_database(settings)
    try:
        run_replenish(
            UnitOfWorkFactory(database),
            _as_of(args.date),
            Path(args.out),
            settings.tz_name,
            store=not args.no_store,
            config=policy_config(settings),
        )
    finally:
        database.dispose()
    return 0


def cmd_backtest(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.replenishment_cli import run_backtest

    database = build_database(settings)
    try:
        run_backtest(UnitOfWorkFactory(database), Path(args.out_dir), settings.tz_name, config=policy_config(settings))
    finally:
        database.dispose()
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    build_database(settings).dispose()
    print("database schema is up to date")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py", description="Retail operations assistant")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the web server, bot and scheduler").set_defaults(run=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)
    imp = sub.add_parser("import", help="load CSV files from DIR")
    imp.add_argument("dir")
    imp.set_defaults(run=cmd_import)
    exp = sub.add_parser("export", help="write CSV files to DIR")
    exp.add_argument("dir")
    exp.set_defaults(run=cmd_export)
    sales = sub.add_parser("sales", help="post live sales from a CSV file through the ledger")
    sales.add_argument("file")
    sales.set_defaults(run=cmd_sales)
    scan = sub.add_parser("scan", help="print the barcodes found in each image")
    scan.add_argument("images", nargs="+")
    scan.set_defaults(run=cmd_scan)
    forecast = sub.add_parser("forecast", help="daily demand per location x SKU")
    forecast.add_argument("--horizon", type=int, default=28)
    forecast.add_argument("--date", help="use only history before this date (YYYY-MM-DD)")
    forecast.add_argument("--out", default="forecast.csv")
    forecast.set_defaults(run=cmd_forecast)
    replenish = sub.add_parser("replenish", help="what each location should order or pull, and why")
    replenish.add_argument("--date", help="use only history before this date (YYYY-MM-DD)")
    replenish.add_argument("--out", default="plan.csv")
    replenish.add_argument("--no-store", action="store_true", help="write the CSV only, do not store the plan")
    replenish.set_defaults(run=cmd_replenish)
    backtest = sub.add_parser("backtest", help="replay history: forecast accuracy and the policy against min/max")
    backtest.add_argument("--out-dir", default="backtest")
    backtest.set_defaults(run=cmd_backtest)
    segments = sub.add_parser("segments", help="score members and write their segments CSV")
    segments.add_argument("--date", help="use only history before this date (YYYY-MM-DD)")
    segments.add_argument("--out", default="members.csv")
    segments.set_defaults(run=cmd_segments)
    campaign = sub.add_parser("campaign", help="create a campaign draft from a YAML file")
    campaign.add_argument("file")
    campaign.add_argument("--by", type=int, required=True, help="Telegram id of the manager creating it")
    campaign.set_defaults(run=cmd_campaign)
    demo = sub.add_parser("demo-data", help="build the demo chain and import it")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--dir", default="data/demo")
    demo.add_argument("--end-date", help="last day of history (default: yesterday)")
    # 65 weeks: last year's festivals, and the weeks before them, are in the forecast's reach.
    demo.add_argument("--days", type=int, default=455, help="days of history (default: 455)")
    demo.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")
    demo.set_defaults(run=cmd_demo_data)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "httpx", "aiohttp.access", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    return args.run(args, Settings())


if __name__ == "__main__":
    sys.exit(main())
