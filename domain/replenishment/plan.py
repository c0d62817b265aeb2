"""The replenishment plan: what each location should receive, from where, and why.

A location needs stock when its position (on hand - reserved + in transit)
is at or below its reorder point; it then wants to get back to its
order-up-to level. Stores first take other locations' surplus (warehouse
stock, nearby stores' stock above their order-up-to level). A store a
warehouse serves orders only through it: what it still lacks goes into the
warehouse's purchase, since a supplier's minimum order bought for one shop
would hold months of a slow item. A store without a warehouse, or ordering
a SKU its supplier delivers to stores directly, buys what is still missing, rounded to packs and supplier minimums, unless the transfers
already lift its position above the reorder point. Warehouses buy on their
echelon position: their own stock after shipping, plus what the locations
they buy for hold above their reorder points, less what those are short of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.forecasting.api import ChainForecast, fit_and_forecast
from domain.forecasting.frames import ChainFrames, as_day
from domain.forecasting.model import ForecastConfig
from domain.forecasting.outlook import DemandOutlook
from domain.replenishment.config import PolicyConfig
from domain.replenishment.network import distance_table, pair_km, transfer_days
from domain.replenishment.reasons import reason_facts
from domain.replenishment.sourcing import choose_suppliers, order_quantity
from domain.replenishment.stocking import (
    centrally_stocked,
    direct_delivered,
    stocking_warehouse,
    warehouse_outlook,
)
from domain.replenishment.targets import stock_targets
from domain.replenishment.transfers import allocate_transfers, transfer_candidates

PLAN_COLUMNS = (
    "location_code", "sku", "on_hand", "in_transit", "forecast_daily", "safety_stock", "reorder_point",
    "order_up_to", "suggested_qty", "source_kind", "source_code", "reason_facts",
)


def plan_replenishment(
    frames: ChainFrames, as_of: object, config: PolicyConfig | None = None, *,
    forecast: ChainForecast | None = None, forecast_config: ForecastConfig | None = None,
) -> pd.DataFrame:
    """Plan lines (one per location x SKU x source with suggested_qty > 0) from history before `as_of`.

    Pass `forecast` (from `fit_and_forecast`) to reuse a forecast already made tonight.
    Columns: PLAN_COLUMNS; `reason_facts` is a dict for `templates/replenishment/reason`.
    """
    config = config or PolicyConfig()
    forecast = forecast or fit_and_forecast(frames, as_day(as_of), forecast_config)
    targets = chain_targets(frames, forecast.outlook, config)
    return plan_from_targets(targets, frames, config)


def reorder_points(
    frames: ChainFrames, as_of: object, config: PolicyConfig | None = None, *, forecast: ChainForecast | None = None,
) -> pd.DataFrame:
    """Reorder point per location x SKU for low-stock alerts.

    Columns: location_code, sku, reorder_point, order_up_to, safety_stock, forecast_daily, abc.
    """
    config = config or PolicyConfig()
    forecast = forecast or fit_and_forecast(frames, as_day(as_of))
    targets = chain_targets(frames, forecast.outlook, config)
    return targets[["location_code", "sku", "reorder_point", "order_up_to", "safety_stock", "forecast_daily", "abc"]]


def chain_targets(frames: ChainFrames, outlook: DemandOutlook, config: PolicyConfig) -> pd.DataFrame:
    """Targets and positions of every store and warehouse series, with the chosen supplier's offer
    and the `home` warehouse that buys for the row (see `stocking`; NaN when it buys for itself)."""
    offers = choose_suppliers(frames.suppliers, frames.products, config)
    direct = direct_delivered(offers)
    central = centrally_stocked(outlook, offers, frames.locations, config) - direct
    chain = warehouse_outlook(outlook, frames.locations, central, direct)
    home = stocking_warehouse(chain.series, frames.locations, central, direct)
    days = transfer_days(pair_km(distance_table(frames.locations), home, chain.series["location_code"]), config)
    targets = stock_targets(chain, frames.positions, offers, frames.products, days, config)
    kinds = frames.locations.set_index("code")["kind"]
    return targets.assign(
        kind=targets["location_code"].map(kinds).to_numpy(),
        home=stocking_warehouse(targets, frames.locations, central, direct).to_numpy(),
    ).merge(offers.drop(columns="lead_time_days"), on="sku", how="left")


def plan_from_targets(targets: pd.DataFrame, frames: ChainFrames, config: PolicyConfig) -> pd.DataFrame:
    """Turn targets and positions into transfer and purchase lines.

    Store needs are served first from surplus; warehouses then buy for what
    they shipped and what they and their stores are short of. `targets` as from
    `chain_targets`, with the `home` warehouse that buys for each row.
    """
    store_needs = _needs(targets[targets["kind"] == "store"])
    kinds = frames.locations.set_index("code")["kind"]
    candidates = transfer_candidates(store_needs, surplus(targets), kinds, distance_table(frames.locations), config)
    moves = allocate_transfers(candidates)
    warehouses = _echelon_positions(targets, moves, frames)
    return _lines(pd.concat([store_needs, _needs(warehouses)], ignore_index=True), moves)


def _echelon_positions(targets: pd.DataFrame, moves: pd.DataFrame, frames: ChainFrames) -> pd.DataFrame:
    """Warehouse rows with the position that decides a purchase: own stock after tonight's
    transfers, plus what the locations it buys for hold above their reorder points (stock they
    will not ask for before the next delivery), less what they are short of them (they do not
    buy it themselves), so the chain buys neither twice nor never for the same shelves. A regional
    warehouse's stock of a centrally stocked SKU counts for the central warehouse."""
    def by_key(frame: pd.DataFrame, location: str, values: pd.Series) -> pd.Series:
        return values.groupby([frame[location].to_numpy(), frame["sku"].to_numpy()]).sum()

    def after_tonight(rows: pd.DataFrame) -> np.ndarray:
        keys = pd.MultiIndex.from_frame(rows[["location_code", "sku"]])
        moved = received.reindex(keys).astype(float).fillna(0) - shipped.reindex(keys).astype(float).fillna(0)
        return rows["position"].to_numpy() + moved.to_numpy()

    shipped = by_key(moves, "source_code", moves["qty"])
    received = by_key(moves, "location_code", moves["qty"])
    fed = targets[targets["home"].notna()]
    spare = pd.Series(after_tonight(fed) - fed["reorder_point"].to_numpy(), index=fed.index)
    held = by_key(fed, "home", spare)
    warehouses = targets[targets["kind"] == "warehouse"]
    keys = pd.MultiIndex.from_frame(warehouses[["location_code", "sku"]])
    return warehouses.assign(position=after_tonight(warehouses) + held.reindex(keys).astype(float).fillna(0).to_numpy())


