"""Transfer first: surplus nearby before buying, unless too far or dearer than buying."""

from dataclasses import replace

import pandas as pd

from adapters.templates import render
from domain.forecasting.frames import ChainFrames
from domain.replenishment.config import PolicyConfig
from domain.replenishment.plan import plan_from_targets
from domain.replenishment.stocking import stocking_warehouse
from domain.replenishment.transfers import smallest_transfer

CONFIG = PolicyConfig(max_transfer_km=30, max_warehouse_km=1500, transfer_cost_per_unit_km=0.01,
                      transfer_handling_per_unit=0.1)


def chain(store_b_lat: float = 31.25, warehouse: bool = True) -> ChainFrames:
    locations = pd.DataFrame({
        "code": ["S01", "S02", "W01"], "kind": ["store", "store", "warehouse"], "tier": "", "region": "east",
        "latitude": [31.23, store_b_lat, 31.30], "longitude": [121.47, 121.50, 121.40],
    })
    locations = locations if warehouse else locations[locations["kind"] == "store"]
    empty = pd.DataFrame(columns=["sku"])
    return ChainFrames(locations, empty.assign(name=[], category=[], brand=[], unit_price=[], unit_cost=[], pack_size=[]),
                       empty.assign(supplier_code=[], unit_cost=[], lead_time_days=[], min_order_qty=[], pack_size=[]),
                       pd.DataFrame(columns=["location_code", "sku", "on_hand", "reserved", "in_transit_in",
                                             "min_qty", "max_qty"]),
                       pd.DataFrame(columns=["location_code", "sku", "date", "qty", "promo", "avg_price"]))


def targets(s02_on_hand: float, landed_cost: float = 5.0, w01_on_hand: float | None = 0.0, s01_on_hand: float = 4.0,
            s01_order_up_to: float = 60.0) -> pd.DataFrame:
    """S01 and S02 (and W01 unless `w01_on_hand` is None): reorder points 30, 30, 100."""
    rows = [("S01", "store", s01_on_hand, 30.0, s01_order_up_to, 5.0), ("S02", "store", s02_on_hand, 30.0, 60.0, 5.0),
            ("W01", "warehouse", w01_on_hand, 100.0, 200.0, 20.0)]
    rows = rows if w01_on_hand is not None else rows[:2]
    frame = pd.DataFrame(rows, columns=["location_code", "kind", "on_hand", "reorder_point", "order_up_to",
                                        "safety_stock"])
    return frame.assign(
        sku="P1", reserved=0.0, in_transit_in=0.0, position=frame["on_hand"], forecast_daily=10.0,
        abc="A", service_level=0.98, lead_time_days=[1, 1, 6][: len(rows)], review_period_days=1,
        order_cycle_days=[3, 3, 7][: len(rows)],
        supplier_code="SUP1", unit_cost=4.0, landed_cost=landed_cost, pack_size=12, min_order_qty=24,
    )


def plan_from(targets: pd.DataFrame, frames: ChainFrames, config: PolicyConfig) -> pd.DataFrame:
    """The plan, each store buying through its nearest warehouse (nothing stocked centrally)."""
    homes = stocking_warehouse(targets, frames.locations, set()).to_numpy()
    return plan_from_targets(targets.assign(home=homes), frames, config)


def test_a_store_takes_a_nearby_stores_surplus_before_buying():
    plan = plan_from(targets(s02_on_hand=100), chain(), CONFIG)
    line = plan[plan["location_code"] == "S01"].iloc[0]
    assert (line["source_kind"], line["source_code"], line["suggested_qty"]) == ("transfer", "S02", 40)
    assert (plan["location_code"] == "S01").sum() == 1  # 4 + 40 is above the reorder point: no purchase


def test_a_surplus_too_far_away_is_left_alone():
    far = chain(store_b_lat=32.5, warehouse=False)  # about 140 km
    plan = plan_from(targets(s02_on_hand=100, w01_on_hand=None), far, CONFIG)
    line = plan[plan["location_code"] == "S01"].iloc[0]
    assert (line["source_kind"], line["source_code"]) == ("supplier", "SUP1")
    assert line["suggested_qty"] == 60  # need 56, whole packs of 12


def test_a_transfer_dearer_than_buying_is_not_made():
    plan = plan_from(targets(s02_on_hand=100, landed_cost=0.12, w01_on_hand=None), chain(warehouse=False),
                             CONFIG)
    assert plan[plan["location_code"] == "S01"]["source_kind"].tolist() == ["supplier"]


def test_a_small_surplus_covers_part_and_the_rest_is_bought_in_packs():
    plan = plan_from(targets(s02_on_hand=75, w01_on_hand=None), chain(warehouse=False), CONFIG)
    lines = plan[plan["location_code"] == "S01"].set_index("source_kind")["suggested_qty"]
    assert lines["transfer"] == 15 and lines["supplier"] == 48  # 41 still missing -> 4 packs of 12


