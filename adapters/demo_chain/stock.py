"""The stock position on the last evening: store shelves as simulated, warehouses holding weeks of cover."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat

import numpy as np

from adapters.demo_chain.locations import Location
from adapters.demo_chain.shelves import Shelves

# Days of the served stores' demand a warehouse holds.
CENTRAL_COVER_DAYS = (14, 35)
REGIONAL_COVER_DAYS = (7, 21)
WAREHOUSE_OUT_OF_STOCK = 0.02
MIN_MAX_OVERRIDE_SHARE = 0.01


def stock_snapshot(rng: np.random.Generator, shelves: Shelves, locations: list[Location],
                   skus: list[str]) -> Iterator[tuple[str, str, int, int | None, int | None]]:
    """(location, sku, on_hand, min_qty, max_qty) rows: stores list what they carry, warehouses every SKU.

    min/max are None except for the odd override a manager has set.
    """
    stores = [loc for loc in locations if loc.is_store]
    daily_units = shelves.plan.expected_lines(len(shelves.plan.days) - 1) * shelves.mean_qty[None, :]
    for s, store in enumerate(stores):
        carried = np.flatnonzero(shelves.plan.base[s] > 0)
        yield from _rows(rng, store.code, [skus[k] for k in carried], shelves.on_hand[s, carried], daily_units[s, carried])
    regions = np.array([store.region for store in stores])
    for warehouse in (loc for loc in locations if not loc.is_store):
        central = warehouse.tier == "central"
        served = daily_units.sum(axis=0) if central else daily_units[regions == warehouse.region].sum(axis=0)
        cover = rng.uniform(*(CENTRAL_COVER_DAYS if central else REGIONAL_COVER_DAYS), len(skus))
        on_hand = np.ceil(served * cover).astype(int)
        on_hand[rng.random(len(skus)) < WAREHOUSE_OUT_OF_STOCK] = 0
        yield from _rows(rng, warehouse.code, skus, on_hand, served)


def _rows(rng: np.random.Generator, code: str, skus: list[str], on_hand: np.ndarray,
          daily_units: np.ndarray) -> Iterator[tuple[str, str, int, int | None, int | None]]:
    override = (rng.random(len(skus)) < MIN_MAX_OVERRIDE_SHARE).tolist()
    minimum = np.maximum(1, np.round(daily_units * 3)).astype(int)
    maximum = np.maximum(minimum + 2, np.round(daily_units * 21)).astype(int)
    lows = [low if o else None for low, o in zip(minimum.tolist(), override, strict=True)]
    highs = [high if o else None for high, o in zip(maximum.tolist(), override, strict=True)]
    return zip(repeat(code), skus, on_hand.astype(int).tolist(), lows, highs, strict=False)
