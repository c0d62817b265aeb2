"""Forecast accuracy by rolling origin against the naive methods a buyer would use.

Every method sees the same history (before the origin) and is scored on the
same days: the next `horizon_days`, leaving out days the shelf was empty
(judged with hindsight, the same mask for all methods).

WAPE = sum|forecast - actual| / sum actual; bias = sum(forecast - actual) / sum actual;
MASE = sum|error| / sum over series of (days scored x the series' in-sample
mean absolute change from the same weekday a week earlier), pooled so
series that never sold do not divide by zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.forecasting.api import fit_and_forecast
from domain.forecasting.frames import ChainFrames, as_day
from domain.forecasting.model import ForecastConfig
from domain.forecasting.panel import build_panel
from domain.replenishment.targets import abc_classes

SEASONAL_NAIVE, MOVING_AVERAGE = "seasonal_naive", "moving_average_28"
# The mean forecast drives the plan; the median (p50) is the point forecast absolute-error
# metrics like WAPE reward, so both are scored.
ASSISTANT, ASSISTANT_MEDIAN = "assistant", "assistant_p50"


def origin_scores(frames: ChainFrames, origin: object, horizon_days: int, config: ForecastConfig) -> pd.DataFrame:
    """Per-series absolute error, error, actual and MASE scale for each method at one origin."""
    origin = as_day(origin)
    fitted = fit_and_forecast(frames, origin, config)
    truth = build_panel(frames, origin + pd.Timedelta(days=horizon_days), config.history_days + horizon_days)
    rows = pd.MultiIndex.from_frame(truth.series[["location_code", "sku"]]).get_indexer(
        pd.MultiIndex.from_frame(fitted.outlook.series[["location_code", "sku"]])
    )
    keep = rows >= 0
    future = slice(len(truth.days) - horizon_days, len(truth.days))
    actual = truth.qty[rows[keep], future]
    scored = truth.observed()[rows[keep], future]
    history = fitted.panel.qty[keep]
    forecasts = {
        ASSISTANT: fitted.outlook.daily[keep, :horizon_days],
        ASSISTANT_MEDIAN: fitted.outlook.daily_quantile(0.5)[keep, :horizon_days],
        SEASONAL_NAIVE: np.tile(history[:, -7:], (1, -(-horizon_days // 7)))[:, :horizon_days],
        MOVING_AVERAGE: np.repeat(history[:, -28:].mean(axis=1, keepdims=True), horizon_days, axis=1),
    }
    series = fitted.outlook.series[keep].reset_index(drop=True)
    base = series[["location_code", "sku"]].assign(
        actual=(actual * scored).sum(axis=1), days=scored.sum(axis=1),
        scale=_naive_scale(history, fitted.panel.observed()[keep]),
        abc=_history_abc(series, history), origin=origin,
    )
    parts = []
    for method, forecast in forecasts.items():
        error = (forecast - actual) * scored
        parts.append(base.assign(method=method, abs_error=np.abs(error).sum(axis=1), error=error.sum(axis=1)))
    return pd.concat(parts, ignore_index=True)


def summarise(scores: pd.DataFrame) -> pd.DataFrame:
    """WAPE, MASE and bias per method, overall and per ABC class."""
    overall = scores.assign(abc="all")
    frame = pd.concat([overall, scores], ignore_index=True)
    frame = frame.assign(scaled_days=frame["days"] * frame["scale"])
    sums = frame.groupby(["abc", "method"])[["abs_error", "error", "actual", "scaled_days"]].sum()
    return pd.DataFrame({
        "wape": sums["abs_error"] / sums["actual"],
        "mase": sums["abs_error"] / sums["scaled_days"],
        "bias": sums["error"] / sums["actual"],
        "actual_units": sums["actual"],
    }).reset_index()


def _naive_scale(history: np.ndarray, observed: np.ndarray) -> np.ndarray:
    both = observed[:, 7:] & observed[:, :-7]
    change = np.abs(history[:, 7:] - history[:, :-7]) * both
    return change.sum(axis=1) / np.maximum(both.sum(axis=1), 1)


def _history_abc(series: pd.DataFrame, history: np.ndarray) -> pd.Series:
    value = pd.Series(history[:, -91:].sum(axis=1) * series["unit_price"].to_numpy())
    return abc_classes(series["location_code"], value, (0.80, 0.95)).to_numpy()
