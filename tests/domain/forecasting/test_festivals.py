"""Moving festivals: the calendar finds them, and the flat rates follow last year's run-up."""

from datetime import date

import numpy as np
import pandas as pd

from domain.calendar_cn import days_from_mid_autumn, days_from_spring_festival
from domain.forecasting.festivals import festival_lift
from domain.forecasting.frames import ChainFrames
from domain.forecasting.panel import build_panel

from .synthetic import small_chain

GIFT_WEEKS = pd.date_range("2025-09-22", "2025-10-05")  # the two weeks before Mid-Autumn 2025 (6 October)


def test_mid_autumn_is_found_when_the_national_day_week_hides_it():
    # 2025: Mid-Autumn on 6 October, inside the National Day rest period.
    assert days_from_mid_autumn(date(2025, 10, 1)) == -5
    assert days_from_mid_autumn(date(2026, 9, 25)) == 0
    assert days_from_mid_autumn(date(2026, 8, 26)) == -30
    assert days_from_spring_festival(date(2026, 2, 10)) == -7


def gift_chain(first_day: str) -> ChainFrames:
    """Two stores selling two gift SKUs 2 a day each, five times that in the fortnight before Mid-Autumn 2025."""
    chain = small_chain(days=30, skus=2)
    days = pd.date_range(first_day, "2026-09-03")
    rows = [(store, sku, day, 10.0 if day in GIFT_WEEKS else 2.0)
            for store in ("S01", "S02") for sku in ("P000", "P001") for day in days]
    sales = pd.DataFrame(rows, columns=["location_code", "sku", "date", "qty"]).assign(promo=0.0, avg_price=10.0)
    return ChainFrames(chain.locations, chain.products, chain.suppliers, chain.positions, sales)


def lift_by_day(frames: ChainFrames) -> pd.Series:
    panel = build_panel(frames, pd.Timestamp("2026-09-04"), history_days=120)  # the category days reach further
    lift = festival_lift(panel, len(panel.days), 56)
    return pd.Series(lift[0], index=pd.date_range("2026-09-04", periods=56))


def test_the_fortnight_before_mid_autumn_is_lifted_as_much_as_last_year():
    lift = lift_by_day(gift_chain("2025-06-01"))
    # Mid-Autumn 2026 is on 25 September: 18 September is a week before it, as 29 September 2025 was.
    assert abs(lift["2026-09-18"] - 5.0) < 0.1
    assert abs(lift["2026-09-05"] - 1.0) < 0.1  # three weeks out: as usual
    assert abs(lift["2026-09-24"] - 5.0) < 0.1  # the eve: last year's rush, not the quiet after it
    assert abs(lift["2026-09-26"] - 1.0) < 0.1  # the day after: not the eve's rush
    assert abs(lift["2026-09-28"] - 1.0) < 0.1
    assert np.isnan(lift["2026-10-15"])  # three weeks after it: the momentum's day


def test_without_last_years_festival_in_the_history_nothing_is_lifted():
    assert lift_by_day(gift_chain("2026-01-01")).isna().all()



def test_a_short_panel_keeps_the_categories_sales_back_to_the_first_sale():
    frames = gift_chain("2025-06-01")
    panel = build_panel(frames, pd.Timestamp("2026-09-04"), history_days=120)
    history = panel.category_days
    assert len(panel.days) == 120 and history.first_day == pd.Timestamp("2026-09-04") - pd.Timedelta(days=455)
    in_reach = frames.sales[frames.sales["date"] >= history.first_day]
    assert history.units.sum() == in_reach["qty"].sum()  # every day measured: nothing ran out
    assert history.units.shape[1] == 455 > len(panel.days)
