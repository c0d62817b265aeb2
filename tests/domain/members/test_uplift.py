from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from domain.members.coupons import Coupon, Redemption
from domain.members.offers import PercentOff
from domain.members.uplift import campaign_result, revenue_per_member, welch_interval

WHEN = datetime(2026, 6, 1, tzinfo=UTC)


def redemption(member_id: str) -> Redemption:
    coupon = Coupon(
        f"CODE-{member_id}", member_id, "C1", PercentOff(Decimal(10)), WHEN, WHEN, redeemed_at=WHEN
    )
    return Redemption(coupon, Decimal("5.00"), None)


def groups(effect: float, seed: int, treated: int = 900, held: int = 100):
    rng = np.random.default_rng(seed)
    treatment = pd.Series(rng.gamma(2.0, 50.0, treated) + effect, index=[f"T{i}" for i in range(treated)])
    control = pd.Series(rng.gamma(2.0, 50.0, held), index=[f"C{i}" for i in range(held)])
    return treatment, control


def test_the_p_value_is_welchs():
    treatment, control = groups(effect=10.0, seed=1)

    p_value = welch_interval(treatment.to_numpy(), control.to_numpy(), 0.95)[3]

    assert p_value == pytest.approx(stats.ttest_ind(treatment, control, equal_var=False).pvalue)


def test_the_interval_covers_the_true_effect_in_about_95_percent_of_campaigns():
    covered = 0
    for seed in range(200):
        treatment, control = groups(effect=10.0, seed=seed)
        result = campaign_result(treatment, control, [], Decimal(100))
        covered += result.incremental_low <= 10.0 * result.treated <= result.incremental_high

    assert 0.90 <= covered / 200 <= 0.99


def test_the_result_reports_rates_revenue_and_return():
    treatment = pd.Series({"T1": 120.0, "T2": 80.0, "T3": 100.0, "T4": 100.0})
    control = pd.Series({"C1": 90.0, "C2": 70.0, "C3": 80.0})

    result = campaign_result(treatment, control, [redemption("T1"), redemption("T2")], Decimal(20))

    assert result.redemption_rate == 0.5
    assert (result.revenue_per_treated, result.revenue_per_control) == (100.0, 80.0)
    assert result.incremental_revenue == pytest.approx(80.0)
    assert result.return_on_cost == pytest.approx(3.0)


def test_redemptions_by_members_outside_the_treatment_are_not_counted():
    treatment, control = pd.Series({"T1": 10.0, "T2": 0.0}), pd.Series({"C1": 5.0, "C2": 0.0})

    result = campaign_result(treatment, control, [redemption("C1")], Decimal(1))

    assert result.redemptions == 0


def test_members_who_bought_nothing_count_as_zero_revenue():
    sales = pd.DataFrame(
        {
            "member_id": ["A", "A", "B"],
            "date": pd.to_datetime(["2026-06-02", "2026-06-20", "2026-06-03"]),
            "amount": [30.0, 50.0, 12.0],
        }
    )

    revenue = revenue_per_member(sales, ["A", "B", "C"], "2026-06-01", "2026-06-15")

    assert revenue.to_dict() == {"A": 30.0, "B": 12.0, "C": 0.0}


def test_an_empty_group_cannot_be_measured():
    with pytest.raises(ValueError):
        campaign_result(pd.Series(dtype=float), pd.Series({"C1": 1.0}), [], Decimal(1))
