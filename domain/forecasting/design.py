"""Model rows: one per series x target day, features known at the origin only.

The model learns a multiplier on each series' recent level: the target is
sales / level with weight level, which under a Poisson loss is the same as a
Poisson model with log(level) as offset. One global model then serves fast
and slow sellers alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.forecasting.calendar_features import calendar_table
from domain.forecasting.features import origin_state
from domain.forecasting.panel import SalesPanel

SERIES_CATEGORICALS = ("category_id", "location_code_id", "region_id", "tier_id")
STATE_FEATURES = ("zero_share", "days_since_sale", "age", "promo_recent", "price_ratio", "observed_days")
CALENDAR_FEATURES = (
    "weekday", "week_of_year", "month", "day_of_month", "holiday", "holiday_length", "festival_distance",
)
FEATURES = (
    "log_level", "recent_trend", "long_ratio", "size_ratio", "weekday_ratio", "horizon",
    *STATE_FEATURES, *CALENDAR_FEATURES, *SERIES_CATEGORICALS,
)
# HistGradientBoosting treats a feature as categorical only below its bin limit.
MAX_CATEGORIES = 250


def categorical_mask(panel: SalesPanel) -> list[bool]:
    """Which FEATURES the model may treat as categories for this chain."""
    small = {name: panel.series[name].max() < MAX_CATEGORIES for name in SERIES_CATEGORICALS}
    return [bool(small.get(name, False)) for name in FEATURES]


def design_rows(
    panel: SalesPanel, state: pd.DataFrame, t: int, series_index: np.ndarray, horizon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix for (series, horizon) pairs seen from origin column `t`, and each row's level.

    The float32 matrix is filled one feature at a time: a million rows of float64
    columns gathered first would take several times its size.
    """
    target_days = panel.as_of_day(t) + pd.to_timedelta(horizon - 1, unit="D")
    calendar = calendar_table(pd.DatetimeIndex(target_days.unique())).reindex(target_days)
    matrix = np.empty((len(series_index), len(FEATURES)), dtype=np.float32)
    filled = set()

    def put(name: str, values: np.ndarray) -> None:
        matrix[:, FEATURES.index(name)] = values
        filled.add(name)

    def per_row(name: str) -> np.ndarray:
        return state[name].to_numpy()[series_index]

    level = per_row("level")
    weekday = calendar["weekday"].to_numpy()
    weekday_ratio = np.empty(len(series_index))
    for day in range(7):
        on_day = weekday == day
        weekday_ratio[on_day] = state[f"weekday_ratio_{day}"].to_numpy()[series_index[on_day]]
    put("log_level", np.log(level))
    put("recent_trend", per_row("mean_7") / level)
    put("long_ratio", per_row("mean_91") / level)
    put("size_ratio", per_row("size") / level)
    put("weekday_ratio", weekday_ratio)
    put("horizon", horizon)
    for name in STATE_FEATURES:
        put(name, per_row(name))
    for name in CALENDAR_FEATURES:
        put(name, calendar[name].to_numpy())
    for name in SERIES_CATEGORICALS:
        put(name, panel.series[name].to_numpy()[series_index])
    if len(filled) != len(FEATURES):
        raise ValueError(f"design_rows fills no values for {sorted(set(FEATURES) - filled)}")
    return matrix, level


def training_rows(
    panel: SalesPanel, observed: np.ndarray, origins: list[int], limit: int, horizon_days: int,
    max_rows: int, rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sampled (features, sales / level, level) rows whose target days fall before column `limit`."""
    per_origin = max(max_rows // max(len(origins), 1), 1)
    parts = []
    n_series = len(panel.series)
    for t in origins:
        reach = min(horizon_days, limit - t)
        if reach <= 0:
            continue
        series_index = rng.integers(0, n_series, per_origin)
        horizon = rng.integers(1, reach + 1, per_origin)
        target_column = t + horizon - 1
        keep = observed[series_index, target_column]
        series_index, horizon, target_column = series_index[keep], horizon[keep], target_column[keep]
        features, level = design_rows(panel, origin_state(panel, observed, t), t, series_index, horizon)
        parts.append((features, panel.qty[series_index, target_column] / level, level))
    features, ratio, weight = (np.concatenate(part) for part in zip(*parts, strict=True))
    return features, ratio, weight
