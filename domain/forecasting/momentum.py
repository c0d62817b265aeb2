"""Where a category's demand is heading: multipliers for rates read off the last four weeks.

The flat methods (TSB, SBA, the pooled and the borrowed rate) say the coming
weeks will look like the last four. On the demo chain that carried September
into October: summer lines in their autumn decline and festive lines past
Mid-Autumn were forecast 20% to 60x too high, most of a +17% chain-wide bias.
One store's SKU shows such a movement as noise; the category's sales in the
region show it in thousands of units, so the multiplier is read there:

- slope: a least-squares fit of the log daily rate on time, weekday and public
  holidays over the last four weeks (weekends and holidays would otherwise pass
  for a trend), at most 1% a day, projected from the middle of the window to
  each of the next four weeks and held after them;
- the slope counts only when the last week moved the same way: a run-up to a
  festival just past rises over four weeks but falls in its last week, and then
  the last week's level is carried flat;
- a level shift: when the last week sold under half or over twice the
  four-week rate (a festival over, a season ended), its level is carried flat;
- a last week made of holidays only (the Spring Festival week) leaves the rates
  as they are: the slump, or the rush, ends with the holiday.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.forecasting.calendar_features import calendar_table
from domain.forecasting.panel import SalesPanel, category_region_key

TREND_DAYS = 28
RECENT_DAYS = 7
MAX_DAILY_SLOPE = 0.01
LEVEL_SHIFT = 2.0
# A category x region selling fewer units than this in four weeks keeps its rates as they are.
MIN_GROUP_UNITS = 100.0


def category_momentum(panel: SalesPanel, observed: np.ndarray, t: int, horizon: int) -> np.ndarray:
    """(series, horizon) multipliers for a daily rate measured over the four weeks before column `t`."""
    groups, n_groups = _category_regions(panel.series)
    multiplier = np.ones((n_groups, horizon))
    if t < TREND_DAYS:
        return multiplier[groups]
    window = slice(t - TREND_DAYS, t)
    seen = observed[:, window]
    units = np.stack([np.bincount(groups, day, n_groups) for day in (panel.qty[:, window] * seen).T], axis=1)
    days_seen = np.stack([np.bincount(groups, day, n_groups) for day in seen.T.astype(float)], axis=1)
    design = _design(pd.date_range(panel.as_of_day(t - TREND_DAYS), periods=TREND_DAYS, freq="D"))
    # A trend read off four weeks is carried four weeks ahead, then held: the planner looks eight weeks out.
    ahead = (TREND_DAYS + 1) / 2 + np.minimum(np.arange(horizon), TREND_DAYS - 1)
    ordinary = design[:, 2] == 0
    for group in np.flatnonzero(units.sum(axis=1) >= MIN_GROUP_UNITS):
        log_rate = np.log(np.maximum(units[group], 0.5) / np.maximum(days_seen[group], 1))
        weight = np.sqrt(np.maximum(units[group], 1.0))
        fit = np.linalg.lstsq(design * weight[:, None], log_rate * weight, rcond=None)[0]
        ratio = _recent_ratio(log_rate - design[:, 3:] @ fit[3:], ordinary)
        slope = np.clip(fit[1], -MAX_DAILY_SLOPE, MAX_DAILY_SLOPE)
        shifted = not 1 / LEVEL_SHIFT <= ratio <= LEVEL_SHIFT
        confirmed = np.sign(slope) == np.sign(np.log(ratio))
        multiplier[group] = np.exp(slope * ahead) if confirmed and not shifted else ratio
    return multiplier[groups]


def _category_regions(series: pd.DataFrame) -> tuple[np.ndarray, int]:
    keys = category_region_key(series["category_id"].to_numpy(), series["region_id"].to_numpy())
    unique, groups = np.unique(keys, return_inverse=True)
    return groups, len(unique)


def _design(days: pd.DatetimeIndex) -> np.ndarray:
    """Columns: intercept, days from the window's middle, public holiday, Tuesday .. Sunday."""
    weekday = days.day_of_week.to_numpy()
    holiday = calendar_table(days)["holiday"].to_numpy() > 0
    time = np.arange(len(days)) - (len(days) - 1) / 2
    weekdays = [(weekday == day).astype(float) for day in range(1, 7)]
    return np.column_stack([np.ones(len(days)), time, holiday.astype(float), *weekdays])


def _recent_ratio(log_rate: np.ndarray, ordinary: np.ndarray) -> float:
    """The last week's level over the four weeks', on ordinary days with the weekday rhythm taken out.

    Holidays are left out rather than modelled: before a festival they coincide
    with its run-up, and a holiday coefficient would take the run-up for traffic.
    """
    recent = ordinary.copy()
    recent[:-RECENT_DAYS] = False
    if not recent.any():  # a week of holidays (the Spring Festival) says nothing of the weeks after it
        return 1.0
    rate = np.exp(log_rate)  # arithmetic means: the multiplier scales an arithmetic four-week rate
    return float(rate[recent].mean() / rate[ordinary].mean())
