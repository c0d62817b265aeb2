"""The stock position on the last evening: store shelves as simulated, warehouses holding weeks of cover."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapters.demo_chain.locations import Location
from adapters.demo_chain.shelves import Shelves

# Days of the served stores' demand a warehouse holds.
CENTRAL_COVER_DAYS = (14, 35)
REGIONAL_COVER_DAYS = (7, 21)
WAREHOUSE_OUT_OF_STOCK = 0.02
MIN_MAX_OVERRIDE_SHARE = 0.01


@dataclass(frozen=True)
class StockLine:
    location_code: str
    sku: str
    on_hand: int
    min_qty: int | None
    max_qty: int | None


def stock_snapshot(rng: np.random.Generator, shelves: Shelves, locations: list[Location],
                   skus: list[str]) -> list[StockLine]:
    """Store rows for every SKU a store carries, warehouse rows for every SKU; a few min/max overrides."""
    stores = [loc for loc in locations if loc.is_store]
    daily_units = shelves.plan.expected_lines(len(shelves.plan.days) - 1) * shelves.mean_qty[None, :]
    lines = []
    for s, store in enumerate(stores):
        carried = np.flatnonzero(shelves.plan.base[s] > 0)
        lines += _rows(rng, store.code, [skus[k] for k in carried], shelves.on_hand[s, carried], daily_units[s, carried])
    regions = np.array([store.region for store in stores])
    for warehouse in (loc for loc in locations if not loc.is_store):
        central = warehouse.tier == "central"
        served = daily_units.sum(axis=0) if central else daily_units[regions == warehouse.region].sum(axis=0)
        cover = rng.uniform(*(CENTRAL_COVER_DAYS if central else REGIONAL_COVER_DAYS), len(skus))
        on_hand = np.ceil(served * cover).astype(int)
        on_hand[rng.random(len(skus)) < WAREHOUSE_OUT_OF_STOCK] = 0
        lines += _rows(rng, warehouse.code, skus, on_hand, served)
    return lines


def _rows(rng: np.random.Generator, code: str, skus: list[str], on_hand: np.ndarray,
          daily_units: np.ndarray) -> list[StockLine]:
    override = rng.random(len(skus)) < MIN_MAX_OVERRIDE_SHARE
    minimum = np.maximum(1, np.round(daily_units * 3)).astype(int)
    maximum = np.maximum(minimum + 2, np.round(daily_units * 21)).astype(int)
    return [
        StockLine(code, sku, int(q), int(lo) if o else None, int(hi) if o else None)
        for sku, q, lo, hi, o in zip(skus, on_hand, minimum, maximum, override, strict=True)
    ]
