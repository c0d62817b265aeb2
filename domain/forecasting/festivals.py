"""Last year's festival season, for the flat rates.

The flat methods and their momentum read the last four weeks: three weeks
before Mid-Autumn they cannot know that mooncakes will sell several times
as much next week, nor that gift boxes stop the day the Spring Festival
begins. The chain's history knows, when it holds last year's festival. For
each category in each region, a target day's multiplier is last year's rate
on the days as far from that year's festival as the target day is from this
year's, over last year's rate in the four weeks before the day as far from
it as today is: the run-up's shape, scaled to this year's level by the flat
rate it multiplies. The festivals move with the lunar calendar, so the days
are aligned on the festival, not on the date. It reads the panel's
`category_days`, which reach further back than the panel's own columns.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from domain.calendar_cn import MID_AUTUMN, SPRING_FESTIVAL, nearest_festival
from domain.forecasting.momentum import MIN_GROUP_UNITS, TREND_DAYS
from domain.forecasting.panel import CategoryDays, SalesPanel

FESTIVALS = (SPRING_FESTIVAL, MID_AUTUMN)
# Days before and after a festival whose demand it shapes (the demo's gift run-up starts four weeks out).
BEFORE_DAYS, AFTER_DAYS = 42, 14
# Last year's day is read as the week around it (one day's sales are mostly noise and weekday),
# cut at the festival: the eve's rush is not the morning after's.
HALF_WEEK = 3
MIN_LIFT, MAX_LIFT = 0.05, 50.0


def festival_lift(panel: SalesPanel, t: int, horizon: int) -> np.ndarray:
    """(series, horizon) multipliers for a rate read over the four weeks before column `t`; NaN on
    days no festival shapes, or whose festival last year the history does not hold."""
    lift = np.full((len(panel.series), horizon), np.nan)
    history = panel.category_days
    if history is None or len(history.keys) == 0:
        return lift
    as_of = panel.as_of_day(t)
    before = (as_of - history.first_day).days  # columns of `history` before the forecast's day
    pairs = _aligned_columns(history.first_day.date(), as_of.date(), horizon, min(before, history.units.shape[1]))
    if not pairs:
        return lift
    by_group = np.full((len(history.keys), horizon), np.nan)
    for h, ((first, stop), origin) in pairs.items():
        base_units, base = _rate(history, origin - TREND_DAYS, origin)
        _, day = _rate(history, first, stop)
        enough = base_units >= MIN_GROUP_UNITS
        by_group[enough, h] = np.clip(day[enough] / np.maximum(base[enough], 1e-9), MIN_LIFT, MAX_LIFT)
    rows = history.rows_of(panel.series)
    lift[rows >= 0] = by_group[rows[rows >= 0]]
    return lift


def _aligned_columns(
    first_day: date, as_of: date, horizon: int, t: int
) -> dict[int, tuple[tuple[int, int], int]]:
    """For each horizon day near a festival: ((first, stop) columns of the days around last year's
    matching day, on its side of the festival; column of last year's matching origin), when the
    `t` columns before `as_of` hold both with their surrounding weeks."""
    pairs = {}
    for h in range(horizon):
        target = as_of + timedelta(days=h)
        for festival in FESTIVALS:
            this_year = nearest_festival(festival, target)
            last_year = festival.get(this_year.year - 1) if this_year else None
            if this_year is None or last_year is None:
                continue
            offset = (target - this_year).days
            if not -BEFORE_DAYS <= offset <= AFTER_DAYS:
                continue
            day = (last_year + timedelta(days=offset) - first_day).days
            festival_day = (last_year - first_day).days
            first, stop = day - HALF_WEEK, day + HALF_WEEK + 1
            first, stop = (first, min(stop, festival_day)) if offset < 0 else (max(first, festival_day), stop)
            origin = (last_year + (as_of - this_year) - first_day).days
            if origin - TREND_DAYS >= 0 and first >= 0 and stop <= t:
                pairs[h] = ((first, stop), origin)
    return pairs


def _rate(history: CategoryDays, first: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """(units, units per measured series-day) per category x region over columns first..stop-1."""
    units = history.units[:, first:stop].sum(axis=1)
    return units, units / np.maximum(history.seen[:, first:stop].sum(axis=1), 1)


def with_festivals(momentum: np.ndarray, lift: np.ndarray) -> np.ndarray:
    """The festival's multiplier where it has one, the momentum elsewhere."""
    return np.where(np.isnan(lift), momentum, lift)
