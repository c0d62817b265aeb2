"""How far below seasonal naive a perfect mean forecast can get, given the demo chain's day-to-day noise.

    .venv/bin/python benchmarks/wape_ceiling.py [DATA_DIR]

Takes each store x SKU's rate of sales lines from the demo chain's year of
sales and draws 56 days of demand the way the generator does (Poisson lines
on a Gamma day-to-day factor, units per line from the category's pack mix),
with no season, promotion or trend: a stationary chain where seasonal naive
loses nothing to shifting patterns. It then scores the forecast that knows
each series' exact mean against seasonal naive (same weekday last week), at
the demo's rates and at 2 to 16 times as many lines a day.

It shows why the issue's "WAPE 25% below seasonal naive" is out of reach of
any unbiased forecast on this chain: at the demo's density the perfect mean
is about 11% below naive (14% on the real demo, whose promotions and
holidays hurt naive a little more), and it takes some 16 times the demo's
lines a day (4,400 units a store a day over 1,700 SKUs) to reach 25%. With
plenty of sales, noise that is Gaussian would put the mean at most
1 - 1/sqrt(2) = 29% below naive (E|X - mean| / E|X - X'|). WAPE rewards
forecasting low on sparse series: there, the median (often 0) beats the
mean, which is why the last column's in-sample median scores best.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.demo_chain.categories import CATEGORIES  # noqa: E402
from adapters.demo_chain.shelves import DEMAND_SHAPE, MULTI_BUY_QTY, SINGLE_QTY  # noqa: E402
from benchmarks.backtest_policy import ensure_demo_chain  # noqa: E402

DAYS = 56
DENSITIES = (1, 2, 4, 8, 16)


def line_rates(directory: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """Sales lines a day per store x SKU over the history, whether its category buys several at a time,
    and the number of stores."""
    ensure_demo_chain(directory)
    sales = pd.read_csv(directory / "sales.csv", usecols=["timestamp", "location_code", "sku"], dtype=str)
    days = sales["timestamp"].str[:10].nunique()
    lines = sales.groupby(["location_code", "sku"]).size() / days
    products = pd.read_csv(directory / "products.csv", usecols=["sku", "category"], dtype=str).set_index("sku")
    multi = {c.name: c.multi_buy for c in CATEGORIES}
    multi_buy = products["category"].map(multi).reindex(lines.index.get_level_values("sku")).fillna(False)
    return lines.to_numpy(), multi_buy.to_numpy(dtype=bool), lines.index.get_level_values("location_code").nunique()


def simulate(rate: np.ndarray, multi_buy: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(series, DAYS) units demanded, and each series' true mean units a day."""
    lines = rng.poisson(rate[:, None] * rng.gamma(DEMAND_SHAPE, 1 / DEMAND_SHAPE, (len(rate), DAYS)))
    cell = np.repeat(np.arange(lines.size), lines.ravel())
    multi = multi_buy[cell // DAYS]
    qty = rng.choice(SINGLE_QTY[0], size=len(cell), p=SINGLE_QTY[1])
    qty[multi] = rng.choice(MULTI_BUY_QTY[0], size=int(multi.sum()), p=MULTI_BUY_QTY[1])
    units = np.bincount(cell, weights=qty, minlength=lines.size).reshape(lines.shape)
    mean_qty = np.where(multi_buy, MULTI_BUY_QTY[0] @ MULTI_BUY_QTY[1], SINGLE_QTY[0] @ SINGLE_QTY[1])
    return units, rate * mean_qty


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    return float(np.abs(actual - forecast).sum() / actual.sum())


def main() -> None:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/demo_chain")
    rates, multi_buy, stores = line_rates(directory)
    rng = np.random.default_rng(11)
    print(f"{len(rates):,} store x SKU series, {rates.sum() / stores:.0f} sales lines per store a day in the demo")
    print(f"{'lines x':>8} {'units/store/day':>16} {'true mean':>10} {'naive':>8} {'below naive':>12} {'median':>8}")
    for density in DENSITIES:
        units, mean = simulate(rates * density, multi_buy, rng)
        actual, naive = units[:, 7:], units[:, :-7]
        perfect = np.broadcast_to(mean[:, None], actual.shape)
        median = np.median(units, axis=1, keepdims=True)  # in-sample median: a stand-in for a p50 forecast
        ours, theirs = wape(actual, perfect), wape(actual, naive)
        print(f"{density:>8} {units.sum() / DAYS / stores:>16.0f} {ours:>10.3f} {theirs:>8.3f} "
              f"{1 - ours / theirs:>11.1%} {wape(actual, np.broadcast_to(median, actual.shape)):>8.3f}")


if __name__ == "__main__":
    main()
