"""Slow movers are bought and held only by the central warehouse."""

import numpy as np
import pandas as pd

from domain.forecasting.frames import (
    POSITION_COLUMNS,
    PRODUCT_COLUMNS,
    SALES_COLUMNS,
    SUPPLIER_COLUMNS,
    ChainFrames,
)
from domain.forecasting.outlook import DemandOutlook
from domain.forecasting.uncertainty import WINDOWS
from domain.replenishment.config import PolicyConfig
from domain.replenishment.plan import chain_targets, plan_from_targets
from domain.replenishment.stocking import centrally_stocked, stocking_warehouse, warehouse_outlook

# Kunshan (central), Dongguan (regional); a Shanghai store near the first, a Shenzhen store near the second.
LOCATIONS = pd.DataFrame({
    "code": ["W01", "W02", "S01", "S02"], "kind": ["warehouse", "warehouse", "store", "store"],
    "tier": ["central", "regional", "", ""], "region": ["east", "south", "east", "south"],
    "latitude": [31.385, 22.947, 31.188, 22.533], "longitude": [120.981, 113.752, 121.437, 113.930],
})
# P1 sells 0.1 a day in each store, P2 5 a day; both come in supplier minimums of 24.
OFFERS = pd.DataFrame({"sku": ["P1", "P2"], "min_order_qty": [24, 24], "pack_size": [12, 12]})


def store_outlook() -> DemandOutlook:
    series = pd.DataFrame({"location_code": ["S01", "S02", "S01", "S02"], "sku": ["P1", "P1", "P2", "P2"]})
    daily = np.repeat(np.array([[0.1], [0.1], [5.0], [5.0]], dtype=np.float32), 56, axis=1)
    return DemandOutlook(series, pd.Timestamp("2026-03-01"), daily, np.ones((4, len(WINDOWS))))


def test_a_sku_whose_minimum_order_lasts_the_chain_over_four_weeks_is_stocked_centrally():
    # P1: 24 units at 0.2 a day chain-wide last 120 days; P2: 24 at 10 a day, 2.4 days.
    central = centrally_stocked(store_outlook(), OFFERS, LOCATIONS, PolicyConfig(central_stock_days=28))
    assert central == {"P1"}
    assert centrally_stocked(store_outlook(), OFFERS, LOCATIONS, PolicyConfig(central_stock_days=150)) == set()


def test_without_a_central_warehouse_every_warehouse_stocks_everything():
    regional = LOCATIONS.assign(tier=["regional", "regional", "", ""])
    assert centrally_stocked(store_outlook(), OFFERS, regional, PolicyConfig(central_stock_days=28)) == set()


def test_the_central_warehouse_plans_for_every_stores_demand_of_a_central_sku():
    chain = warehouse_outlook(store_outlook(), LOCATIONS, {"P1"})
    rows = chain.series.assign(daily=chain.daily[:, 0]).set_index(["location_code", "sku"])["daily"]
    assert rows[("W01", "P1")] == np.float32(0.2)
    assert ("W02", "P1") not in rows.index
    assert rows[("W01", "P2")] == np.float32(5.0) and rows[("W02", "P2")] == np.float32(5.0)


def test_stores_and_regional_warehouses_look_to_the_central_warehouse_for_a_central_sku():
    keys = pd.DataFrame({"location_code": ["S02", "S02", "W02", "W01", "W02"], "sku": ["P1", "P2", "P1", "P1", "P2"]})
    home = stocking_warehouse(keys, LOCATIONS, {"P1"})
    assert home.iloc[:3].tolist() == ["W01", "W02", "W01"]
    assert home.iloc[3:].isna().all()  # warehouses buy for themselves what they stock


def test_a_regional_warehouses_leftover_of_a_central_sku_counts_before_the_central_warehouse_buys():
    rows = [("S02", "store", "W01", 0.0, 1.0, 2.0), ("W02", "warehouse", "W01", 30.0, 0.0, 0.0),
            ("W01", "warehouse", None, 0.0, 3.0, 5.0)]
    frame = pd.DataFrame(rows, columns=["location_code", "kind", "home", "on_hand", "reorder_point", "order_up_to"])
    targets = frame.assign(
        sku="P1", reserved=0.0, in_transit_in=0.0, position=frame["on_hand"], forecast_daily=0.1, safety_stock=1.0,
        abc="C", service_level=0.95, lead_time_days=[1, 5, 5], review_period_days=1, order_cycle_days=[3, 7, 7],
        supplier_code="SUP1", unit_cost=20.0, landed_cost=20.1, pack_size=12, min_order_qty=24,
    )
    frames = ChainFrames(LOCATIONS, *(pd.DataFrame(columns=list(columns)) for columns in (
        PRODUCT_COLUMNS, SUPPLIER_COLUMNS, POSITION_COLUMNS, SALES_COLUMNS)))
    plan = plan_from_targets(targets, frames, PolicyConfig())
    # S02 takes its 2 from nearby W02; W01's echelon position is W02's 28 left plus S02's 1 above
    # its reorder point: 29, far above its reorder point of 3, so nobody buys.
    assert plan[["location_code", "source_code", "suggested_qty"]].values.tolist() == [["S02", "W02", 2]]


def test_a_store_far_from_the_central_warehouse_plans_a_central_sku_on_a_longer_delivery():
    products = pd.DataFrame({"sku": ["P1", "P2"], "name": ["", ""], "category": ["", ""], "brand": ["", ""],
                             "unit_price": [30.0, 3.0], "unit_cost": [20.0, 2.0], "pack_size": [12, 12]})
    suppliers = OFFERS.assign(supplier_code="SUP1", unit_cost=[20.0, 2.0], lead_time_days=7)
    frames = ChainFrames(LOCATIONS, products, suppliers, pd.DataFrame(columns=list(POSITION_COLUMNS)),
                         pd.DataFrame(columns=list(SALES_COLUMNS)))
    config = PolicyConfig(central_stock_days=28, transfer_lead_time_days=1, transfer_km_per_day=800)
    targets = chain_targets(frames, store_outlook(), config).set_index(["location_code", "sku"])
    # Kunshan to Shanghai is 49 km, to Shenzhen 1,206 km; Dongguan to Shenzhen 50 km.
    assert targets.loc[("S01", "P1"), "lead_time_days"] == 1
    assert targets.loc[("S02", "P1"), ["home", "lead_time_days"]].tolist() == ["W01", 2]
    assert targets.loc[("S02", "P2"), ["home", "lead_time_days"]].tolist() == ["W02", 1]
    assert targets.loc[("W01", "P1"), "lead_time_days"] == 7  # the central warehouse buys: its supplier's
