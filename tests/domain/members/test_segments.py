from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from domain.members.affinity import AffinityConfig
from domain.members.propensity import PropensityConfig
from domain.members.segments import (
    SEGMENT_COLUMNS,
    Segment,
    SegmentConfig,
    lifecycle_segment,
    points_expiring,
    score_members,
    tier_for_spend,
)

from .factories import synthetic_chain

# Small models keep the file fast; the boundaries under test do not depend on them.
CONFIG = SegmentConfig(
    propensity=PropensityConfig(max_iter=30, min_training_members=100),
    affinity=AffinityConfig(blends=((0.0, 0.0), (0.3, 0.0))),
)
AS_OF = date(2026, 5, 1)


@pytest.fixture(scope="module")
def chain():
    return synthetic_chain(members=160, skus=30)


@pytest.fixture(scope="module")
def scored(chain):
    return score_members(chain, AS_OF, CONFIG)


@pytest.mark.parametrize(
    ("joined_days_ago", "expected"),
    [(CONFIG.new_member_days - 1, Segment.NEW), (CONFIG.new_member_days, Segment.ACTIVE)],
)
def test_a_member_is_new_only_within_the_first_days_after_joining(joined_days_ago, expected):
    assert lifecycle_segment(joined_days_ago, 3, 0.9, False, CONFIG) is expected


@pytest.mark.parametrize(
    ("recency_days", "expected"),
    [
        (CONFIG.at_risk_days - 1, Segment.ACTIVE),
        (CONFIG.at_risk_days, Segment.AT_RISK),
        (CONFIG.dormant_days - 1, Segment.AT_RISK),
        (CONFIG.dormant_days, Segment.DORMANT),
    ],
)
def test_silence_moves_a_member_from_active_to_at_risk_to_dormant(recency_days, expected):
    assert lifecycle_segment(400, recency_days, 0.9, False, CONFIG) is expected


def test_an_unlikely_buyer_is_at_risk_even_after_a_recent_visit():
    p_low = CONFIG.at_risk_below_p_buy_90d - 0.01

    assert lifecycle_segment(400, 2, p_low, False, CONFIG) is Segment.AT_RISK


def test_a_top_rfm_member_is_vip_unless_lapsing():
    assert lifecycle_segment(400, 2, 0.9, True, CONFIG) is Segment.VIP
    assert lifecycle_segment(400, CONFIG.dormant_days, 0.9, True, CONFIG) is Segment.DORMANT


@pytest.mark.parametrize(("name", "threshold"), SegmentConfig().tiers[1:])
def test_a_tier_is_reached_exactly_at_its_12_month_spend(name, threshold):
    assert tier_for_spend(threshold, CONFIG) == name
    assert tier_for_spend(threshold - 0.01, CONFIG) != name


def test_points_expiring_are_the_old_points_the_balance_still_holds():
    assert points_expiring(points=500, earned_oldest=300, earned_since=400) == 100
    assert points_expiring(points=500, earned_oldest=50, earned_since=100) == 50
    assert points_expiring(points=80, earned_oldest=300, earned_since=100) == 0


def test_every_member_who_had_joined_gets_one_row_with_the_segments_columns(chain, scored):
    joined = chain.members[chain.members["joined_on"] < pd.Timestamp(AS_OF)]

    assert list(scored.columns[: len(SEGMENT_COLUMNS)]) == list(SEGMENT_COLUMNS)
    assert sorted(scored["member_id"]) == sorted(joined["member_id"])
    assert len(joined) < len(chain.members)


def test_scores_are_probabilities_and_90_days_is_at_least_as_likely_as_30(scored):
    assert scored["p_buy_30d"].between(0, 1).all()
    assert scored["p_buy_90d"].between(0, 1).all()
    assert (scored["p_buy_90d"] >= scored["p_buy_30d"]).all()
    assert (scored["expected_value_90d"] >= 0).all()


def test_next_best_skus_are_up_to_five_known_products(chain, scored):
    lists = scored["next_best_skus"].str.split("|")
    known = set(chain.products["sku"])

    assert lists.map(len).max() <= 5
    assert all(set(skus) <= known for skus in lists if skus != [""])


def test_recency_and_frequency_follow_the_history(chain, scored):
    history = chain.history_before(AS_OF)
    member = history["member_id"].iloc[0]
    own = history[history["member_id"] == member]
    row = scored.set_index("member_id").loc[member]

    assert row["frequency"] == own["date"].nunique()
    assert row["recency_days"] == (pd.Timestamp(AS_OF) - own["date"].max()).days


def test_members_who_joined_last_week_are_new(chain, scored):
    joined = chain.members.set_index("member_id")["joined_on"]
    recent = joined[
        joined.between(pd.Timestamp(AS_OF) - pd.Timedelta(days=7), pd.Timestamp(AS_OF), "left")
    ].index

    assert len(recent) > 0
    assert (scored.set_index("member_id").loc[recent, "segment"] == Segment.NEW).all()


def test_scoring_never_looks_at_purchases_on_or_after_as_of(chain, scored):
    future = chain.transactions[chain.transactions["date"] >= pd.Timestamp(AS_OF)]
    cut = replace(chain, transactions=chain.transactions.drop(future.index))

    again = score_members(cut, AS_OF, CONFIG)

    assert len(future) > 0
    pd.testing.assert_frame_equal(again, scored)


def test_vips_are_at_most_the_configured_share_of_members_who_bought(scored):
    buyers = scored[scored["frequency"] > 0]
    vips = scored[scored["segment"] == Segment.VIP]

    assert 0 < len(vips) <= CONFIG.vip_share * len(buyers)
    assert vips["monetary"].median() > buyers["monetary"].median()
