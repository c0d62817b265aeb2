"""Low-stock rules: which reorder point applies, when an alert opens, closes, sleeps and wakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.alerts import (
    AlertRule,
    AlertState,
    Reading,
    Threshold,
    ThresholdBasis,
    Verdict,
    fast_movers,
    judge,
    raise_alert,
    threshold_for,
)
from domain.errors import InvalidTransition

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
RULE = AlertRule(days_of_cover=3, sales_window_days=28, fast_mover_share=0.2)


def reading(available: int, point: float | None = 5, daily: float = 1.0, sku: str = "COLA330") -> Reading:
    threshold = Threshold(point, ThresholdBasis.MIN_QTY) if point is not None else None
    return Reading("S01", sku, available, threshold, daily)


def test_a_manual_minimum_wins_over_the_engines_reorder_point_and_sales():
    assert threshold_for(5, 12.5, 10.0, RULE) == Threshold(5.0, ThresholdBasis.MIN_QTY)


def test_the_engines_reorder_point_applies_when_nobody_set_a_minimum():
    assert threshold_for(None, 12.5, 10.0, RULE) == Threshold(12.5, ThresholdBasis.REORDER_POINT)


def test_without_either_the_threshold_is_days_of_cover_at_recent_sales():
    threshold = threshold_for(None, None, 2.0, RULE)
    assert threshold.basis is ThresholdBasis.DAYS_OF_COVER
    assert threshold.reorder_point == pytest.approx(2.0 * RULE.days_of_cover)


def test_an_item_that_never_sells_and_has_no_minimum_is_never_low():
    assert threshold_for(None, None, 0.0, RULE) is None
    assert not Reading("S01", "X", 0, None, 0.0).is_low


def test_low_means_strictly_below_the_reorder_point():
    assert reading(4).is_low
    assert not reading(5).is_low


def test_days_of_cover_divide_available_stock_by_daily_sales():
    assert reading(6, daily=2.0).days_of_cover == pytest.approx(3.0)
    assert reading(6, daily=0.0).days_of_cover is None


def test_a_low_reading_without_an_alert_raises_one_and_a_second_changes_nothing():
    assert judge(reading(4), None, NOW) is Verdict.RAISE
    alert = raise_alert(reading(4), NOW, frozenset())
    assert judge(reading(3), alert, NOW) is Verdict.NONE


def test_recovery_closes_an_open_acknowledged_or_snoozed_alert():
    for prepare in (lambda a: None, lambda a: a.acknowledge("staff:1", NOW), lambda a: a.snooze(NOW + timedelta(days=1))):
        alert = raise_alert(reading(4), NOW, frozenset())
        prepare(alert)
        assert judge(reading(9), alert, NOW) is Verdict.RECOVERED


def test_a_closed_alert_lets_the_next_low_reading_raise_a_new_one():
    alert = raise_alert(reading(4), NOW, frozenset())
    alert.close(NOW)
    assert judge(reading(2), alert, NOW) is Verdict.RAISE


def test_a_snoozed_alert_stays_quiet_until_the_snooze_ends_then_wakes_if_still_low():
    alert = raise_alert(reading(4), NOW, frozenset())
    alert.snooze(NOW + timedelta(hours=24))
    assert judge(reading(3), alert, NOW + timedelta(hours=23)) is Verdict.NONE
    assert judge(reading(3), alert, NOW + timedelta(hours=24)) is Verdict.WAKE
    alert.wake(reading(3))
    assert alert.state is AlertState.OPEN and alert.snoozed_until is None


def test_ordered_twice_or_snoozed_twice_is_refused():
    alert = raise_alert(reading(4), NOW, frozenset())
    alert.acknowledge("staff:1", NOW)
    with pytest.raises(InvalidTransition):
        alert.acknowledge("staff:2", NOW)
    alert.snooze(NOW + timedelta(days=1))
    with pytest.raises(InvalidTransition):
        alert.snooze(NOW + timedelta(days=2))
    assert alert.acknowledged_by == "staff:1"


def test_a_closed_alert_cannot_be_snoozed_or_acknowledged():
    alert = raise_alert(reading(4), NOW, frozenset())
    alert.close(NOW)
    with pytest.raises(InvalidTransition):
        alert.snooze(NOW)
    with pytest.raises(InvalidTransition):
        alert.acknowledge("staff:1", NOW)


def test_fast_movers_are_the_top_fifth_of_selling_skus_by_units():
    units = {f"SKU{i}": i for i in range(1, 11)}  # ten selling SKUs
    units["DEAD"] = 0
    assert fast_movers(units, 0.2) == {"SKU10", "SKU9"}


def test_a_store_selling_one_thing_has_that_one_fast_mover_and_nothing_sold_means_none():
    assert fast_movers({"A": 3}, 0.2) == {"A"}
    assert fast_movers({"A": 0}, 0.2) == frozenset()


def test_only_an_empty_shelf_of_a_fast_mover_is_urgent():
    fast = frozenset({"COLA330"})
    assert raise_alert(reading(0), NOW, fast).urgent
    assert not raise_alert(reading(2), NOW, fast).urgent
    assert not raise_alert(reading(0, sku="CHIPS70"), NOW, fast).urgent
