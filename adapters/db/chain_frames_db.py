"""The forecasting frames (domain.forecasting.frames.ChainFrames) read from the database.

Daily sales are summed by the database per location x SKU x local day: on
PostgreSQL in the shop's zone; on SQLite, which keeps UTC text, shifted by the
zone's offset when it has one all year (Asia/Shanghai), else per UTC hour and
re-summed here. Only the summed rows travel, never the receipt lines, and
they are read a chunk at a time: 200 stores x 10,000 SKUs make some 18 million
daily rows, several gigabytes as Python tuples at once. Location codes and
SKUs come back as categories (two bytes a row instead of a string each).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Date, Float, case, cast, func, select

from adapters.db.tables import (
    LocationRow,
    ProductRow,
    ReceiptLineRow,
    ReceiptRow,
    StockPositionRow,
    SupplierItemRow,
    SupplierRow,
)
from domain.forecasting.frames import ChainFrames

LOCATIONS, PRODUCTS = LocationRow.__table__, ProductRow.__table__
SUPPLIERS, OFFERS = SupplierRow.__table__, SupplierItemRow.__table__
POSITIONS, RECEIPTS, LINES = StockPositionRow.__table__, ReceiptRow.__table__, ReceiptLineRow.__table__
CHUNK_ROWS = 200_000


def load_chain_frames_db(connection: Connection, tz: str, before: date | None = None) -> ChainFrames:
    """The chain as the engine reads it; sales only from local days before `before` when given."""
    reader = _Reader(connection)
    return ChainFrames(
        locations=reader.locations(),
        products=reader.products(),
        suppliers=reader.suppliers(),
        positions=reader.positions(),
        sales=reader.daily_sales(ZoneInfo(tz), before),
    )


class _Reader:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def frame(self, query) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        result = self._conn.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def locations(self) -> pd.DataFrame:
        frame = self.frame(select(LOCATIONS.c.code, LOCATIONS.c.name, LOCATIONS.c.kind, LOCATIONS.c.tier,
                                  LOCATIONS.c.region, LOCATIONS.c.latitude, LOCATIONS.c.longitude))  # fmt: skip
        return frame.assign(tier=frame["tier"].fillna(""), region=frame["region"].fillna(""))

    def products(self) -> pd.DataFrame:
        frame = self.frame(select(PRODUCTS.c.sku, PRODUCTS.c.name, PRODUCTS.c.category, PRODUCTS.c.brand,
                                  PRODUCTS.c.unit_price, PRODUCTS.c.unit_cost, PRODUCTS.c.pack_size))  # fmt: skip
        return frame.assign(pack_size=frame["pack_size"].fillna(1).astype(int).clip(lower=1))

    def suppliers(self) -> pd.DataFrame:
        """One row per offer, with the supplier's email for purchase orders (extra columns are allowed)."""
        return self.frame(
            select(OFFERS.c.supplier_code, OFFERS.c.sku, OFFERS.c.unit_cost, OFFERS.c.lead_time_days,
                   OFFERS.c.min_order_qty, OFFERS.c.pack_size, OFFERS.c.direct_to_store,
                   SUPPLIERS.c.name.label("supplier_name"), SUPPLIERS.c.email)
            .join(SUPPLIERS, SUPPLIERS.c.code == OFFERS.c.supplier_code)
        )  # fmt: skip

    def positions(self) -> pd.DataFrame:
        frame = self.frame(select(POSITIONS.c.location_code, POSITIONS.c.sku, POSITIONS.c.on_hand, POSITIONS.c.reserved,
                                  POSITIONS.c.in_transit_in, POSITIONS.c.min_qty, POSITIONS.c.max_qty))  # fmt: skip
        for column in ("on_hand", "reserved", "in_transit_in", "min_qty", "max_qty"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        return frame

    def daily_sales(self, zone: ZoneInfo, before: date | None) -> pd.DataFrame:
        day = self._local_day(zone)
        qty = func.sum(LINES.c.qty)
        query = (
            select(
                RECEIPTS.c.location_code, LINES.c.sku, day.label("day"), cast(qty, Float).label("qty"),
                func.sum(LINES.c.qty * LINES.c.unit_price).label("revenue"),
                func.sum(case((LINES.c.promo, LINES.c.qty), else_=0)).label("promo_qty"),
            )
            .join(LINES, LINES.c.receipt_id == RECEIPTS.c.receipt_id)
            .group_by(RECEIPTS.c.location_code, LINES.c.sku, day)
        )  # fmt: skip
        if before is not None:
            query = query.where(RECEIPTS.c.at < datetime.combine(before, time.min, tzinfo=zone).astimezone(UTC))
        hourly = self._offset_minutes(zone) is None and not self._postgres
        result = self._conn.execute(query.execution_options(yield_per=CHUNK_ROWS))
        columns = list(result.keys())
        parts = [_local_days(pd.DataFrame(rows, columns=columns), zone, hourly=hourly) for rows in result.partitions()]
        frame = pd.concat(parts, ignore_index=True) if parts else _local_days(pd.DataFrame(columns=columns), zone, hourly=hourly)
        return _daily(frame, hourly=hourly)

    @property
    def _postgres(self) -> bool:
        return self._conn.dialect.name == "postgresql"

    def _local_day(self, zone: ZoneInfo):  # type: ignore[no-untyped-def]
        if self._postgres:
            return cast(func.timezone(zone.key, RECEIPTS.c.at), Date)
        offset = self._offset_minutes(zone)
        if offset is None:  # the zone moves its clocks: sum per UTC hour, place the hours here
            return func.strftime("%Y-%m-%d %H:00:00", RECEIPTS.c.at)
        return func.date(RECEIPTS.c.at, f"{offset:+d} minutes")

    @staticmethod
    def _offset_minutes(zone: ZoneInfo) -> int | None:
        """The zone's UTC offset when it is the same in winter and summer."""
        winter, summer = (datetime(2026, month, 1, tzinfo=zone).utcoffset() for month in (1, 7))
        return int(winter.total_seconds() // 60) if winter == summer else None


def _local_days(part: pd.DataFrame, zone: ZoneInfo, *, hourly: bool) -> pd.DataFrame:
    """One chunk of summed rows with local days and plain floats (PostgreSQL sums arrive as Decimals)."""
    if hourly:
        day = pd.to_datetime(part["day"], utc=True).dt.tz_convert(zone).dt.tz_localize(None).dt.normalize()
    else:
        day = pd.to_datetime(part["day"])
    numbers = {column: part[column].astype(float) for column in ("qty", "revenue", "promo_qty")}
    return part.assign(day=day, **numbers)


def _daily(frame: pd.DataFrame, *, hourly: bool) -> pd.DataFrame:
    """Summed rows -> the contract's columns: qty > 0, promo share of units, average price."""
    if hourly:
        frame = frame.groupby(["location_code", "sku", "day"], as_index=False)[["qty", "revenue", "promo_qty"]].sum()
    frame = frame[frame["qty"] > 0].reset_index(drop=True)
    qty = frame["qty"].to_numpy()
    return pd.DataFrame({
        "location_code": pd.Categorical(frame["location_code"]),
        "sku": pd.Categorical(frame["sku"]),
        "date": frame["day"].to_numpy(),
        "qty": qty,
        "promo": frame["promo_qty"].to_numpy() / qty,
        "avg_price": np.round(frame["revenue"].to_numpy() / qty, 4),
    })  # fmt: skip
