"""Which warehouse stocks each SKU for a store: slow movers only at the central warehouse.

A regional warehouse that must buy a supplier's whole minimum order of an
item its stores sell a few times a month holds months of it, and so does
every other regional warehouse. When the minimum order would last the whole
chain more than `central_stock_days`, the SKU is bought and held only by the
central warehouse (tier 'central'), which plans for every store's demand;
regional warehouses stop buying it and send what they hold to their stores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.forecasting.outlook import DemandOutlook
from domain.replenishment.config import PolicyConfig
from domain.replenishment.network import serving_warehouse

CENTRAL = "central"
# Days of forecast over which the chain's daily demand is averaged for the decision.
DEMAND_WINDOW_DAYS = 28


def central_warehouse(locations: pd.DataFrame) -> str | None:
    """Code of the chain's central warehouse, or None when no warehouse has tier 'central'."""
    central = locations[(locations["kind"] == "warehouse") & (locations.get("tier") == CENTRAL)]
    return str(central["code"].iloc[0]) if not central.empty else None


def centrally_stocked(outlook: DemandOutlook, offers: pd.DataFrame, locations: pd.DataFrame,
                      config: PolicyConfig) -> set[str]:
    """SKUs whose smallest supplier order (minimum or pack) lasts the chain's stores more than
    `config.central_stock_days`; empty without a central warehouse."""
    if central_warehouse(locations) is None:
        return set()
    stores = outlook.series["location_code"].isin(locations.loc[locations["kind"] == "store", "code"]).to_numpy()
    daily = pd.Series(outlook.total(0, DEMAND_WINDOW_DAYS)[stores] / DEMAND_WINDOW_DAYS)
    chain_daily = daily.groupby(outlook.series["sku"].to_numpy()[stores]).sum()
    smallest = offers.set_index("sku")[["min_order_qty", "pack_size"]].max(axis=1)
    lasts = smallest.reindex(chain_daily.index).fillna(0) / chain_daily.clip(lower=1e-9)
    return set(lasts.index[lasts.to_numpy() > config.central_stock_days])


def stocking_warehouse(keys: pd.DataFrame, locations: pd.DataFrame, central_skus: set[str]) -> pd.Series:
    """Warehouse that buys for each (location_code, sku) row: for a store, the central warehouse
    for centrally stocked SKUs, else its nearest; for a regional warehouse, the central one for
    centrally stocked SKUs (it no longer buys them); otherwise NaN."""
    home = keys["location_code"].map(serving_warehouse(locations))
    central = central_warehouse(locations)
    if central is None or not central_skus:
        return home
    regional = keys["location_code"].isin(locations.loc[locations["kind"] == "warehouse", "code"]) & (
        keys["location_code"] != central
    )
    return home.where(~(keys["sku"].isin(central_skus) & (home.notna() | regional)), central)


def warehouse_outlook(outlook: DemandOutlook, locations: pd.DataFrame, central_skus: set[str]) -> DemandOutlook:
    """The stores' outlook plus warehouse rows summing the stores each warehouse stocks for."""
    regional = outlook.with_warehouses(locations)
    central = central_warehouse(locations)
    if central is None or not central_skus:
        return regional
    only_central = locations[(locations["kind"] == "store") | (locations["code"] == central)]
    slow = outlook.series["sku"].isin(central_skus).to_numpy()
    pooled = DemandOutlook(outlook.series[slow], outlook.start, outlook.daily[slow], outlook.spread[slow])
    pooled = pooled.with_warehouses(only_central)
    take = np.arange(len(pooled.series)) >= slow.sum()
    keep = (np.arange(len(regional.series)) < len(outlook.series)) | ~regional.series["sku"].isin(central_skus).to_numpy()
    return DemandOutlook(
        pd.concat([regional.series[keep], pooled.series[take]], ignore_index=True), regional.start,
        np.vstack([regional.daily[keep], pooled.daily[take]]), np.vstack([regional.spread[keep], pooled.spread[take]]),
    )
