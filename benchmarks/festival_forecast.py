"""Forecasting a festival season from last year's: with and without the festival alignment.

    .venv/bin/python benchmarks/festival_forecast.py [DATA_DIR] [ORIGIN ...]

DATA_DIR defaults to a two-year demo chain generated into /tmp/demo_2y
(history from 2024-11-01 to 2026-10-31). Origins default to 2026-09-06,
three weeks before the 2026 Mid-Autumn festival (25 September; in 2025 it
was 6 October), and 2026-01-25, three weeks before the 2026 Spring Festival
(17 February; in 2025 it was 29 January): each scores 28 days holding a
festival's run-up, the festival and the days after it.

The flat rates the hold-out weeks choose read the last four weeks and their
momentum; `ForecastConfig.festivals` lets them follow last year's run-up,
aligned on the festival (`domain/forecasting/festivals.py`). Prints WAPE and
bias per festive category and overall, with and without, and seasonal naive;
then the inventory simulation of `backtest_policy.py` over the chain's last
112 days (the Mid-Autumn season included), with and without.
The one-year demo chain of the other benchmarks holds no earlier Mid-Autumn
or Spring Festival before its origins, so there the two forecasts are the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.analytics_frames import load_chain_frames  # noqa: E402
from benchmarks.backtest_policy import ensure_demo_chain  # noqa: E402
from domain.forecasting.accuracy import ASSISTANT, SEASONAL_NAIVE, origin_scores  # noqa: E402
from domain.forecasting.model import ForecastConfig  # noqa: E402
from domain.replenishment.backtest import run_backtest  # noqa: E402

HORIZON = 28
FESTIVE = ("月饼", "礼盒", "酒类", "火锅食材")
ORIGINS = ("2026-09-06", "2026-01-25")


def by_category(scores: pd.DataFrame, category: pd.Series) -> pd.DataFrame:
    """WAPE and bias per festive category and over every series."""
    scores = scores.assign(category=scores["sku"].map(category))
    groups = {name: scores[scores["category"] == name] for name in FESTIVE} | {"all": scores}
    rows = []
    for name, part in groups.items():
        sums = part[["abs_error", "error", "actual"]].sum()
        rows.append({"category": name, "wape": sums["abs_error"] / sums["actual"], "bias": sums["error"] / sums["actual"],
                     "actual_units": sums["actual"]})
    return pd.DataFrame(rows)


def main() -> None:
    directory = ensure_demo_chain(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/demo_2y"), days=730)
    frames = load_chain_frames(directory)
    category = frames.products.set_index("sku")["category"]
    for origin in map(pd.Timestamp, sys.argv[2:] or ORIGINS):
        tables = []
        for festivals, label in ((False, "momentum only"), (True, "with last year's festival")):
            scores = origin_scores(frames, origin, HORIZON, ForecastConfig(festivals=festivals))
            tables.append(by_category(scores[scores["method"] == ASSISTANT], category).assign(method=label))
        tables.append(by_category(scores[scores["method"] == SEASONAL_NAIVE], category).assign(method="seasonal naive"))
        table = pd.concat(tables, ignore_index=True)
        print(f"origin {origin.date()}, {HORIZON} days scored")
        print(table.pivot(index="category", columns="method", values=["wape", "bias"]).round(3).to_string())
    for festivals in (False, True):
        result = run_backtest(frames, origins=1, forecast_config=ForecastConfig(festivals=festivals))
        print(f"simulation, festivals {'on' if festivals else 'off'}:")
        print(result.simulation.to_string(index=False))


if __name__ == "__main__":
    main()
