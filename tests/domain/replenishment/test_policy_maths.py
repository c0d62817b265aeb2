"""Hand-worked cases for the policy: packs, minimums, service levels, lead times."""

import gc
import math
import weakref

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
from domain.forecasting.uncertainty import WINDOWS, demand_quantile
from domain.replenishment.config import PolicyConfig
from domain.replenishment.network import transfer_days
from domain.replenishment.sourcing import choose_suppliers, order_quantity
from domain.replenishment.targets import abc_classes, stock_targets

BUYS_ITSELF = np.array([np.nan])  # transfer days of a location that buys from its suppliers
NEXT_DAY = np.array([1.0])


def poisson_quantile(mean: float, q: float) -> int:
    """Smallest k with P(X <= k) >= q, summed by hand."""
    k, term, total = 0, math.exp(-mean), math.exp(-mean)
    while total < q:
        k += 1
        term *= mean / k
        total += term
    return k


def test_an_order_is_rounded_up_to_whole_packs():
    assert order_quantity([13], [6], [0]).tolist() == [18]
    assert order_quantity([12], [6], [0]).tolist() == [12]


def test_an_order_is_lifted_to_the_supplier_minimum_in_whole_packs():
    assert order_quantity([5], [6], [20]).tolist() == [24]
    assert order_quantity([0], [6], [20]).tolist() == [0]


def test_with_no_extra_error_the_service_quantile_is_the_poisson_one():
    assert demand_quantile(np.array([10.0]), np.array([1.0]), 0.95)[0] == poisson_quantile(10, 0.95) == 15
    assert demand_quantile(np.array([120.0]), np.array([1.0]), 0.98)[0] == poisson_quantile(120, 0.98)


def test_a_noisier_forecast_needs_a_higher_quantile():
    calm, noisy = demand_quantile(np.array([10.0, 10.0]), np.array([1.0, 3.0]), 0.95)
    assert noisy > calm


def one_series_outlook(daily: float, horizon: int = 56) -> DemandOutlook:
    series = pd.DataFrame({"location_code": ["S01"], "sku": ["P1"]})
    return DemandOutlook(series, pd.Timestamp("2026-03-01"), np.full((1, horizon), daily, dtype=np.float32),
                         np.ones((1, len(WINDOWS))))


def test_reorder_point_covers_lead_time_and_review_and_order_up_to_adds_the_order_cycle():
    config = PolicyConfig(service_levels={"A": 0.95, "B": 0.95, "C": 0.95}, review_period_days=1, order_cycle_days=7)
    offers = pd.DataFrame({"sku": ["P1"], "lead_time_days": [5]})
    products = pd.DataFrame({"sku": ["P1"], "unit_price": [3.0]})
    positions = pd.DataFrame({"location_code": ["S01"], "sku": ["P1"], "on_hand": [30.0], "reserved": [2.0],
                              "in_transit_in": [4.0]})
    row = stock_targets(one_series_outlook(10), positions, offers, products, BUYS_ITSELF, config).iloc[0]
    safety = poisson_quantile(60, 0.95) - 60  # 5 days of lead time + 1 to the next review, 10/day
    assert row["safety_stock"] == safety
    assert row["reorder_point"] == 60 + safety
    assert row["order_up_to"] == 130 + safety
    assert row["position"] == 32


def test_a_store_fed_by_a_warehouse_plans_on_the_transfer_lead_time():
    config = PolicyConfig(transfer_lead_time_days=1, store_order_cycle_days=3)
    offers = pd.DataFrame({"sku": ["P1"], "lead_time_days": [14]})
    products = pd.DataFrame({"sku": ["P1"], "unit_price": [3.0]})
    positions = pd.DataFrame(columns=["location_code", "sku", "on_hand", "reserved", "in_transit_in"])
    row = stock_targets(one_series_outlook(10), positions, offers, products, NEXT_DAY, config).iloc[0]
    assert row["lead_time_days"] == 1
    assert row["order_up_to"] - row["reorder_point"] == 30


def test_a_store_far_from_the_warehouse_that_stocks_a_sku_plans_on_the_longer_delivery():
    config = PolicyConfig(transfer_lead_time_days=1, transfer_km_per_day=800, store_order_cycle_days=3)
    # 50 km: tomorrow; 1,179 km (Kunshan to Dongguan): a day on the road more; 1,865 km: two more.
    assert transfer_days(np.array([50.0, 1179.0, 1865.0, np.nan]), config)[:3].tolist() == [1, 2, 3]
    offers = pd.DataFrame({"sku": ["P1"], "lead_time_days": [14]})
    products = pd.DataFrame({"sku": ["P1"], "unit_price": [3.0]})
    positions = pd.DataFrame(columns=["location_code", "sku", "on_hand", "reserved", "in_transit_in"])
    near, far = (stock_targets(one_series_outlook(10), positions, offers, products, np.array([days]), config).iloc[0]
                 for days in (1.0, 2.0))
    assert (near["lead_time_days"], far["lead_time_days"]) == (1, 2)
    assert far["reorder_point"] - near["reorder_point"] >= 10  # one more day of 10 a day, and its safety
    assert far["order_up_to"] - far["reorder_point"] == 30


def test_abc_classes_split_each_locations_sales_value_at_80_and_95_percent():
    value = pd.Series([70.0, 15.0, 10.0, 5.0, 50.0, 50.0])
    location = pd.Series(["S1", "S1", "S1", "S1", "S2", "S2"])
    assert abc_classes(location, value, (0.80, 0.95)).tolist() == ["A", "A", "B", "C", "A", "A"]


