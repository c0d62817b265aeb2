"""How demand moves through the demo year: weekdays, public holidays and each category's season.

Every function returns one multiplier per day (a numpy array aligned with
`days`), so the demand simulation can multiply them together.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from domain.calendar_cn import days_from_mid_autumn, days_from_spring_festival, holiday_name

# Monday .. Sunday: weekend shopping lifts neighbourhood stores.
WEEKDAY_TRAFFIC = np.array([0.92, 0.90, 0.93, 0.96, 1.05, 1.20, 1.14])

# How strongly summer/winter swings are felt per region (Guangzhou has no real winter).
REGION_SWING = {"华东": 1.0, "华南": 0.6, "华北": 1.25}

HOT_MONTH_DAY_OF_YEAR = 200  # mid-July


def store_traffic(days: list[date]) -> np.ndarray:
    """Footfall multiplier per day: weekday rhythm, holiday lift, the Spring Festival exodus."""
    factors = WEEKDAY_TRAFFIC[[day.weekday() for day in days]].copy()
    for i, day in enumerate(days):
        holiday = holiday_name(day)
        to_festival = days_from_spring_festival(day)
        if holiday == "spring_festival":
            factors[i] *= 0.75  # migrant workers go home, city stores empty
        elif -12 <= to_festival < 0:
            factors[i] *= 1.25  # new-year shopping run
        elif holiday == "national_day":
            factors[i] *= 1.15
        elif holiday is not None:
            factors[i] *= 1.10
    return factors


def category_season(profile: str, amplitude: float, days: list[date], swing: float = 1.0) -> np.ndarray:
    """Demand multiplier per day for a category's seasonal profile, averaging about 1 over a year."""
    if profile == "summer":
        return _annual_wave(days, amplitude * swing)
    if profile == "winter":
        wave = _annual_wave(days, -amplitude * swing)
        return wave * (1 + 0.5 * _ramp(_spring_festival_distances(days), 14))
    if profile == "festive":
        return _festive(days, amplitude)
    if profile == "mooncake":
        approach = _ramp(np.array([days_from_mid_autumn(d) for d in days]), 35)
        return 0.05 + amplitude * approach**2
    return np.ones(len(days))


def _annual_wave(days: list[date], amplitude: float) -> np.ndarray:
    day_of_year = np.array([d.timetuple().tm_yday for d in days])
    wave = np.exp(amplitude * np.cos(2 * np.pi * (day_of_year - HOT_MONTH_DAY_OF_YEAR) / 365.25))
    return wave / np.i0(amplitude)


def _festive(days: list[date], amplitude: float) -> np.ndarray:
    """Gifts and liquor: a run-up to Spring Festival, a smaller one before Mid-Autumn and National Day."""
    to_spring = _spring_festival_distances(days)
    to_mid_autumn = np.array([days_from_mid_autumn(d) for d in days])
    to_national_day = np.array([(d - date(d.year, 10, 1)).days for d in days])
    lift = (
        1
        + amplitude * _ramp(to_spring, 28)
        + 0.5 * amplitude * _ramp(to_mid_autumn, 21)
        + 0.2 * amplitude * _ramp(to_national_day, 10)
    )
    during_festival = (to_spring >= 0) & (to_spring < 7)
    return np.where(during_festival, 0.6, lift) / (1 + amplitude * 0.12)


def _spring_festival_distances(days: list[date]) -> np.ndarray:
    return np.array([days_from_spring_festival(d) for d in days])


def _ramp(distance: np.ndarray, width: int) -> np.ndarray:
    """0 far from the festival, rising linearly to 1 on the eve (distance -1); 0 from the day itself."""
    rising = 1 + (distance + 1) / width
    return np.where((distance < 0) & (distance >= -width), np.clip(rising, 0, 1), 0.0)
