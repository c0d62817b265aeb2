"""How wrong the forecast tends to be, measured on the held-out weeks.

Errors are summarised as a variance-to-mean ratio (dispersion) per demand
class and sales-velocity bucket, for sums over 1, 7, 14 and 28 days: summing
days does not shrink errors the way independence would (bias persists), and
measuring at several window lengths captures that. Quantiles then come from a
negative binomial with that mean and dispersion: discrete, skewed, and never a
normal approximation, which matters most for the intermittent items.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

WINDOWS = (1, 7, 14, 28)
VELOCITY_BUCKETS = 5
MAX_DISPERSION = 60.0


def error_groups(demand_class: np.ndarray, daily_rate: np.ndarray) -> np.ndarray:
    """Group label per series: demand class plus velocity quintile."""
    ranks = pd.Series(daily_rate).rank(pct=True, method="first").to_numpy()
    bucket = np.minimum((ranks * VELOCITY_BUCKETS).astype(int), VELOCITY_BUCKETS - 1)
    return np.char.add(demand_class.astype(str), np.char.add("/", bucket.astype(str)))


def dispersion_table(actual: np.ndarray, forecast: np.ndarray, observed: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Dispersion per group (rows) and window length (columns) from hold-out errors."""
    table = {}
    for window in WINDOWS:
        blocks = actual.shape[1] // window
        if blocks == 0:
            continue
        shape = (actual.shape[0], blocks, window)
        span = slice(0, blocks * window)
        valid = observed[:, span].reshape(shape).all(axis=2)
        sums_actual = actual[:, span].reshape(shape).sum(axis=2)
        sums_forecast = forecast[:, span].reshape(shape).sum(axis=2)
        squared = np.where(valid, (sums_actual - sums_forecast) ** 2, 0).sum(axis=1)
        expected = np.where(valid, sums_forecast, 0).sum(axis=1)
        frame = pd.DataFrame({"group": groups, "squared": squared, "expected": expected}).groupby("group").sum()
        overall = frame["squared"].sum() / max(frame["expected"].sum(), 1e-9)
        ratio = frame["squared"] / frame["expected"].where(frame["expected"] > 1e-9)
        table[window] = ratio.fillna(overall).clip(1.0, MAX_DISPERSION)
    return pd.DataFrame(table)


def spread_rows(table: pd.DataFrame, groups: np.ndarray) -> np.ndarray:
    """Each series' dispersion at every window of `WINDOWS` (series, windows), from its group."""
    table = table.reindex(columns=list(WINDOWS)).ffill(axis=1).fillna(1.0) if not table.empty else table
    if table.empty:
        return np.ones((len(groups), len(WINDOWS)))
    return table.reindex(pd.Index(groups)).fillna(table.median()).to_numpy()


def spread_over(spread: np.ndarray, period_days: np.ndarray | float) -> np.ndarray:
    """Dispersion of demand summed over `period_days`, interpolated in log days between windows."""
    windows = np.log(np.asarray(WINDOWS, dtype=float))
    period = np.log(np.clip(np.broadcast_to(np.asarray(period_days, dtype=float), len(spread)), 1, None))
    position = np.interp(period, windows, np.arange(len(windows)))
    lower = np.floor(position).astype(int)
    upper = np.minimum(lower + 1, len(windows) - 1)
    share = position - lower
    rows = np.arange(len(spread))
    return (1 - share) * spread[rows, lower] + share * spread[rows, upper]


def demand_quantile(mean: np.ndarray, dispersion: np.ndarray, q: np.ndarray | float) -> np.ndarray:
    """Quantile `q` of demand with this mean and variance = dispersion x mean (negative binomial)."""
    mean = np.maximum(np.asarray(mean, dtype=float), 1e-9)
    dispersion = np.maximum(np.asarray(dispersion, dtype=float), 1.0 + 1e-6)
    n = mean / (dispersion - 1)
    return stats.nbinom.ppf(q, n, 1 / dispersion)
