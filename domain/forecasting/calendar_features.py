"""What a target day looks like to the model: weekday, season and Chinese holidays."""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.calendar_cn import days_from_spring_festival, holiday_name

HOLIDAYS = ("new_year", "spring_festival", "qingming", "labour_day", "dragon_boat", "mid_autumn", "national_day")
# Pre-festival buying starts about a month ahead; beyond that the distance carries no signal.
FESTIVAL_REACH_DAYS = 40


def calendar_table(days: pd.DatetimeIndex) -> pd.DataFrame:
    """One row per day: weekday, week_of_year, month, day_of_month, holiday, festival_distance."""
    holidays = [holiday_name(day.date()) for day in days]
    return pd.DataFrame(
        {
            "weekday": days.weekday.astype(np.int16),
            "week_of_year": days.isocalendar().week.to_numpy().astype(np.int16),
            "month": days.month.astype(np.int16),
            "day_of_month": days.day.astype(np.int16),
            "holiday": np.array([HOLIDAYS.index(h) + 1 if h else 0 for h in holidays], dtype=np.int16),
            "festival_distance": np.clip(
                [days_from_spring_festival(day.date()) for day in days], -FESTIVAL_REACH_DAYS, FESTIVAL_REACH_DAYS
            ).astype(np.int16),
        },
        index=days,
    )
