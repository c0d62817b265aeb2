"""Build the forecasting frames (see domain.forecasting.frames) from the project's CSV files.

Reads locations.csv, products.csv, suppliers.csv, stock.csv and sales.csv from
one directory. Sales lines are summed per local calendar day: the ISO
timestamps carry +08:00, so their first ten characters are the shop's date.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adapters.csvio.fields import TRUE_VALUES
from adapters.templates import render
from domain.forecasting.frames import ChainFrames


def load_chain_frames(directory: Path) -> ChainFrames:
    """The chain's frames from the CSV files in `directory`."""
    directory = Path(directory)
    text = {"code": str, "sku": str, "location_code": str, "supplier_code": str, "tier": str, "region": str}
    locations = pd.read_csv(directory / "locations.csv", dtype=text, keep_default_na=False)
    products = pd.read_csv(directory / "products.csv", dtype=text)
    _numbers(locations, ["latitude", "longitude"])
    _numbers(products, ["unit_price", "unit_cost", "pack_size"])
    products["pack_size"] = products["pack_size"].fillna(1).astype(int)
    suppliers = pd.read_csv(directory / "suppliers.csv", dtype=text)
    _numbers(suppliers, ["unit_cost", "lead_time_days", "min_order_qty", "pack_size"])
    direct = suppliers.get("direct_to_store", pd.Series("", index=suppliers.index)).fillna("").astype(str)
    suppliers["direct_to_store"] = direct.str.strip().str.lower().isin(TRUE_VALUES)
    stock = pd.read_csv(directory / "stock.csv", dtype=text)
    _numbers(stock, ["on_hand", "min_qty", "max_qty"])
    positions = stock.assign(reserved=0.0, in_transit_in=0.0)
    sales = daily_sales(pd.read_csv(directory / "sales.csv", dtype=text, usecols=_SALES_COLUMNS))
    return ChainFrames(locations, products, suppliers, positions, sales)


def _numbers(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")


_SALES_COLUMNS = ["timestamp", "location_code", "sku", "qty", "unit_price", "promo"]


def daily_sales(lines: pd.DataFrame) -> pd.DataFrame:
    """Receipt lines -> one row per location x SKU x day: qty, promo share of units, avg_price."""
    promo = lines["promo"].astype(str).str.lower().isin(["1", "true", "yes", "y", "t"])
    frame = pd.DataFrame(
        {
            "location_code": lines["location_code"],
            "sku": lines["sku"],
            "date": pd.to_datetime(lines["timestamp"].str.slice(0, 10)),
            "qty": lines["qty"].astype(float),
            "revenue": lines["qty"].astype(float) * lines["unit_price"].astype(float),
        }
    )
    frame["promo_qty"] = frame["qty"].where(promo, 0.0)
    daily = frame.groupby(["location_code", "sku", "date"], as_index=False, sort=False)[
        ["qty", "revenue", "promo_qty"]
    ].sum()
    daily = daily[daily["qty"] > 0]
    return daily.assign(promo=daily["promo_qty"] / daily["qty"], avg_price=daily["revenue"] / daily["qty"])[
        ["location_code", "sku", "date", "qty", "promo", "avg_price"]
    ].reset_index(drop=True)


def render_plan_reasons(plan: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The plan with its reason facts rendered into a `reason` sentence (the CSV columns)."""
    reasons = [render("replenishment/reason", lang, **facts) for facts in plan["reason_facts"]]
    return plan.drop(columns="reason_facts").assign(reason=reasons)
