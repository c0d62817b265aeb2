"""Member analytics frames from the database: the same `MemberFrames` the CSV loader builds."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select

from adapters.db.tables import (
    LocationRow,
    MemberRow,
    PointsEntryRow,
    PositionSalesRateRow,
    ProductRow,
    ReceiptLineRow,
    ReceiptRow,
    StockPositionRow,
)
from domain.members.frames import MemberFrames

MEMBERS, POINTS, PRODUCTS = MemberRow.__table__, PointsEntryRow.__table__, ProductRow.__table__
RECEIPTS, LINES = ReceiptRow.__table__, ReceiptLineRow.__table__
POSITIONS, LOCATIONS = StockPositionRow.__table__, LocationRow.__table__
RATES = PositionSalesRateRow.__table__


class MemberFramesReader:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def load(self, tz: str) -> MemberFrames:
        """Members with their points balance, member receipt lines (shop days in `tz`), products, store stock
        and where it is surplus or slow (so offers lean towards what would otherwise age)."""
        products = self._frame(select(PRODUCTS.c.sku, PRODUCTS.c.category, PRODUCTS.c.brand, PRODUCTS.c.unit_price,
                                      PRODUCTS.c.unit_cost))  # fmt: skip
        positions, surplus = self._store_stock()
        return MemberFrames(
            members=self._members(),
            transactions=self._transactions(products, tz),
            products=products,
            positions=positions,
            surplus=surplus,
        )

    def _frame(self, query) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        result = self._conn.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def _members(self) -> pd.DataFrame:
        balance = select(POINTS.c.member_id, func.sum(POINTS.c.points).label("points")).group_by(POINTS.c.member_id)
        balance = balance.subquery()
        members = self._frame(
            select(
                MEMBERS.c.member_id, MEMBERS.c.joined_on, MEMBERS.c.tier, func.coalesce(balance.c.points, 0).label("points"),
                MEMBERS.c.consent_sms, MEMBERS.c.consent_email, MEMBERS.c.consent_chat,
            ).join(balance, balance.c.member_id == MEMBERS.c.member_id, isouter=True)
        )  # fmt: skip
        members["joined_on"] = pd.to_datetime(members["joined_on"])
        members["points"] = members["points"].astype(int)
        for column in ("consent_sms", "consent_email", "consent_chat"):
            members[column] = members[column].fillna(False).astype(bool)
        return members

    def _transactions(self, products: pd.DataFrame, tz: str) -> pd.DataFrame:
        lines = self._frame(
            select(
                RECEIPTS.c.receipt_id, RECEIPTS.c.member_id, RECEIPTS.c.location_code, RECEIPTS.c.at.label("timestamp"),
                LINES.c.sku, LINES.c.qty, LINES.c.unit_price,
            )
            .join(LINES, LINES.c.receipt_id == RECEIPTS.c.receipt_id)
            .where(RECEIPTS.c.member_id.is_not(None))
        )  # fmt: skip
        stamps = pd.to_datetime(lines["timestamp"], utc=True).dt.tz_convert(tz)
        lines["timestamp"] = stamps
        lines["date"] = stamps.dt.tz_localize(None).dt.normalize()
        lines["qty"] = lines["qty"].astype(float)
        lines["amount"] = lines["qty"] * lines["unit_price"].astype(float)
        lines["category"] = lines["sku"].map(products.set_index("sku")["category"]).fillna("")
        columns = ["receipt_id", "member_id", "location_code", "timestamp", "date", "sku", "category", "qty", "amount"]
        return lines[columns].reset_index(drop=True)

    def _store_stock(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Store positions (on hand, available), and per store x SKU the units above the position's max
        and the days of cover at the recent sales rate, from one read of the positions.

        The low-stock sweep keeps the rates and drops positions that sold nothing, so once it has run a
        missing rate with stock on the shelf is endless cover; before it ever ran, cover is unknown."""
        rows = self._frame(
            select(POSITIONS.c.location_code, POSITIONS.c.sku, POSITIONS.c.on_hand, POSITIONS.c.reserved,
                   POSITIONS.c.max_qty, RATES.c.daily_units)
            .join(LOCATIONS, LOCATIONS.c.code == POSITIONS.c.location_code)
            .join(RATES, (RATES.c.location_code == POSITIONS.c.location_code) & (RATES.c.sku == POSITIONS.c.sku),
                  isouter=True)
            .where(LOCATIONS.c.kind == "store")
        )  # fmt: skip
        on_hand = rows["on_hand"].astype(float)
        available = (on_hand - rows["reserved"].astype(float)).clip(lower=0.0)
        ceiling = pd.to_numeric(rows["max_qty"], errors="coerce")
        rate = pd.to_numeric(rows["daily_units"], errors="coerce")
        cover = available / rate.where(rate > 0)
        if rate.notna().any():
            cover = cover.where(~(rate.isna() & (available > 0)), float("inf"))
        keys = {"location_code": rows["location_code"], "sku": rows["sku"]}
        positions = pd.DataFrame({**keys, "on_hand": on_hand, "available": available})
        surplus = pd.DataFrame(
            {**keys, "surplus_units": (available - ceiling).clip(lower=0.0).fillna(0.0), "days_of_cover": cover}
        )
        return positions, surplus
