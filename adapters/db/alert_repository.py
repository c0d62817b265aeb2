"""Low-stock alerts, the sales figures that set their thresholds, and digest channel choices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from adapters.db.bulk import db_time, execute_many, fetch_all, placeholders
from adapters.db.tables import DigestPreferenceRow, LowStockAlertRow, PositionSalesRateRow
from adapters.db.timeutil import as_utc
from domain.alerts import AlertState, LowStockAlert, ThresholdBasis

ALERTS = LowStockAlertRow.__table__
PREFERENCES = DigestPreferenceRow.__table__
RATES = PositionSalesRateRow.__table__
CHUNK = 500

Key = tuple[str, str]


@dataclass(slots=True, frozen=True)
class DigestChannels:
    telegram: bool = True
    email: bool = False


class AlertRepository:
    def __init__(self, connection: Connection, *, lock_rows: bool) -> None:
        self._conn = connection
        self._lock_rows = lock_rows

    def open_for(self, keys: Iterable[Key]) -> dict[Key, LowStockAlert]:
        """The alert that is not closed, per position, for those of `keys` that have one."""
        wanted = sorted({_open_key(*key) for key in keys})
        found: dict[Key, LowStockAlert] = {}
        for start in range(0, len(wanted), CHUNK):
            query = select(ALERTS).where(ALERTS.c.open_key.in_(wanted[start : start + CHUNK]))
            for row in self._conn.execute(self._locked(query)):
                found[(row.location_code, row.sku)] = _alert(row)
        return found

    def all_open(self) -> list[LowStockAlert]:
        query = select(ALERTS).where(ALERTS.c.open_key.is_not(None)).order_by(ALERTS.c.id)
        return [_alert(row) for row in self._conn.execute(query)]

    def get(self, alert_id: int) -> LowStockAlert | None:
        row = self._conn.execute(self._locked(select(ALERTS).where(ALERTS.c.id == alert_id))).first()
        return _alert(row) if row else None

    def add(self, alert: LowStockAlert) -> LowStockAlert:
        result = self._conn.execute(insert(ALERTS).values(**_values(alert)))
        alert.id = int(result.inserted_primary_key[0])
        return alert

    def save(self, alert: LowStockAlert) -> None:
        self._conn.execute(update(ALERTS).where(ALERTS.c.id == alert.id).values(**_values(alert)))

    def reorder_points(self, keys: Iterable[Key] | None = None) -> dict[Key, float]:
        """Reorder points the replenishment engine has set (all of them when `keys` is None)."""
        rows = fetch_all(
            self._conn, "SELECT location_code, sku, reorder_point FROM stock_position WHERE reorder_point IS NOT NULL"
        )
        points = {(code, sku): float(point) for code, sku, point in rows}
        return points if keys is None else {key: points[key] for key in set(keys) if key in points}

    def units_sold(self, since: datetime, until: datetime) -> dict[Key, int]:
        """Units sold (net of returns) per position in [since, until)."""
        rows = fetch_all(
            self._conn,
            "SELECT r.location_code, l.sku, SUM(l.qty) FROM receipt_line l JOIN receipt r ON r.receipt_id = l.receipt_id "
            "WHERE r.at >= ? AND r.at < ? GROUP BY r.location_code, l.sku",
            (db_time(self._conn, since), db_time(self._conn, until)),
        )
        return {(code, sku): int(units or 0) for code, sku, units in rows}

    def sales_rates(self, keys: Iterable[Key]) -> dict[Key, float]:
        """The stored average daily units of those of `keys` that sell."""
        by_location: dict[str, list[str]] = {}
        for location, sku in set(keys):
            by_location.setdefault(location, []).append(sku)
        rates: dict[Key, float] = {}
        for location, skus in by_location.items():
            for chunk in _chunks(sorted(skus)):
                rows = fetch_all(
                    self._conn,
                    f"SELECT sku, daily_units FROM position_sales_rate WHERE location_code = ? AND sku IN ({placeholders(len(chunk))})",
                    (location, *chunk),
                )
                rates.update({(location, sku): float(units) for sku, units in rows})
        return rates

    def sales_rates_at(self, location: str) -> dict[str, float]:
        rows = fetch_all(self._conn, "SELECT sku, daily_units FROM position_sales_rate WHERE location_code = ?", (location,))
        return {sku: float(units) for sku, units in rows}

    def replace_sales_rates(self, rates: dict[Key, float], at: datetime) -> None:
        """Store freshly computed rates in place of the old ones (positions that stopped selling drop out)."""
        self._conn.execute(delete(RATES))
        stamp = db_time(self._conn, at)
        execute_many(
            self._conn,
            "INSERT INTO position_sales_rate (location_code, sku, daily_units, computed_at) VALUES (?,?,?,?)",
            [(code, sku, units, stamp) for (code, sku), units in rates.items() if units > 0],
        )

    def takings(self, since: datetime, until: datetime) -> dict[str, float]:
        """Each location's receipt totals in [since, until)."""
        rows = fetch_all(
            self._conn,
            "SELECT location_code, SUM(total) FROM receipt WHERE at >= ? AND at < ? GROUP BY location_code",
            (db_time(self._conn, since), db_time(self._conn, until)),
        )
        return {code: float(total or 0) for code, total in rows}

    def digest_channels(self, telegram_user_id: int) -> DigestChannels:
        row = self._conn.execute(select(PREFERENCES).where(PREFERENCES.c.telegram_user_id == telegram_user_id)).first()
        return DigestChannels(row.telegram, row.email) if row else DigestChannels()

    def set_digest_channels(self, telegram_user_id: int, channels: DigestChannels) -> None:
        values = {"telegram": channels.telegram, "email": channels.email}
        match = PREFERENCES.c.telegram_user_id == telegram_user_id
        if self._conn.execute(select(PREFERENCES.c.telegram_user_id).where(match)).first():
            self._conn.execute(update(PREFERENCES).where(match).values(**values))
        else:
            self._conn.execute(insert(PREFERENCES).values(telegram_user_id=telegram_user_id, **values))

    def _locked(self, query):  # type: ignore[no-untyped-def]
        return query.with_for_update() if self._lock_rows else query


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[start : start + CHUNK] for start in range(0, len(values), CHUNK)]


def _open_key(location_code: str, sku: str) -> str:
    return f"{location_code}|{sku}"


def _values(alert: LowStockAlert) -> dict[str, object]:
    return {
        "location_code": alert.location_code,
        "sku": alert.sku,
        "open_key": None if alert.is_closed else _open_key(*alert.key),
        "state": alert.state.value,
        "raised_at": alert.raised_at,
        "available": alert.available,
        "reorder_point": alert.reorder_point,
        "basis": alert.basis.value,
        "urgent": alert.urgent,
        "snoozed_until": alert.snoozed_until,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": alert.acknowledged_at,
        "closed_at": alert.closed_at,
        "message_key": alert.message_key,
    }


def _when(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _alert(row) -> LowStockAlert:  # type: ignore[no-untyped-def]
    return LowStockAlert(
        location_code=row.location_code,
        sku=row.sku,
        raised_at=as_utc(row.raised_at),
        available=row.available,
        reorder_point=row.reorder_point,
        basis=ThresholdBasis(row.basis),
        urgent=row.urgent,
        state=AlertState(row.state),
        id=row.id,
        snoozed_until=_when(row.snoozed_until),
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=_when(row.acknowledged_at),
        closed_at=_when(row.closed_at),
        message_key=row.message_key,
    )
