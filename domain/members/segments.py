"""The nightly member scoring: lifecycle segment, tier, points at risk, scores and next-best products."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd

from domain.members.affinity import AffinityConfig, recommend
from domain.members.frames import MemberFrames, as_day
from domain.members.propensity import PropensityConfig, predict_propensity
from domain.members.rfm import purchase_days, rfm_scores, rfm_summary, spend_between

SEGMENT_COLUMNS = (
    "member_id", "segment", "recency_days", "frequency", "monetary", "p_buy_30d", "p_buy_90d",
    "expected_value_90d", "top_categories", "next_best_skus",
)  # fmt: skip
EXTRA_COLUMNS = ("tier", "spend_12m", "points", "points_expiring")


class Segment(StrEnum):
    NEW = "new"
    ACTIVE = "active"
    AT_RISK = "at_risk"
    DORMANT = "dormant"
    VIP = "vip"


@dataclass(frozen=True)
class SegmentConfig:
    """Where the segment, tier and points boundaries lie.

    Recency counts from the last purchase, or from joining for a member who
    never bought. Precedence: new, dormant, at risk, VIP, active — a lapsing
    VIP is at risk first, because that is what a campaign should act on.
    """

    new_member_days: int = 30
    at_risk_days: int = 45
    dormant_days: int = 90
    at_risk_below_p_buy_90d: float = 0.25
    vip_share: float = 0.05
    # Tier names as the chain uses them; thresholds in yuan of rolling 12-month spend.
    tiers: tuple[tuple[str, float], ...] = (
        ("standard", 0.0),
        ("silver", 1500.0),
        ("gold", 3500.0),
        ("vip", 10000.0),
    )
    points_per_yuan: float = 1.0
    points_valid_days: int = 365
    points_warning_days: int = 30
    top_categories: int = 3
    next_best_count: int = 5
    margin_floor: float | None = 0.15
    propensity: PropensityConfig = field(default_factory=PropensityConfig)
    affinity: AffinityConfig = field(default_factory=AffinityConfig)


def lifecycle_segment(
    joined_days_ago: int, recency_days: int, p_buy_90d: float, is_top_rfm: bool, config: SegmentConfig
) -> Segment:
    """One member's segment from the figures the nightly run computed."""
    if joined_days_ago < config.new_member_days:
        return Segment.NEW
    if recency_days >= config.dormant_days:
        return Segment.DORMANT
    if recency_days >= config.at_risk_days or p_buy_90d < config.at_risk_below_p_buy_90d:
        return Segment.AT_RISK
    return Segment.VIP if is_top_rfm else Segment.ACTIVE


def tier_for_spend(spend_12m: float, config: SegmentConfig) -> str:
    """The highest tier whose rolling 12-month spend threshold the member reached."""
    reached = [name for name, threshold in config.tiers if spend_12m >= threshold]
    return reached[-1] if reached else config.tiers[0][0]


def points_expiring(points: float, earned_oldest: float, earned_since: float) -> float:
    """Points that lapse in the warning window, redeeming oldest points first.

    The balance is made of the newest earnings; what it holds beyond what was
    earned since the window's cut-off is old and about to lapse, up to what was
    earned in the lapsing slice.
    """
    return float(min(max(points - earned_since, 0.0), earned_oldest))


