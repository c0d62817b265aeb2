"""A small made-up chain with known demand, for fast domain tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.forecasting.frames import ChainFrames

END = pd.Timestamp("2026-03-01")


def small_chain(
    *, days: int = 160, skus: int = 12, seed: int = 3, end: pd.Timestamp = END, stockout: tuple[int, int] | None = None
) -> ChainFrames:
    """Three stores and a warehouse; the first half of SKUs sell daily, the rest now and then.

    `stockout=(first, last)` empties SKU P000's shelf at S01 for those day offsets from the start.
    """
    rng = np.random.default_rng(seed)
    locations = pd.DataFrame(
        {
            "code": ["S01", "S02", "S03", "W01"],
            "kind": ["store", "store", "store", "warehouse"],
            "tier": ["A", "B", "B", "DC"],
            "region": ["east", "east", "west", "east"],
            "latitude": [31.23, 31.25, 30.60, 31.30],
            "longitude": [121.47, 121.50, 114.30, 121.40],
        }
    )
    products = pd.DataFrame(
        {
            "sku": [f"P{i:03d}" for i in range(skus)],
            "name": [f"Item {i}" for i in range(skus)],
            "category": ["snacks" if i % 2 else "drinks" for i in range(skus)],
            "brand": ["acme" if i % 3 else "zen" for i in range(skus)],
            "unit_price": 10.0 + np.arange(skus),
            "unit_cost": 6.0 + np.arange(skus) * 0.6,
            "pack_size": 6,
        }
    )
    suppliers = pd.DataFrame(
        {
            "supplier_code": "SUP1", "sku": products["sku"], "unit_cost": products["unit_cost"],
            "lead_time_days": 5, "min_order_qty": 12, "pack_size": 6,
        }
    )
    dates = pd.date_range(end - pd.Timedelta(days=days), periods=days, freq="D")
    weekday_boost = np.where(dates.weekday >= 5, 1.5, 1.0)
    rows = []
    for store_index, store in enumerate(["S01", "S02", "S03"]):
        for i, sku in enumerate(products["sku"]):
            rate = (8.0 - i * 0.5) if i < skus // 2 else 0.15
            qty = rng.poisson(rate * weekday_boost * (1 + 0.2 * store_index))
            if stockout and store == "S01" and sku == "P000":
                qty[stockout[0] : stockout[1] + 1] = 0
            sold = qty > 0
            rows.append(
                pd.DataFrame(
                    {
                        "location_code": store, "sku": sku, "date": dates[sold], "qty": qty[sold].astype(float),
                        "promo": 0.0, "avg_price": float(products["unit_price"][i]),
                    }
                )
            )
    sales = pd.concat(rows, ignore_index=True)
    positions = pd.DataFrame(
        [(loc, sku, 20.0, 0.0, 0.0, 5.0, 40.0) for loc in locations["code"] for sku in products["sku"]],
        columns=["location_code", "sku", "on_hand", "reserved", "in_transit_in", "min_qty", "max_qty"],
    )
    return ChainFrames(locations, products, suppliers, positions, sales)
