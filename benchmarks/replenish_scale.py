"""How the nightly run (fit, forecast, plan) grows with the chain, on synthesised frames.

    .venv/bin/python benchmarks/replenish_scale.py [STORES:SKUS ...]
    .venv/bin/python benchmarks/replenish_scale.py --demo DATA_DIR   # the nightly run on the demo chain CSVs
    SCALE_HISTORY_DAYS=364 .venv/bin/python benchmarks/replenish_scale.py 200:10000   # a year of history

Default sizes: 20:2000 50:4000 100:6000 200:10000. Each size runs in its own
process so peak memory (ru_maxrss) is that size's alone. Frames are made
directly (Poisson demand with a weekend lift, a lognormal spread of rates
averaging about 0.07 a day per store x SKU as in the demo chain, 80% of SKUs
carried per store, 182 days of history unless SCALE_HISTORY_DAYS says) because the demo generator is too
slow at 200 x 10,000. Location codes and SKUs in the sales rows are categories,
as `adapters/db/chain_frames_db.py` loads them.

The run follows `adapters/replenishment_cli.plan_chain`: build the panel, let go
of the sales frame, fit and forecast, let go of the panel, plan. Peak memory is
reported after each stage (ru_maxrss only grows).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.forecasting.api import fit_and_forecast, forecast_panel  # noqa: E402
from domain.forecasting.frames import ChainFrames  # noqa: E402
from domain.forecasting.model import ForecastConfig  # noqa: E402
from domain.forecasting.panel import build_panel  # noqa: E402
from domain.replenishment.config import PolicyConfig  # noqa: E402
from domain.replenishment.plan import chain_targets, plan_from_targets, plan_replenishment  # noqa: E402

# Half a year by default; SCALE_HISTORY_DAYS=364 runs the year the nightly forecast reads.
HISTORY_DAYS = int(os.environ.get("SCALE_HISTORY_DAYS", "182"))
END = pd.Timestamp("2026-11-01")


def synthetic_chain(stores: int, skus: int, seed: int = 7) -> ChainFrames:
    rng = np.random.default_rng(seed)
    codes = [f"S{i:03d}" for i in range(stores)] + ["W01", "W02", "W03"]
    locations = pd.DataFrame(
        {
            "code": codes,
            "kind": ["store"] * stores + ["warehouse"] * 3,
            "tier": "",
            "region": [f"R{i % 3}" for i in range(stores + 3)],
            "latitude": 31 + rng.normal(0, 2, stores + 3),
            "longitude": 118 + rng.normal(0, 3, stores + 3),
        }
    )
    sku_codes = np.array([f"K{i:05d}" for i in range(skus)])
    price = np.round(rng.lognormal(2.5, 0.6, skus), 2)
    products = pd.DataFrame(
        {
            "sku": sku_codes,
            "name": sku_codes,
            "category": rng.integers(0, 12, skus).astype(str),
            "brand": rng.integers(0, 80, skus).astype(str),
            "unit_price": price,
            "unit_cost": price * 0.65,
            "pack_size": 6,
        }
    )
    suppliers = pd.DataFrame(
        {
            "supplier_code": "SUP",
            "sku": sku_codes,
            "unit_cost": price * 0.65,
            "lead_time_days": rng.integers(3, 15, skus),
            "min_order_qty": 12,
            "pack_size": 6,
        }
    )
    # About 0.07 sales a day per store x SKU: like the demo chain, traffic not assortment sets volume.
    rate = rng.lognormal(-3.5, 1.3, skus)
    days = pd.date_range(END - pd.Timedelta(days=HISTORY_DAYS), periods=HISTORY_DAYS, freq="D")
    weekday = np.where(days.day_of_week >= 5, 1.3, 0.95)
    parts = []
    for store in range(stores):
        carried = np.flatnonzero(rng.random(skus) < 0.8)
        qty = rng.poisson(rate[carried, None] * weekday[None, :] * rng.uniform(0.6, 1.4))
        rows, cols = np.nonzero(qty)
        parts.append(
            pd.DataFrame(
                {
                    "location_code": pd.Categorical.from_codes(np.full(len(rows), store), categories=codes),
                    "sku": pd.Categorical.from_codes(carried[rows], categories=sku_codes),
                    "date": days[cols],
                    "qty": qty[rows, cols].astype(float),
                    "promo": 0.0,
                    "avg_price": price[carried[rows]],
                }
            )
        )
    sales = pd.concat(parts, ignore_index=True)
    positions = sales.groupby(["location_code", "sku"], as_index=False, observed=True)["qty"].mean()
    positions = positions.astype({"location_code": str, "sku": str})
    positions = positions.assign(
        on_hand=np.round(positions["qty"] * 7),
        reserved=0.0,
        in_transit_in=0.0,
        min_qty=np.nan,
        max_qty=np.nan,
    ).drop(columns="qty")
    return ChainFrames(locations, products, suppliers, positions, sales)


def measure(stores: int, skus: int) -> dict:
    started = time.perf_counter()
    frames = synthetic_chain(stores, skus)
    made, made_peak = time.perf_counter() - started, _peak_gb()
    sales_rows = len(frames.sales)
    started = time.perf_counter()
    panel = build_panel(frames, END, HISTORY_DAYS)
    frames = frames.without_sales()
    series = len(panel.series)
    outlook = forecast_panel(panel, ForecastConfig(history_days=HISTORY_DAYS)).outlook
    del panel
    fitted, fitted_peak = time.perf_counter() - started, _peak_gb()
    started = time.perf_counter()
    config = PolicyConfig()
    plan = plan_from_targets(chain_targets(frames, outlook, config), frames, config)
    planned = time.perf_counter() - started
    return {
        "stores": stores,
        "skus": skus,
        "series": series,
        "sales_rows": sales_rows,
        "synthesise_s": round(made, 1),
        "forecast_s": round(fitted, 1),
        "plan_s": round(planned, 1),
        "plan_lines": len(plan),
        "transfer_lines": int((plan["source_kind"] == "transfer").sum()),
        "peak_after_synthesis_gb": made_peak,
        "peak_after_forecast_gb": fitted_peak,
        "peak_rss_gb": _peak_gb(),
        "cpu_s": _cpu_seconds(),
    }


def _cpu_seconds() -> float:
    """User and system CPU time of the whole run: on a shared machine wall time says more about the neighbours."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 1)


