from datetime import date

import pandas as pd

from domain.members.affinity import (
    AffinityConfig,
    choose_blend,
    popular_for_each,
    popular_skus,
    recommend,
    usual_stores,
)
from domain.members.coverage import CoverageConfig
from domain.members.frames import MemberFrames

AS_OF = date(2026, 3, 1)
NO_FILTERS = {"margin_floor": None}


def products():
    rows = [
        ("TOFU", "bean", 5.0, 3.0),
        ("SOY", "sauce", 12.0, 7.0),
        ("RICE", "grain", 60.0, 45.0),
        ("CHIPS", "snack", 8.0, 4.0),
        ("LOSSY", "sauce", 10.0, 9.8),
    ]
    frame = pd.DataFrame(rows, columns=["sku", "category", "unit_price", "unit_cost"])
    frame["brand"] = "house"
    return frame


def frames(baskets: dict[str, list[list[str]]], positions=None, surplus=None) -> MemberFrames:
    """Each member's visits, one basket a week before AS_OF, at store L1."""
    catalogue = products().set_index("sku")
    lines = []
    for member, visits in baskets.items():
        for week, basket in enumerate(visits):
            day = pd.Timestamp(AS_OF) - pd.Timedelta(days=7 * (len(visits) - week))
            for sku in basket:
                price = catalogue.loc[sku, "unit_price"]
                lines.append(
                    (f"{member}-{week}", member, "L1", day, sku, catalogue.loc[sku, "category"], 1, price)
                )
    transactions = pd.DataFrame(
        lines,
        columns=["receipt_id", "member_id", "location_code", "date", "sku", "category", "qty", "amount"],
    )
    members = pd.DataFrame({"member_id": list(baskets) + ["NEWBIE"]})
    members["joined_on"] = pd.Timestamp("2025-01-01")
    members[["tier", "points", "consent_sms", "consent_email", "consent_chat"]] = [
        "basic",
        0,
        True,
        True,
        True,
    ]
    extra = {"positions": positions} if positions is not None else {}
    return MemberFrames(members, transactions, products(), surplus=surplus, **extra)


TOFU_WITH_SOY = {f"P{i}": [["TOFU", "SOY"], ["TOFU", "SOY", "RICE"]] for i in range(6)}
CHIPS_FANS = {f"C{i}": [["CHIPS"], ["CHIPS"], ["CHIPS"], ["CHIPS"]] for i in range(8)}


def stock(available: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [("L1", sku, qty, qty) for sku, qty in available.items()],
        columns=["location_code", "sku", "on_hand", "available"],
    )


def test_with_item_affinity_blended_in_a_tofu_buyer_is_offered_what_other_tofu_buyers_take_with_it():
    chain = frames({**TOFU_WITH_SOY, **CHIPS_FANS, "X": [["TOFU"]]})

    picks = recommend(chain, AS_OF, k=1, blend=(0.0, 1.0), **NO_FILTERS)

    assert picks["X"] == ["SOY"]


def test_members_who_stick_to_their_own_brand_teach_the_recommender_to_weigh_repeats():
    habits = {f"S{i}": [["SOY"]] * 10 for i in range(6)} | {f"L{i}": [["LOSSY"]] * 10 for i in range(6)}
    chain = frames(habits)
    config = AffinityConfig()
    stores = usual_stores(chain.members, chain.transactions, config.usual_store_count)

    blend = choose_blend(
        chain.transactions, chain.products, chain.members["member_id"], stores, pd.Timestamp(AS_OF), 1, config
    )
    picks = recommend(chain, AS_OF, k=1, **NO_FILTERS)

    assert blend[0] > 0
    assert picks["L0"] == ["LOSSY"] and picks["S0"] == ["SOY"]


def test_popular_items_are_what_most_members_buy():
    chain = frames({**TOFU_WITH_SOY, **CHIPS_FANS})

    assert popular_skus(chain.transactions, 1) == ["CHIPS"]