def test_the_smallest_transfer_is_a_pack_or_the_minimum_value_whichever_is_fewer_units():
    sizes = smallest_transfer(pd.Series([12, 12, 6]), pd.Series([1.0, 10.0, 120.0]), min_value=50.0)
    assert sizes.tolist() == [12, 5, 1]  # a cheap item moves by the pack; dear ones by value


def test_a_store_does_not_send_less_than_the_smallest_transfer_and_the_need_is_bought():
    # S02 can spare 5 units at 4.00: 20.00 of stock and under a pack of 12.
    stores_only = targets(s02_on_hand=65, w01_on_hand=None)
    plan = plan_from(stores_only, chain(warehouse=False), PolicyConfig(min_transfer_value=50.0))
    assert plan[plan["location_code"] == "S01"]["source_kind"].tolist() == ["supplier"]


def test_a_warehouse_ships_exactly_the_units_a_store_needs_with_its_regular_delivery():
    small_need = targets(s02_on_hand=60, w01_on_hand=110, s01_on_hand=28, s01_order_up_to=33)  # S01 needs 5
    plan = plan_from(small_need, chain(), PolicyConfig(min_transfer_value=50.0))
    line = plan[plan["location_code"] == "S01"].iloc[0]
    assert (line["source_code"], line["suggested_qty"]) == ("W01", 5)  # not a pack of 12, not 50.00 at 4.00
    assert "rounded up" not in render("replenishment/reason", "en", **line["reason_facts"])


def test_a_store_a_warehouse_serves_leaves_its_purchase_to_the_warehouse():
    plan = plan_from(targets(s02_on_hand=60, w01_on_hand=0), chain(), CONFIG)  # S01 needs 56, W01 is empty
    assert "S01" not in set(plan["location_code"])
    warehouse = plan[plan["location_code"] == "W01"].iloc[0]
    # Echelon position: W01's 0, S02's 30 above its reorder point, S01's 26 below it: 4.
    # It buys 200 - 4 = 196, in packs of 12: 204 (counting S01's shortfall as 0 would give 180).
    assert warehouse["source_kind"] == "supplier" and warehouse["suggested_qty"] == 204


def test_a_warehouse_buys_again_after_its_stock_went_to_stores():
    plan = plan_from(targets(s02_on_hand=0, w01_on_hand=110), chain(), CONFIG)
    to_stores = plan[(plan["source_kind"] == "transfer") & (plan["source_code"] == "W01")]["suggested_qty"].sum()
    assert to_stores == 110  # a warehouse sells nothing itself: all its stock may feed stores
    warehouse = plan[plan["location_code"] == "W01"].iloc[0]
    # Its stores now hold 30 (S02: 60 - 30) and 24 (S01: 54 - 30) above their reorder points:
    # the echelon position is 54, so it buys 200 - 54 = 146, in packs of 12.
    assert warehouse["source_kind"] == "supplier" and warehouse["suggested_qty"] == 156


def test_the_reason_reads_in_english_and_chinese():
    plan = plan_from(targets(s02_on_hand=100), chain(), CONFIG)
    facts = plan[plan["location_code"] == "S01"].iloc[0]["reason_facts"]
    english, chinese = render("replenishment/reason", "en", **facts), render("replenishment/reason", "zh", **facts)
    assert "40 come from S02's surplus" in english and "10/day" in english and "98% service" in english
    assert "40 件由 S02 的富余库存调拨" in chinese and "98%" in chinese


def test_the_reason_says_a_slow_items_rate_and_a_single_unit_as_a_person_would():
    slow = targets(s02_on_hand=0, w01_on_hand=300, s01_on_hand=0, s01_order_up_to=2).assign(forecast_daily=0.02)
    facts = plan_from(slow, chain(), CONFIG).set_index("location_code").loc["S01", "reason_facts"]
    english = render("replenishment/reason", "en", **facts)
    assert "at 0.02/day" in english and "2 come from W01's surplus" in english
    facts = facts | {"qty": 1}
    assert "1 comes from W01" in render("replenishment/reason", "en", **facts)


def test_the_plan_lists_only_lines_that_move_stock():
    # S02 sits above its reorder point and can spare nothing: it gets no line at all.
    plan = plan_from(targets(s02_on_hand=45, w01_on_hand=300), chain(), CONFIG)
    assert set(plan["location_code"]) == {"S01"} and (plan["suggested_qty"] > 0).all()


def test_a_store_is_fed_by_its_own_warehouse_however_far_and_whatever_the_unit_costs():
    # W01 moved some 1,600 km north, beyond the 1,500 km a warehouse otherwise reaches, and P1 costs
    # less to buy than to truck that far: S01 still gets it from W01, since it does not buy P1 itself.
    frames = chain()
    frames = replace(frames, locations=frames.locations.assign(latitude=[31.23, 31.25, 45.6]))
    plan = plan_from(targets(s02_on_hand=0, landed_cost=0.5, w01_on_hand=300), frames, CONFIG)
    lines = plan[plan["location_code"] == "S01"]
    assert lines[["source_kind", "source_code", "suggested_qty"]].values.tolist() == [["transfer", "W01", 56]]
