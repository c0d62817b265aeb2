"""Chat load: simulated staff send /stock through the sandbox to the real bot.

Loads L stores x S SKUs (default 200 x 10,000), puts one member of staff in
each store's group, and measures, from the moment a message enters the sandbox
to the moment the bot's reply lands there:
  1. saturation: C virtual staff each sending their next /stock as soon as the
     last one is answered -> throughput;
  2. the same for a bare PTB echo bot on the same sandbox (the ceiling), and
     for that echo bot on the assistant's HTTP client (aiohttp, not PTB's
     httpx), for a like-for-like comparison;
  3. an open-loop run at half the measured throughput -> p50/p99 latency.

    .venv/bin/python benchmarks/chat_load.py [--locations 200] [--skus 10000] [--seconds 20] [--sandbox-process]

By default the sandbox, the virtual staff and the bot share one process (and
its GIL); --sandbox-process moves the sandbox and the staff to a child
process, as benchmarks/broadcast.py does, so each bot is measured alone.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from asyncio.subprocess import PIPE
from datetime import UTC, datetime
from pathlib import Path

from _common import percentile
from aiohttp import web
from import_sales import write_chain

from adapters.barcode import BarcodeReader
from adapters.csvio.importer import Importer
from adapters.db.engine import open_database
from adapters.db.migrate import upgrade_to_head
from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.telegram_sandbox import TelegramSandbox, create_sandbox_app
from main import build_bot
from tests.e2e.world import settings_for, stop

TOKEN = "424242:E2E-test-token"
ECHO_TOKEN = "535353:echo-bot-token"
FIRST_USER = 500_000
FIRST_GROUP = -2_000_000
ANSWER_LIMIT = 64 * 1024 * 1024  # the child's answers carry every latency of a phase on one line


def load_chain(directory: Path, locations: int, skus: int) -> UnitOfWorkFactory:
    write_chain(directory, locations, skus, lines=1)
    (directory / "live_sales.csv").unlink()
    staff = directory / "staff.csv"
    staff.write_text(
        "telegram_user_id,name,role,location_code\n"
        + "".join(f"{FIRST_USER + n},店员{n},staff,L{n:03d}\n" for n in range(locations)),
        encoding="utf-8",
    )
    url = f"sqlite:///{directory / 'chat.db'}"
    upgrade_to_head(url)
    uow = UnitOfWorkFactory(open_database(url))
    outcomes = Importer(
        uow, __import__("zoneinfo").ZoneInfo("Asia/Shanghai"), lambda: datetime.now(UTC)
    ).import_dir(directory)
    assert all(o.status != "rejected" for o in outcomes)
    with uow() as unit:
        for n in range(locations):
            unit.locations.link_chat(f"L{n:03d}", FIRST_GROUP - n)
        unit.commit()
    return uow


class ReplyClock:
    """Resolves a waiter when a bot's sendMessage to its chat is answered by the sandbox.

    Waiting through the sandbox's own change notifications wakes every waiter
    on every message, which at hundreds of open requests costs more than the
    bots being measured; a per-chat queue fed from the HTTP layer does not.
    """

    def __init__(self) -> None:
        self.waiting: dict[int, collections.deque[asyncio.Future]] = collections.defaultdict(collections.deque)

    def expect(self, chat: int) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiting[chat].append(future)
        return future

    @web.middleware
    async def middleware(self, request: web.Request, handler):  # type: ignore[no-untyped-def]
        response = await handler(request)
        if request.path.endswith("/sendMessage") and response.status == 200:
            body = await request.json() if request.content_type == "application/json" else await request.post()
            queue = self.waiting.get(int(body["chat_id"]))
            while queue:
                future = queue.popleft()
                if not future.done():
                    future.set_result(time.perf_counter())
                    break
        return response


CLOCK = ReplyClock()


async def start_polling(application) -> None:  # type: ignore[no-untyped-def]
    """Both bots sit in every chat: each starts without the other's backlog of messages."""
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=1, drop_pending_updates=True)


async def serve(sandbox: TelegramSandbox, clock: ReplyClock) -> tuple:
    app = create_sandbox_app(sandbox)
    app.middlewares.append(clock.middleware)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


