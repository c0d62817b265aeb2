"""Safety stock, reorder point and order-up-to level per location x SKU.

The protection period is lead time plus review period: stock must last
until an order placed at the next review can arrive. An order then carries
an order cycle of sales on top, so locations do not order every night. Warehouses buy from suppliers
(supplier lead time); stores with a serving warehouse are fed by transfers
(transfer lead time) and buy direct only when no location can spare stock. Safety stock is the service-level
quantile of forecast demand over that period minus its mean, from the
forecast's measured error distribution (negative binomial, not normal).

    reorder_point = demand over lead time + review period + safety stock
    order_up_to   = reorder_point + demand over the order cycle after it

Each is rounded up once, at the end: rounding the safety stock up before
adding a fractional mean would put the reorder point a unit above the
service-level quantile, a unit too many on every shelf of a slow item.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.forecasting.outlook import DemandOutlook
from domain.replenishment.config import PolicyConfig
from domain.replenishment.stocking import direct_delivered


def abc_classes(location: pd.Series, value: pd.Series, cutoffs: tuple[float, float]) -> pd.Series:
    """A / B / C per row by its share of its location's forecast sales value (A = top `cutoffs[0]`)."""
    frame = pd.DataFrame({"location": location.to_numpy(), "value": value.to_numpy()}, index=value.index)
    frame = frame.sort_values(["location", "value"], ascending=[True, False])
    total = frame.groupby("location")["value"].transform("sum").replace(0, np.nan)
    before = (frame.groupby("location")["value"].cumsum() - frame["value"]) / total
    labels = np.select([before < cutoffs[0], before < cutoffs[1]], ["A", "B"], "C")
    labels = np.where(frame["value"] > 0, labels, "C")
    return pd.Series(labels, index=frame.index).reindex(value.index)


def stock_targets(
    chain: DemandOutlook, positions: pd.DataFrame, offers: pd.DataFrame, products: pd.DataFrame,
    transfer_days: np.ndarray, config: PolicyConfig,
) -> pd.DataFrame:
    """Targets for every forecast series and every stocked position (no forecast means no demand).

    `transfer_days`: per row of `chain.series`, the days a delivery from the warehouse that
    stocks the SKU for it takes; NaN where the location buys from suppliers itself.
    """
    lead = chain.series[["sku"]].merge(offers[["sku", "lead_time_days"]], on="sku", how="left")["lead_time_days"]
    lead = lead.fillna(config.default_lead_time_days).to_numpy().astype(int)
    fed = ~np.isnan(transfer_days)
    lead = np.where(fed, np.nan_to_num(transfer_days), lead).astype(int)
    # A supplier delivering to each store comes as often as a warehouse does (no warehouse rows have them).
    direct = chain.series["sku"].isin(direct_delivered(offers)).to_numpy()
    cycle = np.where(fed | direct, config.store_order_cycle_days, config.order_cycle_days)
    protect = lead + config.review_period_days
    demand_protect, demand_covered = chain.total(0, protect), chain.total(0, protect + cycle)
    targets = chain.series[["location_code", "sku"]].copy()
    for column in ("demand_class", "method"):
        targets[column] = chain.series.get(column, pd.Series(index=chain.series.index, dtype=object)).to_numpy()
    targets["forecast_daily"] = demand_covered / (protect + cycle)
    price = targets["sku"].map(products.set_index("sku")["unit_price"]).fillna(0)
    targets["abc"] = abc_classes(targets["location_code"], targets["forecast_daily"] * price, config.abc_cutoffs)
    targets["service_level"] = targets["abc"].map(config.service_levels).to_numpy()
    upper = chain.quantile_over(protect, targets["service_level"].to_numpy())
    safety = np.maximum(upper - demand_protect, 0)
    targets["safety_stock"] = np.ceil(safety)
    targets["reorder_point"] = np.ceil(demand_protect + safety)  # the quantile itself when above the mean
    targets["order_up_to"] = np.maximum(np.ceil(demand_covered + safety), targets["reorder_point"])
    targets["lead_time_days"] = lead
    targets["order_cycle_days"] = cycle
    return _with_positions(targets, positions, config)


def _with_positions(targets: pd.DataFrame, positions: pd.DataFrame, config: PolicyConfig) -> pd.DataFrame:
    stock = positions[["location_code", "sku", "on_hand", "reserved", "in_transit_in"]]
    merged = targets.merge(stock, on=["location_code", "sku"], how="outer")
    for column in ("on_hand", "reserved", "in_transit_in", "forecast_daily", "safety_stock", "reorder_point", "order_up_to"):
        merged[column] = pd.to_numeric(merged[column], errors="coerce").fillna(0.0)
    merged["abc"] = merged["abc"].fillna("C")
    merged["service_level"] = merged["service_level"].fillna(config.service_levels["C"])
    merged["lead_time_days"] = merged["lead_time_days"].fillna(config.default_lead_time_days).astype(int)
    merged["order_cycle_days"] = merged["order_cycle_days"].fillna(config.order_cycle_days).astype(int)
    merged["review_period_days"] = config.review_period_days
    merged["position"] = merged["on_hand"] - merged["reserved"] + merged["in_transit_in"]
    return merged