def _peak_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)


def nightly_on_demo(directory: Path) -> dict:
    """The nightly job on the demo chain CSVs: load, fit, forecast table, plan with rendered reasons."""
    from adapters.analytics_frames import load_chain_frames, render_plan_reasons
    from domain.forecasting.api import forecast_table

    timings = {}
    started = time.perf_counter()
    frames = load_chain_frames(directory)
    as_of = frames.sales["date"].max() + pd.Timedelta(days=1)
    timings["load_s"] = time.perf_counter() - started
    forecast = fit_and_forecast(frames, as_of)
    timings["fit_forecast_s"] = time.perf_counter() - started - sum(timings.values())
    table = forecast_table(forecast.outlook, frames.locations, (0.5, 0.9))
    timings["forecast_table_s"] = time.perf_counter() - started - sum(timings.values())
    plan = render_plan_reasons(plan_replenishment(frames, as_of, forecast=forecast), "en")
    timings["plan_s"] = time.perf_counter() - started - sum(timings.values())
    timings = {name: round(value, 1) for name, value in timings.items()}
    return {
        **timings,
        "total_s": round(sum(timings.values()), 1),
        "forecast_rows": len(table),
        "plan_lines": len(plan),
        "peak_rss_gb": _peak_gb(),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--demo":
        print(json.dumps(nightly_on_demo(Path(sys.argv[2]))))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        stores, skus = map(int, sys.argv[2].split(":"))
        print(json.dumps(measure(stores, skus)))
        return
    sizes = sys.argv[1:] or ["20:2000", "50:4000", "100:6000", "200:10000"]
    for size in sizes:
        done = subprocess.run([sys.executable, __file__, "--one", size], capture_output=True, text=True)
        print(done.stdout.strip() or done.stderr.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
