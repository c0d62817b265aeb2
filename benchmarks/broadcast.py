"""10,000 notifications across Telegram, SMS and email through the outbox to local gateways.

Run from the repository root:
    .venv/bin/python benchmarks/broadcast.py [--telegram 2800] [--sms 3600] [--email 3600] [--failure-rate 0.05]

The Telegram sandbox (with its Twilio-compatible SMS endpoint) and an SMTP
server run in child processes of their own, so they do not share a CPU core
or an event loop with the dispatcher or each other (sharing one loop, the
relay's five round trips per mail queued behind hundreds of SMS requests). The sandbox enforces Telegram's limits (30 msg/s overall, 1/s per
private chat) with 429s, and a share of sends on every channel fails on
purpose (HTTP 500 / SMTP 451). Messages go to many different private chats so
the per-chat limit does not bind. SMS status callbacks come back, signed, to
our webhook. At the end every message key is looked up in what the sandbox
received: none may be missing and none may arrive twice.

Telegram's rate is measured over the sandbox's own log of accepted sends,
from the first to the last; SMS and email over the time the provider took
their first and last message.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _common import ROOT

from adapters.telegram_sandbox.faults import Fault, FaultPlan

SID, AUTH_TOKEN, OUR_NUMBER, TOKEN = "AC" + "2" * 32, "bench-auth", "+8610690001", "700000:BENCH-token"
FIRST_CHAT = 5_000_000
KEY = re.compile(r"K\d{6}")


class RandomFaults(FaultPlan):
    """Every send on every channel fails with probability `rate` (HTTP 500), besides any planned faults."""

    def __init__(self, rate: float, seed: int = 7) -> None:
        super().__init__()
        self.rate = rate
        self.rng = random.Random(seed)

    def take(self, method: str) -> Fault | None:
        planned = super().take(method)
        if planned is None and method in ("sendmessage", "sms") and self.rng.random() < self.rate:
            return Fault(method, 500, 0, 1)
        return planned


class FlakyMailbox:
    """An aiosmtpd handler: refuses a share of mails with 451, keeps the subject of the others."""

    def __init__(self, rate: float) -> None:
        self.rate, self.rng = rate, random.Random(11)
        self.subjects: list[tuple[float, str]] = []
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.rng.random() < self.rate:
            self.refused += 1
            return "451 4.3.0 injected failure"
        head = (envelope.original_content or envelope.content).split(b"\r\n\r\n", 1)[0]
        self.subjects.append((time.time(), head.decode("ascii", "replace")))  # keys are found in the headers
        return "250 OK"


# --- the child process: sandbox + SMTP server --------------------------------------------------


async def serve_sandbox(chats: int, failure_rate: float) -> None:
    from aiohttp import web

    from adapters.telegram_sandbox import TelegramSandbox, create_sandbox_app

    sandbox = TelegramSandbox(enforce_rate_limits=True)
    sandbox.faults = sandbox.sms.faults = RandomFaults(failure_rate)
    sandbox.add_bot(TOKEN, "bench_bot")
    for n in range(chats):
        sandbox.add_user(FIRST_CHAT + n, f"Member {n}", language_code="en")
    sandbox.configure_sms(SID, AUTH_TOKEN, OUR_NUMBER, inbound_url=None)
    runner = web.AppRunner(create_sandbox_app(sandbox), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(json.dumps({"url": "http://{}:{}".format(*runner.addresses[0][:2])}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    accepted = [r.at for r in sandbox.limiter.log if r.accepted]
    texts = [m.get("text", "") for n in range(chats) for m in sandbox.bot_messages(FIRST_CHAT + n)]
    sms = [(item.at, item.body) for item in sandbox.state.inbox if item.kind == "sms"]
    report = {
        "telegram_accepted_at": accepted,
        "telegram_refused_429": sum(1 for r in sandbox.limiter.log if not r.accepted),
        "telegram_texts": texts,
        "sms": sms,
        "callbacks": len(sandbox.sms.callbacks),
        "cpu_seconds": time.process_time(),
    }
    print(json.dumps(report), flush=True)
    await sandbox.close()
    await runner.cleanup()


async def serve_smtp(failure_rate: float) -> None:
    """The mail relay: a process of its own, as it is a system of its own beside the SMS provider."""
    from aiosmtpd.smtp import SMTP

    mailbox = FlakyMailbox(failure_rate)
    smtp = await asyncio.get_running_loop().create_server(lambda: SMTP(mailbox), "127.0.0.1", 0)
    print(json.dumps({"smtp_port": smtp.sockets[0].getsockname()[1]}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    report = {"email": mailbox.subjects, "email_refused": mailbox.refused, "cpu_seconds": time.process_time()}
    print(json.dumps(report), flush=True)
    smtp.close()


# --- the parent: database, outbox, dispatcher, webhooks ----------------------------------------


def enqueue_all(uow, counts: dict[str, int], chats: int, now) -> None:
    from notifications.message import Channel, Notification, Purpose
    from notifications.outbox import enqueue

    facts = {
        "member_name": "Fang",
        "discount": "20% off",
        "coupon_code": "BENCH",
        "valid_until": "12-05",
        "store_name": "S01",
    }
    number = 0
    with uow() as unit:
        for channel, count in counts.items():
            for i in range(count):
                number += 1
                address = {
                    "telegram": str(FIRST_CHAT + i % chats),
                    "sms": f"+86139{i:08d}",
                    "email": f"m{i}@example.com",
                }[channel]
                note = Notification(
                    f"K{number:06d}",
                    Channel(channel),
                    address,
                    "promotion",
                    "en",
                    {**facts, "offer": f"K{number:06d}"},
                    Purpose.TRANSACTIONAL,
                )
                enqueue(unit, note, now)
        unit.commit()


def spawn(*arguments: str) -> subprocess.Popen:
    command = [sys.executable, __file__, *arguments]
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)


def bench_settings(args: argparse.Namespace, sandbox_url: str, smtp_port: int, our_url: str):
    from notifications.settings import NotificationSettings

    return NotificationSettings(
        sms_api_url=f"{sandbox_url}/sms",
        sms_account_sid=SID,
        sms_auth_token=AUTH_TOKEN,
        sms_from=OUR_NUMBER,
        public_base_url=our_url if args.callbacks else "",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_starttls=False,
        mail_from="bench@shop.example",
        sms_per_second=args.sms_rate,
        email_per_second=args.email_rate,
        telegram_per_second=30,
        backoff_base_seconds=1,
        backoff_max_seconds=8,
        outbox_max_attempts=10,
    )


async def dispatch(args: argparse.Namespace) -> None:
    """A dispatcher process for the channels in --channels, until a line arrives on stdin."""
    from datetime import UTC, datetime

    from aiohttp import web
    from telegram import Bot

    from adapters.db.engine import open_database
    from adapters.db.unit_of_work import UnitOfWorkFactory
    from adapters.gateways.email import SmtpEmailGateway
    from adapters.gateways.sms import TwilioSmsGateway
    from adapters.gateways.telegram import TelegramGateway
    from adapters.gateways.telegram_http import AiohttpRequest
    from adapters.http.sms_webhooks import sms_webhook_routes
    from bot.callbacks import CallbackSigner
    from notifications.dispatcher import Dispatcher
    from notifications.message import Channel

    def clock() -> datetime:
        return datetime.now(UTC)

    args.cpu_at_start = time.process_time()  # imports excluded: the figure is the cost of delivering

    uow = UnitOfWorkFactory(open_database(args.db))
    settings = bench_settings(args, args.sandbox_url, args.smtp_port, args.our_url)
    channels = {Channel(name) for name in args.channels.split(",")}
    runner = None
    if Channel.SMS in channels:  # status callbacks come back to the process that sends the SMS
        app = web.Application()
        app.router.add_routes(sms_webhook_routes(uow, settings, clock))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", int(args.our_url.rsplit(":", 1)[1])).start()
    bot = Bot(  # as main.py's serve builds the dispatcher's
        TOKEN,
        base_url=f"{args.sandbox_url}/bot",
        base_file_url=f"{args.sandbox_url}/file/bot",
        request=AiohttpRequest(connection_pool_size=64),
    )
    await bot.initialize()
    every = {
        Channel.TELEGRAM: TelegramGateway(bot, CallbackSigner("bench")),
        Channel.SMS: TwilioSmsGateway(settings),
        Channel.EMAIL: SmtpEmailGateway(settings, max_connections=args.smtp_connections),
    }
    gateways = {channel: gateway for channel, gateway in every.items() if channel in channels}
    stop = asyncio.Event()
    running = asyncio.create_task(
        Dispatcher(uow, gateways, clock, settings).run_forever(stop, poll_seconds=0.1)
    )
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    stop.set()
    await running
    await every[Channel.SMS].close()
    await every[Channel.EMAIL].close()
    await bot.shutdown()
    await asyncio.sleep(1)  # the last status callbacks
    if runner is not None:
        await runner.cleanup()
    print(
        json.dumps({"channels": args.channels, "cpu_seconds": time.process_time() - args.cpu_at_start}),
        flush=True,
    )


async def run(args: argparse.Namespace) -> None:
    from datetime import UTC, datetime

    from adapters.db.engine import open_database
    from adapters.db.migrate import upgrade_to_head
    from adapters.db.unit_of_work import UnitOfWorkFactory

    counts = {"telegram": args.telegram, "sms": args.sms, "email": args.email}
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    our_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()
    sandbox = spawn("--serve-sandbox", "--chats", str(args.chats), "--failure-rate", str(args.failure_rate))
    relay = spawn("--serve-smtp", "--failure-rate", str(args.failure_rate))
    where = {**json.loads(sandbox.stdout.readline()), **json.loads(relay.stdout.readline())}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_to_head(url)
        uow = UnitOfWorkFactory(open_database(url))
        enqueue_all(uow, counts, args.chats, datetime.now(UTC))
        groups = ["telegram,sms,email"] if args.one_process else ["telegram", "sms", "email"]
        common = ["--db", url, "--sandbox-url", where["url"], "--smtp-port", str(where["smtp_port"])]
        common += [
            "--our-url",
            our_url,
            "--sms-rate",
            str(args.sms_rate),
            "--email-rate",
            str(args.email_rate),
        ]
        common += ["--smtp-connections", str(args.smtp_connections)]
        common += [] if args.callbacks else ["--no-callbacks"]
        workers = [spawn("--dispatch", "--channels", group, *common) for group in groups]
        for worker in workers:
            worker.stdout.readline()
        started, total = time.time(), sum(counts.values())
        while True:
            await asyncio.sleep(1)
            with uow(readonly=True) as unit:
                states = unit.outbox.counts_by_state()
            if states.get("sent", 0) + states.get("dead", 0) >= total or time.time() - started > args.timeout:
                break
        elapsed = time.time() - started
        for worker in workers:
            worker.stdin.write("stop\n")
            worker.stdin.flush()
        cpu = {}
        for worker in workers:
            spent = json.loads(worker.stdout.readline())
            cpu[spent["channels"]] = spent["cpu_seconds"]
            worker.wait(timeout=60)
        report = {}
        for child, name in ((sandbox, "sandbox"), (relay, "smtp relay")):
            child.stdin.write("report\n")
            child.stdin.flush()
            answer = json.loads(child.stdout.readline())
            cpu[name] = answer.pop("cpu_seconds")
            report.update(answer)
            child.wait(timeout=30)
        with uow(readonly=True) as unit:
            states = unit.outbox.counts_by_state()
            reported = unit.connection.exec_driver_sql(
                "select count(*) from outbox_message where delivery_status = 'delivered'"
            ).scalar()
    print_figures(counts, report, states, elapsed, reported)
    for name in ("sandbox", "smtp relay"):
        print(f"  {name} (stand-in, not ours): {cpu.pop(name):.1f} CPU-s")
    for channels, seconds in cpu.items():
        sent = sum(counts[c] for c in channels.split(","))
        print(
            f"  dispatcher for {channels}: {seconds:.1f} CPU-s for {sent} messages = {sent / seconds:.0f} per CPU-second"
        )
    print(f"  (load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


def print_figures(counts: dict[str, int], report: dict, states: dict, elapsed: float, reported: int) -> None:
    expected = {
        "telegram": {f"K{n:06d}" for n in range(1, counts["telegram"] + 1)},
        "sms": {f"K{n:06d}" for n in range(counts["telegram"] + 1, counts["telegram"] + counts["sms"] + 1)},
    }
    expected["email"] = {
        f"K{n:06d}" for n in range(counts["telegram"] + counts["sms"] + 1, sum(counts.values()) + 1)
    }
    seen = {
        "telegram": Counter(k for t in report["telegram_texts"] for k in KEY.findall(t)),
        "sms": Counter(k for _, body in report["sms"] for k in KEY.findall(body)),
        "email": Counter(k for _, subject in report["email"] for k in KEY.findall(subject)),
    }
    print(f"{sum(counts.values())} notifications in {elapsed:.1f} s; outbox states {states}")
    for channel in ("telegram", "sms", "email"):
        missing = len(expected[channel] - set(seen[channel]))
        twice = sum(1 for n in seen[channel].values() if n > 1)
        print(f"  {channel:8} {len(expected[channel]):5} sent, {missing} missing, {twice} duplicated")
    accepted = sorted(report["telegram_accepted_at"])
    span = accepted[-1] - accepted[0]
    rate = (len(accepted) - 1) / span
    print(
        f"  telegram {rate:.2f} msg/s over {span:.1f} s = {rate / 30:.1%} of the 30 msg/s limit; "
        f"{report['telegram_refused_429']} refused by the sandbox's limiter (429); {tail(accepted)}"
    )
    others_done = max([a for a, _ in report["sms"]] + [a for a, _ in report["email"]], default=accepted[0])
    alone = [t for t in accepted if t >= others_done]
    if len(alone) > 1 and alone[-1] - alone[0] >= 10:
        rate_alone = (len(alone) - 1) / (alone[-1] - alone[0])
        print(
            f"  telegram {rate_alone:.2f} msg/s = {rate_alone / 30:.1%} of the limit over the "
            f"{alone[-1] - alone[0]:.1f} s after SMS and email were done (no CPU shared with them)"
        )
    for channel, stamps in (
        ("sms", [a for a, _ in report["sms"]]),
        ("email", [a for a, _ in report["email"]]),
    ):
        if len(stamps) < 2:
            continue
        stamps.sort()
        span = stamps[-1] - stamps[0]
        print(f"  {channel:8} {(len(stamps) - 1) / span:.0f} msg/s over {span:.1f} s; {tail(stamps)}")
    print(
        f"  {report['callbacks']} SMS status callbacks posted, {reported} SMS recorded as delivered; "
        f"{report['email_refused']} mails refused with 451 and retried"
    )


def tail(stamps: list[float]) -> str:
    """How much of the span the last 1% took: retries of messages that failed more than once wait out
    their backoff after the stream has passed."""
    most = stamps[int(len(stamps) * 0.99) - 1]
    return f"99% of them in {most - stamps[0]:.1f} s, the last 1% took {stamps[-1] - most:.1f} s more"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--telegram", type=int, default=2800)
    parser.add_argument("--sms", type=int, default=3600)
    parser.add_argument("--email", type=int, default=3600)
    parser.add_argument("--chats", type=int, default=400)
    parser.add_argument("--failure-rate", type=float, default=0.05)
    parser.add_argument("--sms-rate", type=float, default=300)
    parser.add_argument("--email-rate", type=float, default=300)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument(
        "--callbacks", action=argparse.BooleanOptionalAction, default=True, help="SMS status callbacks"
    )
    parser.add_argument("--smtp-connections", type=int, default=8)
    parser.add_argument("--one-process", action="store_true", help="one dispatcher for all channels")
    for internal in ("--db", "--sandbox-url", "--our-url", "--channels"):
        parser.add_argument(internal, default="", help=argparse.SUPPRESS)
    parser.add_argument("--smtp-port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--serve-sandbox", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-smtp", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dispatch", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sandbox:
        asyncio.run(serve_sandbox(args.chats, args.failure_rate))
    elif args.serve_smtp:
        asyncio.run(serve_smtp(args.failure_rate))
    elif args.dispatch:
        asyncio.run(dispatch(args))
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
