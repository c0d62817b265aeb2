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
    """Feature matrix for (series, horizon) pairs seen from origin column `t`, and each row's level."""
    target_days = panel.as_of_day(t) + pd.to_timedelta(horizon - 1, unit="D")
    calendar = calendar_table(pd.DatetimeIndex(target_days.unique())).reindex(target_days)
    rows = state.iloc[series_index]
    level = rows["level"].to_numpy()
    weekday = calendar["weekday"].to_numpy()
    weekday_ratio = rows[[f"weekday_ratio_{d}" for d in range(7)]].to_numpy()[np.arange(len(rows)), weekday]
    columns = {
        "log_level": np.log(level),
        "recent_trend": rows["mean_7"].to_numpy() / level,
        "long_ratio": rows["mean_91"].to_numpy() / level,
        "size_ratio": rows["size"].to_numpy() / level,
        "weekday_ratio": weekday_ratio,
        "horizon": horizon,
    }
    columns.update({name: rows[name].to_numpy() for name in STATE_FEATURES})
    columns.update({name: calendar[name].to_numpy() for name in CALENDAR_FEATURES})
    columns.update({name: panel.series[name].to_numpy()[series_index] for name in SERIES_CATEGORICALS})
    matrix = np.column_stack([np.asarray(columns[name], dtype=np.float32) for name in FEATURES])
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
