"""Chinese public holidays, and the Spring and Mid-Autumn festivals, which move every year.

Demand in Chinese retail follows the State Council holiday calendar, not the
Gregorian one: the Spring Festival week empties offices and fills hot-pot
aisles, and its date changes by up to a month. Dates are the published
official rest periods (make-up working days are not modelled).
"""

from __future__ import annotations

from datetime import date, timedelta

# Lunar New Year's Day (正月初一).
SPRING_FESTIVAL: dict[int, date] = {
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}

# Mid-Autumn Festival (八月十五). The rest periods below do not always show it: in 2025
# it fell inside the National Day week.
MID_AUTUMN: dict[int, date] = {
    2020: date(2020, 10, 1),
    2021: date(2021, 9, 21),
    2022: date(2022, 9, 10),
    2023: date(2023, 9, 29),
    2024: date(2024, 9, 17),
    2025: date(2025, 10, 6),
    2026: date(2026, 9, 25),
    2027: date(2027, 9, 15),
    2028: date(2028, 10, 3),
    2029: date(2029, 9, 22),
    2030: date(2030, 9, 12),
}

# (first day, last day, name) of official rest periods.
_PERIODS: list[tuple[date, date, str]] = [
    (date(2023, 1, 1), date(2023, 1, 2), "new_year"),
    (date(2023, 1, 21), date(2023, 1, 27), "spring_festival"),
    (date(2023, 4, 5), date(2023, 4, 5), "qingming"),
    (date(2023, 4, 29), date(2023, 5, 3), "labour_day"),
    (date(2023, 6, 22), date(2023, 6, 24), "dragon_boat"),
    (date(2023, 9, 29), date(2023, 10, 6), "national_day"),
    (date(2024, 1, 1), date(2024, 1, 1), "new_year"),
    (date(2024, 2, 10), date(2024, 2, 17), "spring_festival"),
    (date(2024, 4, 4), date(2024, 4, 6), "qingming"),
    (date(2024, 5, 1), date(2024, 5, 5), "labour_day"),
    (date(2024, 6, 10), date(2024, 6, 10), "dragon_boat"),
    (date(2024, 9, 15), date(2024, 9, 17), "mid_autumn"),
    (date(2024, 10, 1), date(2024, 10, 7), "national_day"),
    (date(2025, 1, 1), date(2025, 1, 1), "new_year"),
    (date(2025, 1, 28), date(2025, 2, 4), "spring_festival"),
    (date(2025, 4, 4), date(2025, 4, 6), "qingming"),
    (date(2025, 5, 1), date(2025, 5, 5), "labour_day"),
    (date(2025, 5, 31), date(2025, 6, 2), "dragon_boat"),
    (date(2025, 10, 1), date(2025, 10, 8), "national_day"),
    (date(2026, 1, 1), date(2026, 1, 3), "new_year"),
    (date(2026, 2, 15), date(2026, 2, 23), "spring_festival"),
    (date(2026, 4, 4), date(2026, 4, 6), "qingming"),
    (date(2026, 5, 1), date(2026, 5, 5), "labour_day"),
    (date(2026, 6, 19), date(2026, 6, 21), "dragon_boat"),
    (date(2026, 9, 25), date(2026, 9, 27), "mid_autumn"),
    (date(2026, 10, 1), date(2026, 10, 7), "national_day"),
    (date(2027, 1, 1), date(2027, 1, 3), "new_year"),
    (date(2027, 2, 5), date(2027, 2, 11), "spring_festival"),
    (date(2027, 4, 3), date(2027, 4, 5), "qingming"),
    (date(2027, 5, 1), date(2027, 5, 5), "labour_day"),
    (date(2027, 6, 9), date(2027, 6, 11), "dragon_boat"),
    (date(2027, 9, 15), date(2027, 9, 17), "mid_autumn"),
    (date(2027, 10, 1), date(2027, 10, 7), "national_day"),
]


def _expand() -> dict[date, str]:
    days: dict[date, str] = {}
    for first, last, name in _PERIODS:
        day = first
        while day <= last:
            days[day] = name
            day += timedelta(days=1)
    return days


_HOLIDAYS = _expand()


def holiday_name(day: date) -> str | None:
    """The official holiday `day` falls in, or None on an ordinary day."""
    return _HOLIDAYS.get(day)


def is_public_holiday(day: date) -> bool:
    return day in _HOLIDAYS


def days_from_spring_festival(day: date) -> int:
    """Signed days from the nearest Spring Festival (negative before it).

    The pre-festival shopping run and the post-festival lull are both
    functions of this distance, whatever the Gregorian date.
    """
    return _days_from(day, SPRING_FESTIVAL)


def days_from_mid_autumn(day: date) -> int:
    """Signed days from the nearest Mid-Autumn Festival (negative before it): the mooncake and gift season."""
    return _days_from(day, MID_AUTUMN)


def nearest_festival(festival: dict[int, date], day: date) -> date | None:
    """The date in `festival` (one per year) nearest to `day`; None outside the table."""
    candidates = [festival[y] for y in (day.year - 1, day.year, day.year + 1) if y in festival]
    return min(candidates, key=lambda when: abs((day - when).days)) if candidates else None


def _days_from(day: date, festival: dict[int, date]) -> int:
    """Signed days from the nearest of `festival`'s dates; 999 outside the table."""
    nearest = nearest_festival(festival, day)
    return 999 if nearest is None else (day - nearest).days
