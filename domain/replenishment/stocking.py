"""Which warehouse stocks each SKU for a store: slow movers only at the central warehouse,
and none for what the supplier delivers to the stores itself.

A regional warehouse that must buy a supplier's whole minimum order of an
item its stores sell a few times a month holds months of it, and so does
every other regional warehouse. When the minimum order would last the whole
chain more than `central_stock_days`, the SKU is bought and held only by the
central warehouse (tier 'central'), which plans for every store's demand;
regional warehouses stop buying it and send what they hold to their stores.

A SKU whose chosen supplier delivers straight to the stores (direct store
delivery: milk, bread, ice from a local distributor) is held by no
warehouse: each store orders it from the supplier.
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


def direct_delivered(offers: pd.DataFrame) -> set[str]:
    """SKUs whose chosen offer (see `choose_suppliers`) is delivered by the supplier to each store."""
    return set(offers.loc[offers["direct_to_store"], "sku"]) if "direct_to_store" in offers else set()


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


def stocking_warehouse(keys: pd.DataFrame, locations: pd.DataFrame, central_skus: set[str],
                       direct_skus: frozenset[str] | set[str] = frozenset()) -> pd.Series:
    """Warehouse that buys for each (location_code, sku) row: for a store, the central warehouse
    for centrally stocked SKUs, else its nearest; for a regional warehouse, the central one for
    centrally stocked SKUs (it no longer buys them); NaN where the location buys for itself,
    which every store does for `direct_skus`."""
    home = keys["location_code"].map(serving_warehouse(locations))
    central = central_warehouse(locations)
    if central is not None and central_skus:
        regional = keys["location_code"].isin(locations.loc[locations["kind"] == "warehouse", "code"]) & (
            keys["location_code"] != central
        )
        home = home.where(~(keys["sku"].isin(central_skus) & (home.notna() | regional)), central)
    return home.where(~keys["sku"].isin(direct_skus))


def warehouse_outlook(outlook: DemandOutlook, locations: pd.DataFrame, central_skus: set[str],
                      direct_skus: frozenset[str] | set[str] = frozenset()) -> DemandOutlook:
    """The stores' outlook plus warehouse rows summing the stores each warehouse stocks for
    (none for `direct_skus`)."""
    chain = _warehouse_rows(outlook, locations, central_skus)
    stocked = (np.arange(len(chain.series)) < len(outlook.series)) | ~chain.series["sku"].isin(direct_skus).to_numpy()
    if stocked.all():
        return chain
    return DemandOutlook(chain.series[stocked].reset_index(drop=True), chain.start, chain.daily[stocked],
                         chain.spread[stocked])


def _warehouse_rows(outlook: DemandOutlook, locations: pd.DataFrame, central_skus: set[str]) -> DemandOutlook:
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
