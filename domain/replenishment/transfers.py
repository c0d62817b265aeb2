"""Transfer first: cover a store's need from another location's surplus before buying.

Surplus is stock a location holds above its own order-up-to level. A source
qualifies when it is close enough (warehouses reach further than stores) and
moving a unit costs less than buying one. Needs of A items are served first,
then larger needs; each need takes from its cheapest sources first.

A warehouse ships a store exactly the whole units it needs: its lines ride
the store's regular delivery, and rounding a slow item up to a pack would
park months of it on one shelf instead of in the warehouse that feeds every
shop. A store-to-store line is an extra trip, worth making only from a
minimum size: a whole pack, or `min_transfer_value` of stock at cost,
whichever is fewer units; a smaller move from a store is not made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.replenishment.config import PolicyConfig
from domain.replenishment.network import pair_km

ABC_PRIORITY = {"A": 0, "B": 1, "C": 2}
WAREHOUSE = "warehouse"


def smallest_transfer(pack_size: pd.Series, unit_cost: pd.Series, min_value: float) -> np.ndarray:
    """Fewest units a store-to-store line of each SKU may move: a pack, or `min_value` at cost if fewer."""
    pack = np.maximum(pd.to_numeric(pack_size, errors="coerce").fillna(1).to_numpy(dtype=float), 1)
    cost = pd.to_numeric(unit_cost, errors="coerce").to_numpy(dtype=float)
    by_value = np.where(cost > 0, np.ceil(min_value / np.where(cost > 0, cost, 1)), 1)
    return np.maximum(np.minimum(pack, by_value), 1)


def transfer_candidates(
    needs: pd.DataFrame, surplus: pd.DataFrame, kinds: pd.Series, distances: pd.DataFrame, config: PolicyConfig
) -> pd.DataFrame:
    """Every (need, source) pair of one SKU that is near enough and cheaper than buying, or
    whose source is the warehouse that stocks the SKU for the need's location.

    needs: location_code, sku, need, abc, buy_cost (landed cost per unit bought), pack_size, unit_cost,
        and optionally home (that warehouse's code)
    surplus: location_code, sku, surplus
    kinds: location code -> 'store' | 'warehouse'; distances: km by code (rows from, columns to).
    """
    pairs = needs.merge(surplus, on="sku", suffixes=("", "_source"))
    pairs = pairs[pairs["location_code"] != pairs["location_code_source"]]
    pairs = pairs.assign(
        km=pair_km(distances, pairs["location_code_source"], pairs["location_code"]),
        source_kind=pairs["location_code_source"].map(kinds).to_numpy(),
        smallest=smallest_transfer(pairs["pack_size"], pairs["unit_cost"], config.min_transfer_value),
    )
    reach = np.where(pairs["source_kind"] == WAREHOUSE, config.max_warehouse_km, config.max_transfer_km)
    pairs["cost_per_unit"] = config.transfer_handling_per_unit + config.transfer_cost_per_unit_km * pairs["km"]
    # The warehouse that stocks a SKU for a store is its supply line however far: the store does
    # not buy that SKU itself, so there is no purchase to compare with.
    own_line = (pairs["location_code_source"] == pairs["home"]).to_numpy() if "home" in pairs else False
    return pairs[own_line | ((pairs["km"] <= reach) & (pairs["cost_per_unit"] < pairs["buy_cost"]))]


def allocate_transfers(candidates: pd.DataFrame) -> pd.DataFrame:
    """Greedy allocation of surplus to needs; columns location_code, sku, source_code, qty, km, cost_per_unit.

    A warehouse ships the need rounded up to whole units (as far as it can spare); a store's
    move below the candidate's `smallest` size is left for the next source.
    """
    ordered = candidates.assign(priority=candidates["abc"].map(ABC_PRIORITY).fillna(2)).sort_values(
        ["priority", "need", "location_code", "sku", "cost_per_unit"], ascending=[True, False, True, True, True]
    )
    need_left: dict[tuple[str, str], float] = {}
    surplus_left: dict[tuple[str, str], float] = {}
    moves = []
    for row in ordered.itertuples(index=False):
        target, source = (row.location_code, row.sku), (row.location_code_source, row.sku)
        wanted = need_left.setdefault(target, row.need)
        available = surplus_left.setdefault(source, row.surplus)
        if wanted <= 0:
            continue
        from_warehouse = row.source_kind == WAREHOUSE
        qty = float(np.floor(min(np.ceil(wanted) if from_warehouse else wanted, available)))
        if qty < (1 if from_warehouse else row.smallest):
            continue
        need_left[target] = max(wanted - qty, 0.0)
        surplus_left[source] = available - qty
        moves.append((row.location_code, row.sku, row.location_code_source, qty, row.km, row.cost_per_unit))
    return pd.DataFrame(moves, columns=["location_code", "sku", "source_code", "qty", "km", "cost_per_unit"])
