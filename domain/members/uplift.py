"""Did the campaign pay? Treatment against the held-back control, after the validity window."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from scipy import stats

from domain.members.coupons import Redemption


def revenue_per_member(transactions: pd.DataFrame, member_ids: Iterable[str], start, end) -> pd.Series:
    """Each listed member's spend on days in [start, end), zero for those who did not buy."""
    window = transactions[
        (transactions["date"] >= pd.Timestamp(start)) & (transactions["date"] < pd.Timestamp(end))
    ]
    members = pd.Index(list(member_ids), dtype=object)
    return window.groupby("member_id")["amount"].sum().reindex(members).fillna(0.0)


@dataclass(frozen=True, slots=True)
class CampaignResult:
    """The campaign's outcome; incremental figures are for the whole treatment group."""

    treated: int
    controls: int
    redemptions: int
    redemption_rate: float
    revenue_per_treated: float
    revenue_per_control: float
    incremental_revenue: float
    incremental_low: float  # bounds of the confidence interval (Welch)
    incremental_high: float
    p_value: float
    cost: float
    return_on_cost: float  # (incremental revenue - cost) / cost


def welch_interval(
    treatment: np.ndarray, control: np.ndarray, confidence: float
) -> tuple[float, float, float, float]:
    """Difference in means with its Welch confidence interval and two-sided p-value."""
    difference = float(treatment.mean() - control.mean())
    if len(treatment) < 2 or len(control) < 2:
        return difference, math.nan, math.nan, math.nan
    var_t, var_c = treatment.var(ddof=1) / len(treatment), control.var(ddof=1) / len(control)
    standard_error = math.sqrt(var_t + var_c)
    if standard_error == 0:
        return difference, difference, difference, 1.0 if difference == 0 else 0.0
    freedom = (var_t + var_c) ** 2 / (var_t**2 / (len(treatment) - 1) + var_c**2 / (len(control) - 1))
    margin = stats.t.ppf(0.5 + confidence / 2, freedom) * standard_error
    p_value = 2 * stats.t.sf(abs(difference) / standard_error, freedom)
    return difference, difference - margin, difference + margin, float(p_value)


def campaign_result(
    treatment: Mapping[str, float] | pd.Series,
    control: Mapping[str, float] | pd.Series,
    redemptions: Sequence[Redemption],
    costs: Decimal | float,
    confidence: float = 0.95,
) -> CampaignResult:
    """Redemption rate, revenue per member in treatment vs control, incremental revenue with CI, return.

    `treatment` and `control` map every member of each group to their revenue in
    the validity window (zero included: see `revenue_per_member`). `costs` is
    everything the campaign cost: discounts given, points at their value, messages.
    """
    treated = np.asarray(list(pd.Series(treatment, dtype=float)), dtype=float)
    held = np.asarray(list(pd.Series(control, dtype=float)), dtype=float)
    if len(treated) == 0 or len(held) == 0:
        raise ValueError("need members in both the treatment and the control group")
    redeemers = {r.coupon.member_id for r in redemptions} & set(pd.Series(treatment, dtype=float).index)
    per_member, low, high, p_value = welch_interval(treated, held, confidence)
    cost = float(costs)
    incremental = per_member * len(treated)
    return CampaignResult(
        treated=len(treated),
        controls=len(held),
        redemptions=len(redeemers),
        redemption_rate=len(redeemers) / len(treated),
        revenue_per_treated=float(treated.mean()),
        revenue_per_control=float(held.mean()),
        incremental_revenue=incremental,
        incremental_low=low * len(treated),
        incremental_high=high * len(treated),
        p_value=p_value,
        cost=cost,
        return_on_cost=(incremental - cost) / cost if cost > 0 else math.nan,
    )
