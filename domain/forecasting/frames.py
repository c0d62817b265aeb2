"""The column contracts of the frames forecasting and replenishment read.

Every function in `domain.forecasting` and `domain.replenishment` takes one
`ChainFrames`. Loaders (CSV today, the database later) must produce exactly
these columns; extra columns are ignored.

locations   code (str), kind ('store' | 'warehouse'), tier (str), region (str),
            latitude, longitude (float, degrees)
products    sku (str), name, category, brand (str), unit_price, unit_cost (float),
            pack_size (int >= 1)
suppliers   supplier_code, sku (str), unit_cost (float), lead_time_days (int >= 0),
            min_order_qty (int >= 0), pack_size (int >= 1); one row per offer;
            optional direct_to_store (bool): the supplier delivers to each store
positions   location_code, sku (str), on_hand, reserved, in_transit_in,
            min_qty, max_qty (float, units)
sales       location_code, sku (str), date (datetime64, local calendar day),
            qty (float, units sold that day, >= 0),
            promo (float in [0, 1], share of the day's units sold on promotion),
            avg_price (float, revenue / qty; NaN when nothing sold)
            One row per location x SKU x day with sales; days without a row
            sold nothing. Warehouses have no sales.
stockouts   optional: location_code, sku, date: days known to have had an
            empty shelf (from the ledger). Without it, empty shelves are
            inferred from runs of zero sales of normally-selling items.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

LOCATION_COLUMNS = ("code", "kind", "tier", "region", "latitude", "longitude")
PRODUCT_COLUMNS = ("sku", "name", "category", "brand", "unit_price", "unit_cost", "pack_size")
SUPPLIER_COLUMNS = ("supplier_code", "sku", "unit_cost", "lead_time_days", "min_order_qty", "pack_size")
POSITION_COLUMNS = ("location_code", "sku", "on_hand", "reserved", "in_transit_in", "min_qty", "max_qty")
SALES_COLUMNS = ("location_code", "sku", "date", "qty", "promo", "avg_price")
STOCKOUT_COLUMNS = ("location_code", "sku", "date")

STORE = "store"
WAREHOUSE = "warehouse"


class FrameContractError(ValueError):
    """A frame lacks a column the contract promises."""


@dataclass(frozen=True)
class ChainFrames:
    """Everything the forecast and the replenishment plan know about the chain."""

    locations: pd.DataFrame
    products: pd.DataFrame
    suppliers: pd.DataFrame
    positions: pd.DataFrame
    sales: pd.DataFrame
    stockouts: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        for name, columns in (
            ("locations", LOCATION_COLUMNS),
            ("products", PRODUCT_COLUMNS),
            ("suppliers", SUPPLIER_COLUMNS),
            ("positions", POSITION_COLUMNS),
            ("sales", SALES_COLUMNS),
        ):
            _require(name, getattr(self, name), columns)
        if self.stockouts is not None:
            _require("stockouts", self.stockouts, STOCKOUT_COLUMNS)

    def stores(self) -> pd.DataFrame:
        return self.locations[self.locations["kind"] == STORE]

    def warehouses(self) -> pd.DataFrame:
        return self.locations[self.locations["kind"] == WAREHOUSE]

    def without_sales(self) -> ChainFrames:
        """The same chain with no sales rows: for planning once a panel holds the history."""
        # A copy: an empty slice would still be a view keeping every sales row in memory.
        return ChainFrames(
            self.locations, self.products, self.suppliers, self.positions, self.sales.iloc[:0].copy(), self.stockouts
        )

    def history_before(self, as_of: pd.Timestamp) -> ChainFrames:
        """The same chain with every dated row on or after `as_of` removed."""
        stockouts = self.stockouts
        if stockouts is not None:
            stockouts = stockouts[stockouts["date"] < as_of]
        return ChainFrames(
            self.locations, self.products, self.suppliers, self.positions,
            self.sales[self.sales["date"] < as_of], stockouts,
        )


def _require(name: str, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise FrameContractError(f"{name} frame lacks columns {missing}")


def as_day(value: object) -> pd.Timestamp:
    """A date, datetime or string as a midnight Timestamp (the frames' day type)."""
    return pd.Timestamp(value).normalize()
