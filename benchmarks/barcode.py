"""Decode rate and time per image of the barcode reader against plain zxing-cpp and pyzbar.

Run from the repository root:  .venv/bin/python benchmarks/barcode.py [--per-condition 30] [--seed 7] [--pool]

Every method gets the same generated phone-photo corpus (tests/support/barcode_corpus.py)
and the same image loading (bytes -> upright grayscale), and its reads are judged by the
same check-digit rules; an image counts as decoded only when every code in it was read.
Times are wall-clock per image, bytes in to codes out. --pool also compares the
throughput of two worker threads with two worker processes (see adapters/barcode/reader.py).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

# Replace this script's folder with the repository root: this file's name would otherwise
# shadow python-barcode (`import barcode`), which the corpus uses.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import zxingcpp  # noqa: E402

from adapters.barcode import BarcodeReader, zbar  # noqa: E402
from adapters.barcode.loading import load_grayscale  # noqa: E402
from adapters.barcode.pipeline import decode_image_bytes  # noqa: E402
from adapters.barcode.result import DecodedCode  # noqa: E402
from adapters.barcode.symbols import decoded_code  # noqa: E402
from tests.support.barcode_corpus import CONDITIONS, Sample, generate_corpus, identity  # noqa: E402

Method = Callable[[bytes], list[DecodedCode]]


def pipeline(data: bytes) -> list[DecodedCode]:
    return decode_image_bytes(data).codes


def plain_zxing(data: bytes) -> list[DecodedCode]:
    codes = (decoded_code(barcode) for barcode in zxingcpp.read_barcodes(load_grayscale(data).pixels))
    return [code for code in codes if code is not None]


def pyzbar_only(data: bytes) -> list[DecodedCode]:
    return zbar.read(load_grayscale(data).pixels)


class Outcome(NamedTuple):
    decoded: bool  # every code in the image was read
    wrong: bool  # some value read is not in the image
    cpu: float  # seconds of CPU in this thread: fair while other jobs share the machine
    wall: float


def measure(method: Method, sample: Sample) -> Outcome:
    started, started_cpu = time.perf_counter(), time.thread_time()
    codes = method(sample.data)
    cpu, wall = time.thread_time() - started_cpu, time.perf_counter() - started
    read = {identity(code.format, code.text) for code in codes}
    expected = {identity(fmt, text) for fmt, text in sample.expected}
    return Outcome(expected <= read, bool(read - expected), cpu, wall)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-condition", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pool", action="store_true", help="also compare thread and process pools")
    args = parser.parse_args()
    corpus = generate_corpus(args.per_condition, args.seed)
    if args.pool:
        compare_pools([sample.data for sample in corpus])
    methods: dict[str, Method] = {"pipeline": pipeline, "plain zxing": plain_zxing}
    if zbar.available():
        methods["pyzbar"] = pyzbar_only
    results = {
        name: {sample.name: measure(method, sample) for sample in corpus} for name, method in methods.items()
    }
    print(f"{len(corpus)} images, {args.per_condition} per condition, seed {args.seed}; rate = images fully "
          "decoded; CPU ms per image: median / p90; wrong = images with a value not in them")  # fmt: skip
    header = f"{'condition':<15}" + "".join(f"{name:>26}" for name in methods)
    print(header)
    print("-" * len(header))
    for condition in (*CONDITIONS, "distorted", "all"):
        names = [
            s.name
            for s in corpus
            if condition in (s.condition, "all") or (condition == "distorted" and s.condition != "clean")
        ]
        print(f"{condition:<15}" + "".join(_cell([results[m][n] for n in names]) for m in methods))
    print(f"{'wrong':<15}" + "".join(f"{sum(o.wrong for o in results[m].values()):>26}" for m in methods))
    walls = [o.wall * 1000 for o in results["pipeline"].values()]
    print(
        f"pipeline wall-clock ms per image: median {statistics.median(walls):.1f}, p90 {percentile(walls, 0.9):.1f}"
    )


def compare_pools(images: list[bytes], workers: int = 2) -> None:
    """Images per second decoded in one thread, `workers` threads and `workers` processes."""
    spawn = multiprocessing.get_context("forkserver")
    pools: dict[str, Callable[[], Executor | None]] = {
        "sequential": lambda: None,
        f"{workers} threads": lambda: ThreadPoolExecutor(workers),
        f"{workers} processes": lambda: ProcessPoolExecutor(workers, mp_context=spawn),
    }
    for name, make in pools.items():
        executor = make()
        if executor is not None:
            list(executor.map(decode_image_bytes, images[:workers]))  # start the workers outside the clock
        started = time.perf_counter()
        list((executor.map if executor else map)(decode_image_bytes, images))
        elapsed = time.perf_counter() - started
        if executor is not None:
            executor.shutdown()
        print(f"{name:<14} {len(images) / elapsed:6.1f} images/s")
    lags = asyncio.run(event_loop_lags(images, workers))
    print(
        f"event loop while BarcodeReader decodes: worst lag {max(lags):.1f} ms, p99 {percentile(lags, 0.99):.1f} ms"
    )


async def event_loop_lags(images: list[bytes], workers: int) -> list[float]:
    """How late a 5 ms timer fires (ms) while the reader's threads decode every image."""
    reader = BarcodeReader(workers)
    lags: list[float] = []

    async def tick() -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append((time.perf_counter() - started - 0.005) * 1000)

    ticker = asyncio.create_task(tick())
    await asyncio.gather(*(reader.read(data) for data in images))
    ticker.cancel()
    reader.close()
    return lags


def _cell(outcomes: list[Outcome]) -> str:
    rate = sum(o.decoded for o in outcomes) / len(outcomes)
    times = [o.cpu * 1000 for o in outcomes]
    return f"{rate:>8.1%} {statistics.median(times):>7.1f} / {percentile(times, 0.9):>6.1f}"


if __name__ == "__main__":
    main()
