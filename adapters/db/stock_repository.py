"""Stock positions and the movement ledger, read and written in bulk.

Hot paths (posting thousands of receipt lines) use Core statements with
executemany, not ORM objects: the ledger insert and the position update are the
whole cost of a sale.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, bindparam, func, insert, select, tuple_, update

from adapters.db.tables import LocationRow, StockMovementRow, StockPositionRow
from domain.stock import Movement, MovementKind, StockPosition

POSITIONS = StockPositionRow.__table__
MOVEMENTS = StockMovementRow.__table__
LOCATIONS = LocationRow.__table__
CHUNK = 2000

Key = tuple[str, str]


class StockRepository:
    def __init__(self, connection: Connection, *, lock_rows: bool) -> None:
        self._conn = connection
        self._lock_rows = lock_rows
        self._loaded: dict[Key, StockPosition] = {}
        self._new: set[Key] = set()
        self._negative_ok: dict[str, bool] | None = None

    def get_many(self, keys: Iterable[Key]) -> dict[Key, StockPosition]:
        """Positions for `keys`, locked for this transaction; absent ones start at zero."""
        requested = set(keys)
        wanted = sorted(requested - self._loaded.keys())  # sorted: rows lock in one order, no deadlocks
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            query = select(POSITIONS).where(tuple_(POSITIONS.c.location_code, POSITIONS.c.sku).in_(chunk))
            if self._lock_rows:
                query = query.with_for_update()
            for row in self._conn.execute(query):
                self._loaded[(row.location_code, row.sku)] = self._position(row)
        for key in wanted:
            if key not in self._loaded:
                self._loaded[key] = StockPosition(key[0], key[1], allow_negative=self._allows_negative(key[0]))
                self._new.add(key)
        return {key: self._loaded[key] for key in requested}

    def get(self, location_code: str, sku: str) -> StockPosition:
        return self.get_many([(location_code, sku)])[(location_code, sku)]

    def for_sku(self, sku: str) -> list[StockPosition]:
        """Every location's position of one SKU (the 'who has it' lookup)."""
        rows = self._conn.execute(select(POSITIONS).where(POSITIONS.c.sku == sku))
        return [self._position(row) for row in rows]

    def save(self) -> list[Movement]:
        """Append the pending movements and write the positions they changed."""
        touched = [p for p in self._loaded.values() if p.pending]
        movements = [m for p in touched for m in p.pending]
        if not movements:
            return []
        self._conn.execute(insert(MOVEMENTS), [_movement_row(m) for m in movements])
        new_rows = [_position_row(p) for p in touched if p.key in self._new]
        if new_rows:
            self._conn.execute(insert(POSITIONS), new_rows)
        changed = [_position_row(p) for p in touched if p.key not in self._new]
        if changed:
            self._conn.execute(_UPDATE_POSITION, changed)
        for position in touched:
            self._new.discard(position.key)
            position.pending.clear()
        return movements

    def set_limits(self, location_code: str, sku: str, min_qty: int | None, max_qty: int | None) -> None:
        position = self.get(location_code, sku)
        position.min_qty, position.max_qty = min_qty, max_qty
        if position.key in self._new:
            self._conn.execute(insert(POSITIONS), [_position_row(position)])
            self._new.discard(position.key)
        else:
            self._conn.execute(
                update(POSITIONS)
                .where(POSITIONS.c.location_code == location_code, POSITIONS.c.sku == sku)
                .values(min_qty=min_qty, max_qty=max_qty)
            )

    def movements_for(self, location_code: str, sku: str, limit: int = 1) -> list[Movement]:
        rows = self._conn.execute(
            select(MOVEMENTS)
            .where(MOVEMENTS.c.location_code == location_code, MOVEMENTS.c.sku == sku)
            .order_by(MOVEMENTS.c.id.desc())
            .limit(limit)
        )
        return [_movement(row) for row in rows]

    def ledger_totals(self) -> dict[Key, tuple[int, int, int, int]]:
        """The ledger summed per position, for checking the invariant."""
        rows = self._conn.execute(
            select(
                MOVEMENTS.c.location_code,
                MOVEMENTS.c.sku,
                func.sum(MOVEMENTS.c.on_hand),
                func.sum(MOVEMENTS.c.reserved),
                func.sum(MOVEMENTS.c.in_transit_in),
                func.sum(MOVEMENTS.c.in_transit_out),
            ).group_by(MOVEMENTS.c.location_code, MOVEMENTS.c.sku)
        )
        return {(r[0], r[1]): (int(r[2]), int(r[3]), int(r[4]), int(r[5])) for r in rows}

    def all_positions(self) -> list[StockPosition]:
        return [self._position(row) for row in self._conn.execute(select(POSITIONS))]

    def _allows_negative(self, location_code: str) -> bool:
        if self._negative_ok is None:
            rows = self._conn.execute(select(LOCATIONS.c.code, LOCATIONS.c.allow_negative_stock))
            self._negative_ok = {code: bool(flag) for code, flag in rows}
        return self._negative_ok.get(location_code, False)

    def _position(self, row) -> StockPosition:  # type: ignore[no-untyped-def]
        return StockPosition(
            row.location_code,
            row.sku,
            row.on_hand,
            row.reserved,
            row.in_transit_in,
            row.in_transit_out,
            row.min_qty,
            row.max_qty,
            allow_negative=self._allows_negative(row.location_code),
        )


_UPDATE_POSITION = (
    update(POSITIONS)
    .where(POSITIONS.c.location_code == bindparam("k_location"), POSITIONS.c.sku == bindparam("k_sku"))
    .values(
        on_hand=bindparam("on_hand"),
        reserved=bindparam("reserved"),
        in_transit_in=bindparam("in_transit_in"),
        in_transit_out=bindparam("in_transit_out"),
    )
)


def _position_row(p: StockPosition) -> dict[str, object]:
    return {
        "location_code": p.location_code,
        "sku": p.sku,
        "k_location": p.location_code,
        "k_sku": p.sku,
        "on_hand": p.on_hand,
        "reserved": p.reserved,
        "in_transit_in": p.in_transit_in,
        "in_transit_out": p.in_transit_out,
        "min_qty": p.min_qty,
        "max_qty": p.max_qty,
    }


def _movement_row(m: Movement) -> dict[str, object]:
    return {
        "at": m.at,
        "location_code": m.location_code,
        "sku": m.sku,
        "kind": m.kind.value,
        "on_hand": m.on_hand,
        "reserved": m.reserved,
        "in_transit_in": m.in_transit_in,
        "in_transit_out": m.in_transit_out,
        "actor": m.actor,
        "reference": m.reference,
        "reason": m.reason,
    }


def _movement(row) -> Movement:  # type: ignore[no-untyped-def]
    return Movement(
        kind=MovementKind(row.kind),
        location_code=row.location_code,
        sku=row.sku,
        at=row.at,
        actor=row.actor,
        reference=row.reference,
        reason=row.reason,
        on_hand=row.on_hand,
        reserved=row.reserved,
        in_transit_in=row.in_transit_in,
        in_transit_out=row.in_transit_out,
    )


def movement_rows(movements: Sequence[Movement]) -> list[dict[str, object]]:
    return [_movement_row(m) for m in movements]
