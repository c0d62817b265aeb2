"""Member analytics frames from a directory of the chain's CSV exports (the demo chain's format).

Reads members.csv, sales.csv, products.csv and stock.csv (and locations.csv,
surplus.csv when present) into the `MemberFrames` contract of
`domain.members.frames`. Anonymous sales lines are dropped: member analytics
only learn from receipts that carry a member.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from domain.members.frames import SURPLUS_COLUMNS, MemberFrames

CONSENTS = ("consent_sms", "consent_email", "consent_chat")
TRUE_TEXTS = {"1", "true", "yes", "y", "t"}


def _flag(column: pd.Series) -> pd.Series:
    return column.fillna("").astype(str).str.strip().str.lower().isin(TRUE_TEXTS)


def read_members(path: Path) -> pd.DataFrame:
    members = pd.read_csv(path, dtype=str, keep_default_na=False)
    members["joined_on"] = pd.to_datetime(members["joined_on"], format="ISO8601")
    members["points"] = pd.to_numeric(members["points"], errors="coerce").fillna(0).astype(int)
    for column in CONSENTS:
        members[column] = _flag(members[column])
    keep = ["member_id", "joined_on", "tier", "points", *CONSENTS]
    if "usual_stores" in members.columns:
        keep.append("usual_stores")
    return members[keep]


def read_products(path: Path) -> pd.DataFrame:
    products = pd.read_csv(path, dtype={"sku": str, "category": str, "brand": str}, keep_default_na=False)
    for column in ("unit_price", "unit_cost"):
        products[column] = pd.to_numeric(products[column], errors="coerce")
    return products[["sku", "category", "brand", "unit_price", "unit_cost"]]


def read_member_sales(path: Path, products: pd.DataFrame) -> pd.DataFrame:
    """Sales lines that carry a member, with the local shop day and the product's category."""
    sales = pd.read_csv(
        path,
        usecols=["timestamp", "receipt_id", "location_code", "sku", "qty", "unit_price", "member_id"],
        dtype={"receipt_id": str, "location_code": str, "sku": str, "member_id": str, "timestamp": str},
        keep_default_na=False,
    )
    sales = sales[sales["member_id"] != ""]
    # The timestamp carries the shop's own offset, so its first ten characters are the shop day.
    sales["date"] = pd.to_datetime(sales["timestamp"].str[:10], format="%Y-%m-%d")
    sales["timestamp"] = pd.to_datetime(sales["timestamp"], format="ISO8601")
    sales["qty"] = pd.to_numeric(sales["qty"], errors="coerce").fillna(0.0)
    sales["amount"] = sales["qty"] * pd.to_numeric(sales["unit_price"], errors="coerce").fillna(0.0)
    sales["category"] = sales["sku"].map(products.set_index("sku")["category"]).fillna("")
    columns = [
        "receipt_id",
        "member_id",
        "location_code",
        "timestamp",
        "date",
        "sku",
        "category",
        "qty",
        "amount",
    ]
    return sales[columns].reset_index(drop=True)


def read_positions(path: Path, stores: set[str] | None) -> pd.DataFrame:
    stock = pd.read_csv(path, dtype={"location_code": str, "sku": str}, keep_default_na=False)
    if stores is not None:
        stock = stock[stock["location_code"].isin(stores)]
    stock["on_hand"] = pd.to_numeric(stock["on_hand"], errors="coerce").fillna(0.0)
    available = stock["available"] if "available" in stock.columns else stock["on_hand"]
    stock["available"] = pd.to_numeric(available, errors="coerce").fillna(0.0).clip(lower=0.0)
    return stock[["location_code", "sku", "on_hand", "available"]].reset_index(drop=True)


def _stores(directory: Path) -> set[str] | None:
    path = directory / "locations.csv"
    if not path.exists():
        return None
    locations = pd.read_csv(path, dtype=str, keep_default_na=False)
    return set(locations.loc[locations["kind"] == "store", "code"]) if "kind" in locations.columns else None


def load_member_frames(directory: Path) -> MemberFrames:
    """The member analytics frames from `directory`; stock is shelf stock at stores only."""
    directory = Path(directory)
    products = read_products(directory / "products.csv")
    surplus = None
    if (directory / "surplus.csv").exists():
        surplus = pd.read_csv(directory / "surplus.csv", dtype={"location_code": str, "sku": str})
        surplus = surplus[list(SURPLUS_COLUMNS)]
    return MemberFrames(
        members=read_members(directory / "members.csv"),
        transactions=read_member_sales(directory / "sales.csv", products),
        products=products,
        positions=read_positions(directory / "stock.csv", _stores(directory)),
        surplus=surplus,
    )
