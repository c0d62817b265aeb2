"""10,000 notifications across Telegram, SMS and email through the outbox to local gateways.

Run from the repository root:
    .venv/bin/python benchmarks/broadcast.py [--telegram 2800] [--sms 3600] [--email 3600] [--failure-rate 0.05]

The Telegram sandbox (with its Twilio-compatible SMS endpoint) and an SMTP
server run in a child process, so they do not share a CPU core with the
dispatcher. The sandbox enforces Telegram's limits (30 msg/s overall, 1/s per
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
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
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
        headers = BytesHeaderParser(policy=default_policy).parsebytes(
            envelope.original_content or envelope.content
        )
        self.subjects.append((time.time(), str(headers["Subject"])))
        return "250 OK"


# --- the child process: sandbox + SMTP server --------------------------------------------------


async def serve_sandbox(chats: int, failure_rate: float, callback_url: str) -> None:
    from aiohttp import web
    from aiosmtpd.smtp import SMTP

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
    mailbox = FlakyMailbox(failure_rate)
    smtp = await asyncio.get_running_loop().create_server(lambda: SMTP(mailbox), "127.0.0.1", 0)
    url = "http://{}:{}".format(*runner.addresses[0][:2])
    print(json.dumps({"url": url, "smtp_port": smtp.sockets[0].getsockname()[1]}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    accepted = [r.at for r in sandbox.limiter.log if r.accepted]
    texts = [m.get("text", "") for n in range(chats) for m in sandbox.bot_messages(FIRST_CHAT + n)]
    sms = [(item.at, item.body) for item in sandbox.state.inbox if item.kind == "sms"]
    report = {
        "telegram_accepted_at": accepted,
        "telegram_refused_429": sum(1 for r in sandbox.limiter.log if not r.accepted),
        "telegram_texts": texts,
        "sms": sms,
        "email": mailbox.subjects,
        "email_refused": mailbox.refused,
        "callbacks": len(sandbox.sms.callbacks),
    }
    print(json.dumps(report), flush=True)
    await sandbox.close()
    await runner.cleanup()


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


async def run(args: argparse.Namespace) -> None:
    from datetime import UTC, datetime

    from aiohttp import web
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from adapters.db.engine import open_database
    from adapters.db.migrate import upgrade_to_head
    from adapters.db.unit_of_work import UnitOfWorkFactory
    from adapters.gateways.email import SmtpEmailGateway
    from adapters.gateways.sms import TwilioSmsGateway
    from adapters.gateways.telegram import TelegramGateway
    from adapters.http.sms_webhooks import sms_webhook_routes
    from bot.callbacks import CallbackSigner
    from notifications.dispatcher import Dispatcher
    from notifications.message import Channel
    from notifications.settings import NotificationSettings

    counts = {"telegram": args.telegram, "sms": args.sms, "email": args.email}
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    our_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    child = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve-sandbox",
            "--chats",
            str(args.chats),
            "--failure-rate",
            str(args.failure_rate),
            "--callback",
            our_url,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    where = json.loads(child.stdout.readline())
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_to_head(url)
        uow = UnitOfWorkFactory(open_database(url))
        settings = NotificationSettings(
            sms_api_url=f"{where['url']}/sms",
            sms_account_sid=SID,
            sms_auth_token=AUTH_TOKEN,
            sms_from=OUR_NUMBER,
            public_base_url=our_url if args.callbacks else "",
            smtp_host="127.0.0.1",
            smtp_port=where["smtp_port"],
            smtp_starttls=False,
            mail_from="bench@shop.example",
            sms_per_second=args.sms_rate,
            email_per_second=args.email_rate,
            telegram_per_second=30,
            backoff_base_seconds=1,
            backoff_max_seconds=8,
            outbox_max_attempts=10,
        )
        app = web.Application()
        app.router.add_routes(sms_webhook_routes(uow, settings, lambda: datetime.now(UTC)))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        enqueue_all(uow, counts, args.chats, datetime.now(UTC))
        request = HTTPXRequest(connection_pool_size=64)
        bot = Bot(
            TOKEN, base_url=f"{where['url']}/bot", base_file_url=f"{where['url']}/file/bot", request=request
        )
        await bot.initialize()
        sms, email = TwilioSmsGateway(settings), SmtpEmailGateway(settings)
        gateways = {
            Channel.TELEGRAM: TelegramGateway(bot, CallbackSigner("bench")),
            Channel.SMS: sms,
            Channel.EMAIL: email,
        }
        dispatcher = Dispatcher(uow, gateways, lambda: datetime.now(UTC), settings)
        stop = asyncio.Event()
        started = time.time()
        running = asyncio.create_task(dispatcher.run_forever(stop, poll_seconds=0.1))
        total = sum(counts.values())
        while True:
            await asyncio.sleep(1)
            with uow(readonly=True) as unit:
                states = unit.outbox.counts_by_state()
            if states.get("sent", 0) + states.get("dead", 0) >= total or time.time() - started > args.timeout:
                break
        stop.set()
        await running
        elapsed = time.time() - started
        await sms.close()
        await email.close()
        await bot.shutdown()
        await asyncio.sleep(1)  # the last status callbacks
        child.stdin.write("report\n")
        child.stdin.flush()
        report = json.loads(child.stdout.readline())
        child.wait(timeout=30)
        await runner.cleanup()
        with uow(readonly=True) as unit:
            states = unit.outbox.counts_by_state()
            reported = unit.connection.exec_driver_sql(
                "select count(*) from outbox_message where delivery_status = 'delivered'"
            ).scalar()
    print_figures(counts, report, states, elapsed, reported)


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
        f"{report['telegram_refused_429']} refused by the sandbox's limiter (429)"
    )
    for channel, stamps in (
        ("sms", [a for a, _ in report["sms"]]),
        ("email", [a for a, _ in report["email"]]),
    ):
        if len(stamps) < 2:
            continue
        stamps.sort()
        span = stamps[-1] - stamps[0]
        print(f"  {channel:8} {(len(stamps) - 1) / span:.0f} msg/s over {span:.1f} s")
    print(
        f"  {report['callbacks']} SMS status callbacks posted, {reported} SMS recorded as delivered; "
        f"{report['email_refused']} mails refused with 451 and retried"
    )


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
    parser.add_argument("--callbacks", action=argparse.BooleanOptionalAction, default=True, help="SMS status callbacks")
    parser.add_argument("--serve-sandbox", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--callback", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sandbox:
        asyncio.run(serve_sandbox(args.chats, args.failure_rate, args.callback))
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