def surplus(targets: pd.DataFrame) -> pd.DataFrame:
    """Whole units each location can spare: stores above their order-up-to level; warehouses,
    which sell nothing themselves, everything they hold (their stock exists to feed stores)."""
    keep = np.where(targets["kind"] == "warehouse", 0.0, targets["order_up_to"])
    spare = np.floor(targets["on_hand"] - targets["reserved"] - keep)
    frame = targets[["location_code", "sku"]].assign(surplus=spare)
    return frame[frame["surplus"] > 0]


def _needs(targets: pd.DataFrame) -> pd.DataFrame:
    low = (targets["position"] <= targets["reorder_point"]) & (targets["order_up_to"] > targets["position"])
    needy = targets[low]
    return needy.assign(need=needy["order_up_to"] - needy["position"], buy_cost=needy["landed_cost"].fillna(np.inf))


def _lines(needy: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    moved = moves.groupby(["location_code", "sku"])["qty"].sum().rename("transferred")
    needy = needy.merge(moved, on=["location_code", "sku"], how="left")
    needy["transferred"] = needy["transferred"].astype(float).fillna(0.0)
    still_low = (needy["position"] + needy["transferred"] <= needy["reorder_point"]) & needy["home"].isna()
    remaining = np.where(still_low, needy["need"] - needy["transferred"], 0)
    needy["buy_qty"] = order_quantity(remaining, needy["pack_size"].fillna(1), needy["min_order_qty"].fillna(0))
    buys = needy[needy["buy_qty"] > 0].assign(
        suggested_qty=lambda f: f["buy_qty"], source_kind="supplier", source_code=lambda f: f["supplier_code"], km=0.0
    )
    transfers = moves.rename(columns={"qty": "suggested_qty"}).merge(
        needy.drop(columns=["km"], errors="ignore"), on=["location_code", "sku"]
    ).assign(source_kind="transfer")
    parts = [part for part in (transfers, buys) if not part.empty]
    if not parts:
        return pd.DataFrame(columns=list(PLAN_COLUMNS))
    lines = pd.concat(parts, ignore_index=True)
    lines["in_transit"] = lines["in_transit_in"]
    lines["reason_facts"] = reason_facts(lines)
    lines = lines.sort_values(["location_code", "sku", "source_kind"], ignore_index=True)
    return lines[list(PLAN_COLUMNS)]