def echo_application(url: str, *, aiohttp_client: bool = False):  # type: ignore[no-untyped-def]
    """A bare PTB echo bot; with `aiohttp_client`, on the HTTP client the assistant uses instead of PTB's httpx."""
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    from adapters.gateways.telegram_http import AiohttpRequest

    async def echo(update, context) -> None:  # type: ignore[no-untyped-def]
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text)

    builder = ApplicationBuilder().token(ECHO_TOKEN).base_url(f"{url}/bot").base_file_url(f"{url}/file/bot")
    if aiohttp_client:
        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(connection_pool_size=1))
    application = builder.concurrent_updates(16).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    return application


async def ask(sandbox: TelegramSandbox, user: int, chat: int, text: str) -> float:
    replied = CLOCK.expect(chat)
    started = time.perf_counter()
    await sandbox.send_text(user, chat, text)
    return await asyncio.wait_for(replied, 30) - started


async def saturate(
    sandbox: TelegramSandbox, users: list[tuple[int, int]], skus: int, seconds: float
) -> tuple[float, list[float]]:
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    rng = random.Random(5)

    async def virtual_staff(user: int, chat: int) -> None:
        while time.perf_counter() < deadline:
            latencies.append(await ask(sandbox, user, chat, f"/stock P{rng.randrange(skus):05d}"))

    started = time.perf_counter()
    await asyncio.gather(*(virtual_staff(u, c) for u, c in users))
    return len(latencies) / (time.perf_counter() - started), latencies


async def open_loop(
    sandbox: TelegramSandbox, users: list[tuple[int, int]], skus: int, rate: float, seconds: float
) -> list[float]:
    rng = random.Random(9)
    tasks = []
    interval = 1 / rate
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < seconds:
        user, chat = users[n % len(users)]
        tasks.append(asyncio.create_task(ask(sandbox, user, chat, f"/stock P{rng.randrange(skus):05d}")))
        n += 1
        await asyncio.sleep(max(0.0, start + n * interval - time.perf_counter()))
    return list(await asyncio.gather(*tasks))


def describe(name: str, throughput: float, latencies: list[float]) -> str:
    ms = [x * 1000 for x in latencies]
    return (
        f"{name}: {throughput:,.1f} replies/s, p50 {statistics.median(ms):.1f} ms, "
        f"p99 {percentile(ms, 99):.1f} ms over {len(ms):,} messages"
    )


class VirtualStaff:
    """The sandbox and the staff typing into it, in this process."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sandbox = TelegramSandbox()
        self.sandbox.add_bot(TOKEN, "retail_assistant_bot")
        self.sandbox.add_bot(ECHO_TOKEN, "echo_bot")
        self.users = [(FIRST_USER + n, FIRST_GROUP - n) for n in range(args.locations)]
        for user, chat in self.users:
            self.sandbox.add_user(user, f"staff {user}", language_code="zh-hans")
            self.sandbox.add_group(chat, f"store {chat}", [user])

    async def start(self) -> str:
        self.runner, url = await serve(self.sandbox, CLOCK)
        return url

    async def saturate(self, seconds: float) -> tuple[float, list[float]]:
        settle_heap()
        return await saturate(self.sandbox, self.users[: self.args.concurrency], self.args.skus, seconds)

    async def open_loop(self, rate: float, seconds: float) -> list[float]:
        settle_heap()
        return await open_loop(self.sandbox, self.users, self.args.skus, rate, seconds)

    async def release(self) -> None:
        self.sandbox.release_waiters()

    async def close(self) -> None:
        await self.sandbox.close()
        await self.runner.cleanup()


class StaffInChildProcess:
    """The same, in a child process: the bots being measured get this process (and a core) to themselves."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    async def start(self) -> str:
        options = [f"--{name}={getattr(self.args, name)}" for name in ("locations", "skus", "concurrency")]
        self.child = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve-staff", *options, stdin=PIPE, stdout=PIPE, limit=ANSWER_LIMIT
        )
        return (await self._answer())["url"]

    async def saturate(self, seconds: float) -> tuple[float, list[float]]:
        settle_heap()
        answer = await self._ask(do="saturate", seconds=seconds)
        return answer["rate"], answer["latencies"]

    async def open_loop(self, rate: float, seconds: float) -> list[float]:
        settle_heap()
        return (await self._ask(do="open_loop", rate=rate, seconds=seconds))["latencies"]

    async def release(self) -> None:
        await self._ask(do="release")

    async def close(self) -> None:
        await self._ask(do="quit")
        await self.child.wait()

    async def _ask(self, **request: object) -> dict:
        assert self.child.stdin is not None
        self.child.stdin.write(json.dumps(request).encode() + b"\n")
        await self.child.stdin.drain()
        return await self._answer()

    async def _answer(self) -> dict:
        assert self.child.stdout is not None
        line = await self.child.stdout.readline()
        if not line:
            raise RuntimeError("the staff process ended")
        return json.loads(line)


