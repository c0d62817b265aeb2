import numpy as np
import pandas as pd
import pytest

from domain.calendar_cn import holiday_name
from domain.forecasting.momentum import category_momentum
from domain.forecasting.panel import SalesPanel

STORES = 10
HORIZON = 14


def category_panel(daily_rate: np.ndarray, as_of: str) -> SalesPanel:
    """Ten stores of one category in one region, each selling `daily_rate` (one value a day) up to `as_of`."""
    days = pd.date_range(end=pd.Timestamp(as_of) - pd.Timedelta(days=1), periods=len(daily_rate), freq="D")
    series = pd.DataFrame({"location_code": [f"S{i:02d}" for i in range(STORES)], "category_id": 0, "region_id": 0})
    qty = np.tile(np.asarray(daily_rate, dtype=np.float32), (STORES, 1))
    censored = np.zeros(qty.shape, dtype=bool)
    return SalesPanel(series, days, qty, None, censored, np.zeros(STORES, dtype=int), None)


def momentum(panel: SalesPanel, horizon: int = HORIZON) -> np.ndarray:
    return category_momentum(panel, panel.observed(), len(panel.days), horizon)[0]


def weekend_rhythm(as_of: str, days: int) -> np.ndarray:
    weekday = pd.date_range(end=pd.Timestamp(as_of) - pd.Timedelta(days=1), periods=days, freq="D").day_of_week
    return np.where(weekday >= 5, 1.3, 1.0)


def test_a_category_in_steady_decline_keeps_falling_over_the_days_ahead():
    as_of = "2026-06-11"  # four weeks without a public holiday
    rate = 20 * np.exp(-0.005 * np.arange(28)) * weekend_rhythm(as_of, 28)
    ahead = momentum(category_panel(rate, as_of))
    # The four-week rate stands for the window's middle, 14.5 days before the first day ahead.
    assert ahead[0] == pytest.approx(np.exp(-0.005 * 14.5), rel=1e-3)
    assert ahead[-1] == pytest.approx(np.exp(-0.005 * (14.5 + HORIZON - 1)), rel=1e-3)


def test_a_trend_is_carried_four_weeks_ahead_and_then_held():
    as_of = "2026-06-11"
    rate = 20 * np.exp(-0.005 * np.arange(28)) * weekend_rhythm(as_of, 28)
    ahead = momentum(category_panel(rate, as_of), horizon=56)
    assert ahead[27] == pytest.approx(np.exp(-0.005 * (14.5 + 27)), rel=1e-3)
    assert (ahead[28:] == ahead[27]).all()


def test_weekends_and_holidays_at_the_end_of_the_window_do_not_pass_for_growth():
    as_of = "2026-10-04"  # Mid-Autumn (25-27 September) and National Day (from 1 October) holidays
    days = pd.date_range(end="2026-10-03", periods=28, freq="D")
    rate = 20 * weekend_rhythm(as_of, 28) * np.where([holiday_name(day.date()) for day in days], 1.3, 1.0)
    assert momentum(category_panel(rate, as_of)) == pytest.approx(np.ones(HORIZON), abs=1e-6)


def test_a_festival_run_up_that_has_ended_is_not_carried_forward():
    rate = np.concatenate([np.linspace(10, 100, 21), np.full(7, 2.0)])  # mooncakes after Mid-Autumn
    ahead = momentum(category_panel(rate, "2026-06-11"))
    assert np.ptp(ahead) == 0  # the last week's level, flat
    assert ahead[0] < 2.0 / rate.mean() * 1.1


def test_a_rise_the_last_week_does_not_confirm_keeps_the_last_weeks_level():
    rate = np.concatenate([np.linspace(10, 16, 21), np.full(7, 12.0)])
    ahead = momentum(category_panel(rate, "2026-06-11"))
    assert np.ptp(ahead) == 0
    assert ahead[0] < 1


def test_a_category_that_sells_a_handful_of_units_is_left_alone():
    rate = np.where(np.arange(28) % 9 == 0, 1.0, 0.0) * np.exp(-0.05 * np.arange(28))
    assert (momentum(category_panel(rate / STORES, "2026-06-11")) == 1).all()


def test_a_last_week_of_holidays_changes_nothing_ahead():
    # 15-21 February 2026 is the Spring Festival week: city stores empty, then shoppers come back.
    rate = np.concatenate([np.full(21, 20.0), np.full(7, 12.0)])
    assert (momentum(category_panel(rate, "2026-02-22")) == 1).all()
