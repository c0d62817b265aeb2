"""Backtest on the demo chain: accuracy against naive methods, the policy against min/max.

    .venv/bin/python benchmarks/backtest_policy.py [DATA_DIR] [OUT_DIR] [MIN_TRANSFER_VALUE]

MIN_TRANSFER_VALUE overrides PolicyConfig.min_transfer_value (default 50.00), the
smallest store-to-store line, to see what that rule costs (warehouse lines always
carry exactly the units a store needs).

DATA_DIR defaults to a demo chain generated into /tmp/demo_chain (20 stores x 2,000 SKUs).

The simulation covers the last 112 days of the year of history: 28 warm-up
days that are run but not scored, then 84 scored days. Both policies start
from the same stock snapshot and see the same demand, supplier lead times,
transfer times and nightly reviews. The warm-up matters for turns: the
snapshot holds weeks of warehouse cover and shelves of slow movers that
neither policy chose; scored from day one, both would mostly be selling it
down and the turns would describe the snapshot. After four weeks each
policy holds what its own rules lead to (fast movers turn over many times
in four weeks; slow movers' leftover units are the same for both). 84 scored
days rather than 56 so that slow movers see a few reorders. Results are
printed for the chain and per ABC class of store series (warehouses apart).
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.analytics_frames import load_chain_frames  # noqa: E402
from adapters.charts_backtest import write_backtest  # noqa: E402
from adapters.demo_chain import generate_demo_chain  # noqa: E402
from domain.replenishment.backtest import run_backtest  # noqa: E402
from domain.replenishment.config import PolicyConfig  # noqa: E402


def ensure_demo_chain(directory: Path, days: int = 365) -> Path:
    """The benchmarks' demo chain (`days` of history to 2026-10-31) in `directory`, generated there
    first if it is not."""
    if not (directory / "sales.csv").exists():
        generate_demo_chain(directory, seed=7, days=days, end_date=date(2026, 10, 31))
    return directory


def demo_frames(directory: Path):
    return load_chain_frames(ensure_demo_chain(directory))


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/demo_chain")
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/backtest")
    frames = demo_frames(data)
    started = time.perf_counter()
    config = PolicyConfig(min_transfer_value=float(sys.argv[3])) if len(sys.argv) > 3 else None
    result = run_backtest(frames, origins=1, config=config)
    print(f"backtest took {time.perf_counter() - started:.0f} s")
    print(result.accuracy.to_string(index=False))
    print(result.simulation.to_string(index=False))
    print(result.by_class.to_string(index=False))
    sim = result.simulation.set_index("policy")
    lost_cut = 1 - sim.loc["assistant", "lost_share"] / sim.loc["min_max", "lost_share"]
    turns_up = sim.loc["assistant", "turns"] / sim.loc["min_max", "turns"] - 1
    print(f"stock-outs down {lost_cut:.0%} (target 60%), turns up {turns_up:.0%} (target 40%)")
    for path in write_backtest(result, out):
        print("wrote", path)


if __name__ == "__main__":
    main()
