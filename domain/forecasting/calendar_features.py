"""What a target day looks like to the model: weekday, season and Chinese holidays."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from domain.calendar_cn import days_from_spring_festival, holiday_name

HOLIDAYS = ("new_year", "spring_festival", "qingming", "labour_day", "dragon_boat", "mid_autumn", "national_day")
# Pre-festival buying starts about a month ahead; beyond that the distance carries no signal.
FESTIVAL_REACH_DAYS = 40


def calendar_table(days: pd.DatetimeIndex) -> pd.DataFrame:
    """One row per day: weekday, week_of_year, month, day_of_month, holiday, holiday_length, festival_distance.

    holiday_length lets what the model learnt from one long holiday (the
    Spring Festival week) carry over to another it has not seen yet (the
    National Day week) when history is shorter than a year.
    """
    holidays = [holiday_name(day.date()) for day in days]
    return pd.DataFrame(
        {
            "weekday": days.day_of_week.astype(np.int16),
            "week_of_year": days.isocalendar().week.to_numpy().astype(np.int16),
            "month": days.month.astype(np.int16),
            "day_of_month": days.day.astype(np.int16),
            "holiday": np.array([HOLIDAYS.index(h) + 1 if h else 0 for h in holidays], dtype=np.int16),
            "holiday_length": np.array([_holiday_length(day.date()) for day in days], dtype=np.int16),
            "festival_distance": np.clip(
                [days_from_spring_festival(day.date()) for day in days], -FESTIVAL_REACH_DAYS, FESTIVAL_REACH_DAYS
            ).astype(np.int16),
        },
        index=days,
    )


def _holiday_length(day: date) -> int:
    """Days in the official rest period `day` falls in (0 on an ordinary day)."""
    name = holiday_name(day)
    if name is None:
        return 0
    first, last = day, day
    while holiday_name(first - timedelta(days=1)) == name:
        first -= timedelta(days=1)
    while holiday_name(last + timedelta(days=1)) == name:
        last += timedelta(days=1)
    return (last - first).days + 1