def test_the_popular_baseline_is_barred_from_what_the_recommender_is_barred_from():
    chain = frames(
        {**TOFU_WITH_SOY, **CHIPS_FANS, **{f"L{i}": [["LOSSY"]] for i in range(9)}, "X": [["TOFU"]]}
    )
    shelves = stock({"TOFU": 4, "SOY": 5, "RICE": 9, "CHIPS": 0, "LOSSY": 3})

    unfiltered = popular_for_each(chain, AS_OF, k=2, **NO_FILTERS)
    offerable = popular_for_each(chain, AS_OF, k=2, stock=shelves, margin_floor=0.15)

    assert unfiltered["P0"] == popular_skus(chain.transactions, 2) == ["LOSSY", "CHIPS"]
    assert offerable["P0"] == ["TOFU", "RICE"]  # RICE and SOY tie on buyers: the lower code goes first


def test_a_member_without_history_gets_the_best_sellers():
    chain = frames({**TOFU_WITH_SOY, **CHIPS_FANS})

    assert recommend(chain, AS_OF, k=1, **NO_FILTERS)["NEWBIE"] == ["CHIPS"]


def test_nothing_out_of_stock_at_the_members_store_is_recommended():
    chain = frames({**TOFU_WITH_SOY, **CHIPS_FANS, "X": [["TOFU"]]})
    shelves = stock({"TOFU": 4, "SOY": 0, "RICE": 9, "CHIPS": 5, "LOSSY": 3})

    picks = recommend(chain, AS_OF, k=3, stock=shelves, **NO_FILTERS)

    assert "SOY" not in picks["X"]
    assert picks["X"]


def test_products_under_the_margin_floor_are_never_recommended():
    chain = frames({**{f"L{i}": [["LOSSY", "TOFU"]] for i in range(5)}, "X": [["TOFU"]]})

    picks = recommend(chain, AS_OF, k=5, margin_floor=0.2)

    assert all("LOSSY" not in skus for skus in picks.values())


def test_surplus_at_the_members_store_lifts_a_product_above_an_equal_one():
    chain = frames({"X": [["TOFU", "SOY"]]}, surplus=None)
    shelves = stock({"TOFU": 5, "SOY": 5})
    surplus = pd.DataFrame(
        [("L1", "SOY", 40.0, 120.0)], columns=["location_code", "sku", "surplus_units", "days_of_cover"]
    )

    plain = recommend(chain, AS_OF, k=1, stock=shelves, **NO_FILTERS)
    lifted = recommend(chain, AS_OF, k=1, stock=shelves, surplus=surplus, **NO_FILTERS)

    assert plain["X"] == ["TOFU"]
    assert lifted["X"] == ["SOY"]


def test_a_slow_mover_without_surplus_units_is_lifted_too():
    chain = frames({"X": [["TOFU", "SOY"]]})
    shelves = stock({"TOFU": 5, "SOY": 5})
    slow = pd.DataFrame(
        [("L1", "SOY", 0.0, 90.0)], columns=["location_code", "sku", "surplus_units", "days_of_cover"]
    )

    assert recommend(chain, AS_OF, k=1, stock=shelves, surplus=slow, **NO_FILTERS)["X"] == ["SOY"]


def test_recorded_usual_stores_win_over_learned_ones():
    chain = frames({"X": [["TOFU"]], "Y": [["SOY"]]})
    members = chain.members.assign(usual_stores=["L7|L8", "", ""])

    stores = usual_stores(members, chain.transactions, AffinityConfig().usual_store_count)

    assert stores["X"] == ["L7", "L8"]
    assert stores["Y"] == ["L1"]


def test_the_learned_picks_reach_different_visits_rather_than_two_that_share_a_basket():
    # Tofu and soy always come together (6 visits of 10), rice alone in the other 4.
    weeks = [["TOFU", "SOY"], ["TOFU", "SOY"], ["RICE"], ["TOFU", "SOY"], ["RICE"]] * 2
    chain = frames({f"M{i:03d}": weeks for i in range(240)})  # enough members for the learned ranker
    by_score_alone = AffinityConfig(coverage=CoverageConfig(pool=2))

    picks = recommend(chain, AS_OF, k=2, **NO_FILTERS)
    best_two = recommend(chain, AS_OF, k=2, config=by_score_alone, **NO_FILTERS)

    assert set(best_two["M000"]) == {"TOFU", "SOY"}
    assert "RICE" in picks["M000"] and len({"TOFU", "SOY"} & set(picks["M000"])) == 1
