"""Which supplier to buy from, and how many units an order really is once packs and minimums apply."""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.replenishment.config import PolicyConfig


def choose_suppliers(suppliers: pd.DataFrame, products: pd.DataFrame, config: PolicyConfig) -> pd.DataFrame:
    """One offer per SKU: the lowest landed cost, the shorter lead time on a tie.

    Landed cost prices lead time in: stock in the pipeline and the safety stock
    a long lead time needs both tie up money at `holding_rate_per_year`.
    Columns: sku, supplier_code, unit_cost, lead_time_days, min_order_qty, pack_size, landed_cost,
    direct_to_store (the supplier delivers to each store itself; False when the column is absent).
    SKUs without an offer get a placeholder supplier '' at the product's cost.
    """
    direct = suppliers["direct_to_store"] if "direct_to_store" in suppliers else pd.Series(False, index=suppliers.index)
    offers = suppliers.assign(
        landed_cost=suppliers["unit_cost"] * (1 + config.holding_rate_per_year * suppliers["lead_time_days"] / 365),
        direct_to_store=direct.fillna(False).astype(bool),
    )
    best = offers.sort_values(["sku", "landed_cost", "lead_time_days"]).drop_duplicates("sku")
    missing = products.loc[~products["sku"].isin(best["sku"]), ["sku", "unit_cost", "pack_size"]]
    placeholder = missing.assign(
        supplier_code="", lead_time_days=config.default_lead_time_days, min_order_qty=0, landed_cost=missing["unit_cost"],
        direct_to_store=False,
    )
    columns = ["sku", "supplier_code", "unit_cost", "lead_time_days", "min_order_qty", "pack_size", "landed_cost",
               "direct_to_store"]
    chosen = pd.concat([best[columns], placeholder[columns]], ignore_index=True)
    chosen["pack_size"] = chosen["pack_size"].fillna(1).clip(lower=1).astype(int)
    chosen["min_order_qty"] = chosen["min_order_qty"].fillna(0).astype(int)
    chosen["direct_to_store"] = chosen["direct_to_store"].astype(bool)
    return chosen


def order_quantity(need: np.ndarray, pack_size: np.ndarray, min_order_qty: np.ndarray) -> np.ndarray:
    """Units to order for `need`: whole packs, at least the supplier minimum (itself in whole packs)."""
    need = np.asarray(need, dtype=float)
    pack = np.maximum(np.asarray(pack_size, dtype=float), 1)
    packs = np.ceil(np.maximum(need, 0) / pack)
    minimum_packs = np.ceil(np.asarray(min_order_qty, dtype=float) / pack)
    return np.where(need > 0, np.maximum(packs, minimum_packs) * pack, 0).astype(int)