async def serve_staff(args: argparse.Namespace) -> None:
    """The child's side: serve the sandbox, then run what the parent asks for, one JSON line each way."""
    staff = VirtualStaff(args)
    url = await staff.start()
    settle_heap()
    print(json.dumps({"url": url}), flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        request = json.loads(line)
        if request["do"] == "saturate":
            rate, latencies = await staff.saturate(request["seconds"])
            answer: dict = {"rate": rate, "latencies": latencies}
        elif request["do"] == "open_loop":
            answer = {"latencies": await staff.open_loop(request["rate"], request["seconds"])}
        elif request["do"] == "release":
            await staff.release()
            answer = {}
        else:
            await staff.close()
            print("{}", flush=True)
            return
        print(json.dumps(answer), flush=True)


def settle_heap() -> None:
    """Leave what loading, setting up and earlier phases built out of the collector's full passes.

    In service the chain is loaded by another command and the chat history
    lives at Telegram; here both sat in the measured processes, and each
    full collection over them was a pause of hundreds of milliseconds inside
    the next phase. Called before each phase, in every process involved.
    """
    gc.collect()
    gc.freeze()


async def measure_echo(staff, url: str, seconds: float, name: str, **options) -> float:  # type: ignore[no-untyped-def]
    echo = echo_application(url, **options)
    await start_polling(echo)
    rate, latencies = await staff.saturate(seconds)
    await stop(echo)
    print(describe(name, rate, latencies))
    return rate


async def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    try:
        started = time.perf_counter()
        uow = load_chain(work, args.locations, args.skus)
        print(f"loaded {args.locations} stores x {args.skus} SKUs in {time.perf_counter() - started:.0f} s")
        settle_heap()
        staff = StaffInChildProcess(args) if args.sandbox_process else VirtualStaff(args)
        url = await staff.start()
        where = "in a child process" if args.sandbox_process else "in the bots' process"
        print(f"sandbox and virtual staff {where}")

        echo_rate = await measure_echo(staff, url, args.seconds, "echo bot (ceiling), saturated")
        # Like for like: the same echo on the assistant's HTTP client (adapters/gateways/telegram_http.py).
        same_client_rate = await measure_echo(
            staff, url, args.seconds, "echo bot on the assistant's aiohttp client, saturated", aiohttp_client=True
        )

        reader = BarcodeReader(workers=1)
        # Neither bot rate-limits here: this measures capacity. In service the AIORateLimiter
        # holds sends to Telegram's 30/s overall and 20/min per group.
        bot = build_bot(settings_for(url), uow, barcode_reader=reader, rate_limit=False)
        await start_polling(bot)
        await staff.saturate(3)  # warm caches and the search index
        rate, latencies = await staff.saturate(args.seconds)
        print(describe("assistant /stock, saturated", rate, latencies))
        print(f"assistant / echo throughput: {rate / echo_rate:.2f} (target >= 0.80)")
        print(f"assistant / echo on the same HTTP client: {rate / same_client_rate:.2f}")
        half_latencies = await staff.open_loop(rate / 2, args.seconds)
        print(describe(f"assistant /stock at half load ({rate / 2:.1f}/s)", rate / 2, half_latencies))
        print(
            f"p99 at half load: {percentile([x * 1000 for x in half_latencies], 99):.1f} ms (target < 150 ms)"
        )
        await staff.release()
        await stop(bot)
        reader.close()
        await staff.close()
        uow.database.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--locations", type=int, default=200)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--sandbox-process", action="store_true", help="run the sandbox and the virtual staff in a child process"
    )
    parser.add_argument("--serve-staff", action="store_true", help=argparse.SUPPRESS)  # that child
    args = parser.parse_args()
    asyncio.run(serve_staff(args) if args.serve_staff else run(args))


if __name__ == "__main__":
    main()
