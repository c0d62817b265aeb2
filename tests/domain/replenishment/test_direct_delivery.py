"""A SKU whose supplier delivers to each store is ordered by the stores and held by no warehouse."""

import numpy as np
import pandas as pd

from domain.forecasting.frames import POSITION_COLUMNS, SALES_COLUMNS, ChainFrames
from domain.forecasting.outlook import DemandOutlook
from domain.forecasting.uncertainty import WINDOWS
from domain.replenishment.config import PolicyConfig
from domain.replenishment.plan import chain_targets, plan_from_targets

from .test_central_stocking import LOCATIONS

# MILK comes from a local dairy that delivers to each store in two days; SNACK goes through the warehouses.
PRODUCTS = pd.DataFrame({"sku": ["MILK", "SNACK"], "name": "", "category": "", "brand": "",
                         "unit_price": [6.0, 5.0], "unit_cost": [4.0, 3.0], "pack_size": [12, 12]})
SUPPLIERS = pd.DataFrame({
    "supplier_code": ["DAIRY", "FOODCO"], "sku": ["MILK", "SNACK"], "unit_cost": [4.0, 3.0], "lead_time_days": [2, 7],
    "min_order_qty": [12, 48], "pack_size": [12, 12], "direct_to_store": [True, False],
})


def frames(on_hand: dict[tuple[str, str], float]) -> ChainFrames:
    positions = pd.DataFrame([(loc, sku, qty, 0.0, 0.0, 0.0, 0.0) for (loc, sku), qty in on_hand.items()],
                             columns=list(POSITION_COLUMNS))
    return ChainFrames(LOCATIONS, PRODUCTS, SUPPLIERS, positions, pd.DataFrame(columns=list(SALES_COLUMNS)))


def outlook() -> DemandOutlook:
    series = pd.DataFrame({"location_code": ["S01", "S02", "S01", "S02"], "sku": ["MILK", "MILK", "SNACK", "SNACK"]})
    daily = np.full((4, 56), 4.0, dtype=np.float32)
    return DemandOutlook(series, pd.Timestamp("2026-03-01"), daily, np.ones((4, len(WINDOWS))))


def test_no_warehouse_plans_for_a_sku_its_supplier_delivers_to_the_stores():
    targets = chain_targets(frames({}), outlook(), PolicyConfig(store_order_cycle_days=3, order_cycle_days=7))
    milk = targets[targets["sku"] == "MILK"].set_index("location_code")
    assert set(milk.index) == {"S01", "S02"} and milk["home"].isna().all()
    assert milk["lead_time_days"].tolist() == [2, 2]  # the dairy's, not a transfer's
    assert milk["order_cycle_days"].tolist() == [3, 3]  # it comes as often as a warehouse delivery
    snack = targets[targets["sku"] == "SNACK"].set_index("location_code")
    assert snack.loc["S01", "home"] == "W01" and {"W01", "W02"} <= set(snack.index)


def test_a_store_short_of_a_directly_delivered_sku_orders_it_from_the_supplier_in_packs():
    stock = {("S01", "MILK"): 2.0, ("S02", "MILK"): 60.0, ("S01", "SNACK"): 0.0, ("S02", "SNACK"): 60.0,
             ("W01", "SNACK"): 500.0, ("W02", "SNACK"): 500.0}
    config = PolicyConfig(store_order_cycle_days=3)
    plan = plan_from_targets(chain_targets(frames(stock), outlook(), config), frames(stock), config)
    milk = plan[plan["sku"] == "MILK"]
    # 4 a day over 2 days of lead time, a review day and 3 more days: ~24 plus safety; 2 on hand -> two packs or so.
    assert milk[["location_code", "source_kind", "source_code"]].values.tolist() == [["S01", "supplier", "DAIRY"]]
    assert milk["suggested_qty"].iloc[0] % 12 == 0 and milk["suggested_qty"].iloc[0] >= 24
    snack = plan[plan["sku"] == "SNACK"]
    assert snack[["location_code", "source_code"]].values.tolist() == [["S01", "W01"]]  # through the warehouse
