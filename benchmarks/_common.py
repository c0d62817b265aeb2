"""Helpers shared by the benchmark scripts: put the repo on sys.path, time things."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class Stopwatch:
    """Wall time, and this process's CPU time: on a shared machine the second says what the code costs."""

    def __enter__(self) -> Stopwatch:
        self.start, self.cpu_start = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
        self.cpu_seconds = time.process_time() - self.cpu_start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def describe_ms(samples_s: list[float]) -> str:
    ms = [s * 1000 for s in samples_s]
    return f"median {statistics.median(ms):.3f} ms, p99 {percentile(ms, 99):.3f} ms, max {max(ms):.3f} ms"