def score_members(frames: MemberFrames, as_of: date, config: SegmentConfig = SegmentConfig()) -> pd.DataFrame:
    """The segments table: one row per member, SEGMENT_COLUMNS then EXTRA_COLUMNS.

    Uses only history strictly before `as_of` and members who had joined by
    then. `next_best_skus` and `top_categories` are `|`-separated;
    recency_days is empty for members who never bought.
    """
    as_of = as_day(as_of)
    history = frames.history_before(as_of)
    days = purchase_days(history)
    members = frames.members.drop_duplicates("member_id").set_index("member_id")
    members = members[members["joined_on"] < as_of]
    summary = rfm_summary(days, as_of).reindex(members.index)
    scores = predict_propensity(days, frames.members, as_of, config.propensity).reindex(members.index)

    table = pd.DataFrame(index=members.index)
    table["recency_days"] = summary["recency_days"].astype("Int64")
    table["frequency"] = summary["frequency"].fillna(0).astype(int)
    table["monetary"] = summary["monetary"].fillna(0.0).round(2)
    table[["p_buy_30d", "p_buy_90d"]] = scores[["p_buy_30d", "p_buy_90d"]].fillna(0.0).round(4)
    table["p_buy_90d"] = np.maximum(table["p_buy_90d"], table["p_buy_30d"])
    table["expected_value_90d"] = scores["expected_value_90d"].fillna(0.0).round(2)
    table["segment"] = _segments(members, summary, table, as_of, config)
    table["top_categories"] = _top_categories(history, as_of, config.top_categories).reindex(members.index)
    table["top_categories"] = table["top_categories"].fillna("")
    stock = frames.positions if not frames.positions.empty else None
    picks = recommend(
        frames, as_of, config.next_best_count, stock, frames.surplus, config.margin_floor, config.affinity
    )
    table["next_best_skus"] = ["|".join(picks.get(member, [])) for member in members.index]
    table = table.join(_tiers_and_points(days, members, as_of, config))
    return table.reset_index(names="member_id")[list(SEGMENT_COLUMNS + EXTRA_COLUMNS)]


def _segments(members, summary, table, as_of, config) -> list[str]:
    joined_days_ago = (as_of - members["joined_on"]).dt.days
    recency = summary["recency_days"].fillna(joined_days_ago)
    rfm = rfm_scores(summary.dropna(subset=["frequency"]))
    is_top = pd.Series(False, index=members.index)
    if not rfm.empty:
        ranking = pd.DataFrame({"rfm": rfm, "monetary": summary["monetary"].reindex(rfm.index)})
        ranked = ranking.sort_values(["rfm", "monetary"], ascending=False).index
        is_top[ranked[: int(np.floor(config.vip_share * len(ranked)))]] = True
    return [
        lifecycle_segment(int(joined), int(recent), float(p), bool(top), config).value
        for joined, recent, p, top in zip(joined_days_ago, recency, table["p_buy_90d"], is_top, strict=True)
    ]


def _top_categories(history: pd.DataFrame, as_of: pd.Timestamp, count: int) -> pd.Series:
    recent = history[history["date"] >= as_of - pd.Timedelta(days=365)]
    spend = recent.groupby(["member_id", "category"], observed=True)["amount"].sum().reset_index()
    spend = spend.sort_values(["member_id", "amount", "category"], ascending=[True, False, True])
    return spend.groupby("member_id").head(count).groupby("member_id")["category"].agg("|".join)


def _tiers_and_points(days, members, as_of, config) -> pd.DataFrame:
    year_ago = as_of - pd.Timedelta(days=365)
    spend_12m = spend_between(days, year_ago, as_of).reindex(members.index).fillna(0.0)
    lapse_start = as_of - pd.Timedelta(days=config.points_valid_days)
    lapse_end = lapse_start + pd.Timedelta(days=config.points_warning_days)
    oldest = spend_between(days, lapse_start, lapse_end).reindex(members.index).fillna(0.0)
    since = spend_between(days, lapse_end, as_of).reindex(members.index).fillna(0.0)
    points = members["points"].fillna(0).astype(float)
    rate = config.points_per_yuan
    return pd.DataFrame(
        {
            "tier": [tier_for_spend(s, config) for s in spend_12m],
            "spend_12m": spend_12m.round(2),
            "points": points.astype(int),
            "points_expiring": [
                int(points_expiring(p, o * rate, s * rate))
                for p, o, s in zip(points, oldest, since, strict=True)
            ],
        },
        index=members.index,
    )