def test_the_supplier_with_the_lowest_landed_cost_wins_and_lead_time_has_a_price():
    offers = pd.DataFrame({
        "supplier_code": ["FAR", "NEAR"], "sku": ["P1", "P1"], "unit_cost": [10.0, 10.05],
        "lead_time_days": [60, 3], "min_order_qty": [0, 0], "pack_size": [1, 1],
    })
    products = pd.DataFrame({"sku": ["P1"], "unit_cost": [10.0], "pack_size": [1]})
    chosen = choose_suppliers(offers, products, PolicyConfig(holding_rate_per_year=0.25))
    # 10 x (1 + 0.25 x 60/365) = 10.41 against 10.05 x (1 + 0.25 x 3/365) = 10.07
    assert chosen["supplier_code"].tolist() == ["NEAR"]


def test_demand_over_a_period_sums_the_forecast_days_whichever_block_a_series_is_read_in(monkeypatch):
    daily = np.arange(5 * 10, dtype=np.float32).reshape(5, 10)
    outlook = DemandOutlook(pd.DataFrame({"sku": list("abcde")}), pd.Timestamp("2026-03-01"), daily,
                            np.ones((5, len(WINDOWS))))
    first, days = np.array([0, 1, 2, 3, 8]), np.array([3, 4, 1, 7, 2])
    monkeypatch.setattr("domain.forecasting.outlook.TOTAL_BLOCK_ROWS", 2)
    by_hand = [daily[row, first[row]:first[row] + days[row]].sum() for row in range(4)]
    assert outlook.total(first, days)[:4].tolist() == by_hand
    assert outlook.total(first, days)[4] == daily[4, 8:].sum()  # the horizon ends after 2 days here


def test_a_chain_without_its_sales_keeps_no_sales_rows_in_memory():
    sales = pd.DataFrame({"location_code": ["S01"] * 3, "sku": ["P1"] * 3, "date": pd.date_range("2026-03-01", periods=3),
                          "qty": [1.0, 2.0, 3.0], "promo": 0.0, "avg_price": 2.0})
    empty = pd.DataFrame(columns=["code", "kind", "tier", "region", "latitude", "longitude"])
    frames = ChainFrames(empty, pd.DataFrame(columns=list(PRODUCT_COLUMNS)), pd.DataFrame(columns=list(SUPPLIER_COLUMNS)),
                         pd.DataFrame(columns=list(POSITION_COLUMNS)), sales)
    quantities = sales["qty"].to_numpy()
    held = weakref.ref(quantities.base if quantities.base is not None else quantities)
    del sales, quantities

    planned = frames.without_sales()
    del frames
    gc.collect()

    assert planned.sales.empty and list(planned.sales.columns) == list(SALES_COLUMNS)
    assert held() is None


def test_a_c_item_at_a_store_fed_daily_keeps_a_spare_unit_for_a_customer_buying_two():
    # P2 sells 0.225 a day beside P1's 10 at the same price: under 5% of the store's sales value, a C item.
    series = pd.DataFrame({"location_code": ["S01", "S01"], "sku": ["P1", "P2"]})
    daily = np.repeat(np.array([[10.0], [0.225]], dtype=np.float32), 56, axis=1)
    outlook = DemandOutlook(series, pd.Timestamp("2026-03-01"), daily, np.ones((2, len(WINDOWS))))
    offers = pd.DataFrame({"sku": ["P1", "P2"], "lead_time_days": [7, 7]})
    products = pd.DataFrame({"sku": ["P1", "P2"], "unit_price": [3.0, 3.0]})
    positions = pd.DataFrame(columns=["location_code", "sku", "on_hand", "reserved", "in_transit_in"])
    row = stock_targets(outlook, positions, offers, products, np.array([1.0, 1.0]), PolicyConfig()).set_index("sku").loc["P2"]
    # 1 day of transfer lead time + 1 to the next review: 0.45 expected. P(0 or 1 sold) is 92.5%:
    # 90% service would stop at one unit, 97% asks for two.
    service = PolicyConfig().service_levels["C"]
    assert row["abc"] == "C" and service == 0.97
    assert poisson_quantile(0.45, 0.90) == 1 and poisson_quantile(0.45, service) == 2
    assert row["reorder_point"] == 2


def test_the_reorder_point_is_the_rounded_up_service_quantile_not_a_unit_above_it():
    config = PolicyConfig(service_levels={"A": 0.98, "B": 0.98, "C": 0.98}, store_order_cycle_days=3)
    offers = pd.DataFrame({"sku": ["P1"], "lead_time_days": [7]})
    products = pd.DataFrame({"sku": ["P1"], "unit_price": [3.0]})
    positions = pd.DataFrame(columns=["location_code", "sku", "on_hand", "reserved", "in_transit_in"])
    row = stock_targets(one_series_outlook(0.225), positions, offers, products, NEXT_DAY, config).iloc[0]
    # 2 days of transfer lead time and review at 0.225/day: 0.45 expected, 98% quantile 2, so 1.55
    # safety stock (2 once rounded). Adding the rounded 2 to 0.45 would make the reorder point 3.
    assert poisson_quantile(0.45, 0.98) == 2
    assert (row["safety_stock"], row["reorder_point"]) == (2, 2)
    assert row["order_up_to"] == math.ceil(5 * 0.225 + 1.55)  # 3 more days of sales on top: 3, not 4
