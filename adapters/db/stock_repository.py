"""Stock positions and the movement ledger, read and written in bulk.

Hot paths (posting thousands of receipt lines) use Core statements with
executemany, not ORM objects: the ledger insert and the position update are the
whole cost of a sale.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, func, select, update

from adapters.db.bulk import db_time_writer, execute_many, fetch_all, placeholders
from adapters.db.tables import LocationRow, StockMovementRow, StockPositionRow
from adapters.db.timeutil import from_db_time
from domain.stock import Movement, MovementKind, StockPosition

POSITIONS = StockPositionRow.__table__
MOVEMENTS = StockMovementRow.__table__
LOCATIONS = LocationRow.__table__
CHUNK = 2000
KIND_TEXT = {kind: kind.value for kind in MovementKind}  # an enum's .value is a descriptor call per row

Key = tuple[str, str]


class StockRepository:
    def __init__(self, connection: Connection, *, lock_rows: bool) -> None:
        self._conn = connection
        self._lock_rows = lock_rows
        self._loaded: dict[Key, StockPosition] = {}
        self._new: set[Key] = set()
        self._negative_ok: dict[str, bool] | None = None
        # SQLite updates a loaded row by its rowid: a third of the cost of finding it by key again.
        self._row_ids: dict[Key, int] | None = {} if connection.dialect.name == "sqlite" else None

    def get_many(self, keys: Iterable[Key]) -> dict[Key, StockPosition]:
        """Positions for `keys`, locked for this transaction; absent ones start at zero."""
        requested = set(keys)
        by_location: dict[str, list[str]] = {}
        for location, sku in requested - self._loaded.keys():
            by_location.setdefault(location, []).append(sku)
        lock = " FOR UPDATE" if self._lock_rows else ""
        row_ids = self._row_ids
        locator = "NULL" if row_ids is None else "rowid"
        for location in sorted(by_location):  # one order for every transaction: row locks cannot deadlock
            skus = sorted(by_location[location])
            allow_negative = self._allows_negative(location)
            for start in range(0, len(skus), CHUNK):
                chunk = skus[start : start + CHUNK]
                rows = fetch_all(
                    self._conn,
                    f"SELECT {_POSITION_COLUMNS}, {locator} FROM stock_position "
                    f"WHERE location_code = ? AND sku IN ({placeholders(len(chunk))}){lock}",
                    (location, *chunk),
                )
                for row in rows:
                    key = (row[0], row[1])
                    self._loaded[key] = StockPosition(*row[:8], allow_negative)
                    if row_ids is not None:
                        row_ids[key] = row[8]
            for sku in skus:
                if (location, sku) not in self._loaded:
                    self._loaded[(location, sku)] = StockPosition(location, sku, allow_negative=allow_negative)
                    self._new.add((location, sku))
        return {key: self._loaded[key] for key in requested}

    def get(self, location_code: str, sku: str) -> StockPosition:
        return self.get_many([(location_code, sku)])[(location_code, sku)]

    def for_sku(self, sku: str) -> list[StockPosition]:
        """Every location's position of one SKU (the 'who has it' lookup)."""
        rows = fetch_all(self._conn, f"SELECT {_POSITION_COLUMNS} FROM stock_position WHERE sku = ?", (sku,))
        return [self._position(row) for row in rows]

    def at_locations(self, sku: str, codes: Sequence[str]) -> list[StockPosition]:
        """One SKU's positions at `codes` (a card's store and its nearest neighbours), read without locking.

        The location's negative-stock flag comes in the same statement: a card
        reads a handful of positions and should not load every location for them.
        """
        if not codes:
            return []
        rows = fetch_all(
            self._conn,
            f"SELECT {_JOINED_POSITION_COLUMNS}, l.allow_negative_stock FROM stock_position p "
            f"JOIN location l ON l.code = p.location_code "
            f"WHERE p.sku = ? AND p.location_code IN ({placeholders(len(codes))})",
            (sku, *codes),
        )
        return [StockPosition(*row[:8], allow_negative=bool(row[8])) for row in rows]

    def available_by_location(self, sku: str) -> dict[str, int]:
        """Where one SKU is available (more on hand than reserved), and how many: the chain-wide 'who has it'."""
        rows = fetch_all(
            self._conn,
            "SELECT location_code, on_hand - reserved FROM stock_position WHERE sku = ? AND on_hand > reserved",
            (sku,),
        )
        return dict(rows)

    def save(self) -> list[Movement]:
        """Append the pending movements and write the positions they changed."""
        touched = [p for p in self._loaded.values() if p.pending]
        movements = [m for p in touched for m in p.pending]
        if not movements:
            return []
        to_db = db_time_writer(self._conn)
        execute_many(
            self._conn,
            _INSERT_MOVEMENT,
            [(to_db(m.at), m.location_code, m.sku, KIND_TEXT[m.kind], m.on_hand, m.reserved, m.in_transit_in,
              m.in_transit_out, m.actor, m.reference, m.reason) for m in movements],
        )
        execute_many(
            self._conn,
            _INSERT_POSITION,
            [(p.location_code, p.sku, p.on_hand, p.reserved, p.in_transit_in, p.in_transit_out, p.min_qty, p.max_qty)
             for p in touched if p.key in self._new],
        )
        self._update_positions([p for p in touched if p.key not in self._new])
        for position in touched:
            self._new.discard(position.key)
            position.pending.clear()
        return movements

    def _update_positions(self, positions: list[StockPosition]) -> None:
        row_ids = self._row_ids
        if row_ids is not None and all(p.key in row_ids for p in positions):
            rows = [(p.on_hand, p.reserved, p.in_transit_in, p.in_transit_out, row_ids[p.key]) for p in positions]
            execute_many(self._conn, _UPDATE_POSITION_BY_ROWID, rows)
            return
        rows = [(p.on_hand, p.reserved, p.in_transit_in, p.in_transit_out, p.location_code, p.sku) for p in positions]
        execute_many(self._conn, _UPDATE_POSITION, rows)

    def is_new(self, key: Key) -> bool:
        """The position does not exist in the database yet."""
        return key in self._new

    def keep_empty_positions(self, keys: Iterable[Key]) -> None:
        """Write zero positions that had no movement: the location carries the item, it is just out."""
        empty = [key for key in keys if key in self._new and not self._loaded[key].pending]
        execute_many(self._conn, _INSERT_POSITION, [(loc, sku, 0, 0, 0, 0, None, None) for loc, sku in empty])
        self._new.difference_update(empty)

    def set_limits(self, location_code: str, sku: str, min_qty: int | None, max_qty: int | None) -> None:
        position = self.get(location_code, sku)
        position.min_qty, position.max_qty = min_qty, max_qty
        if position.key in self._new:
            execute_many(self._conn, _INSERT_POSITION, [(location_code, sku, 0, 0, 0, 0, min_qty, max_qty)])
            self._new.discard(position.key)
        else:
            self._conn.execute(
                update(POSITIONS)
                .where(POSITIONS.c.location_code == location_code, POSITIONS.c.sku == sku)
                .values(min_qty=min_qty, max_qty=max_qty)
            )

    def movements_for(self, location_code: str, sku: str, limit: int = 1) -> list[Movement]:
        rows = fetch_all(
            self._conn,
            "SELECT kind, location_code, sku, at, actor, reference, reason, on_hand, reserved, in_transit_in, "
            "in_transit_out FROM stock_movement WHERE location_code = ? AND sku = ? ORDER BY id DESC LIMIT ?",
            (location_code, sku, limit),
        )
        return [
            Movement(MovementKind(r[0]), r[1], r[2], from_db_time(r[3]), r[4], r[5], r[6], r[7], r[8], r[9], r[10])
            for r in rows
        ]

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
        return [self._position(row) for row in fetch_all(self._conn, f"SELECT {_POSITION_COLUMNS} FROM stock_position")]

    def _allows_negative(self, location_code: str) -> bool:
        if self._negative_ok is None:
            rows = self._conn.execute(select(LOCATIONS.c.code, LOCATIONS.c.allow_negative_stock))
            self._negative_ok = {code: bool(flag) for code, flag in rows}
        return self._negative_ok.get(location_code, False)

    def _position(self, row) -> StockPosition:  # type: ignore[no-untyped-def]
        location_code, sku, on_hand, reserved, transit_in, transit_out, min_qty, max_qty = row[:8]
        return StockPosition(
            location_code, sku, on_hand, reserved, transit_in, transit_out, min_qty, max_qty,
            allow_negative=self._allows_negative(location_code),
        )


_POSITION_COLUMNS = "location_code, sku, on_hand, reserved, in_transit_in, in_transit_out, min_qty, max_qty"
_JOINED_POSITION_COLUMNS = ", ".join(f"p.{column}" for column in _POSITION_COLUMNS.split(", "))
_INSERT_POSITION = f"INSERT INTO stock_position ({_POSITION_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)"
_UPDATE_POSITION = (
    "UPDATE stock_position SET on_hand = ?, reserved = ?, in_transit_in = ?, in_transit_out = ? "
    "WHERE location_code = ? AND sku = ?"
)
_UPDATE_POSITION_BY_ROWID = (
    "UPDATE stock_position SET on_hand = ?, reserved = ?, in_transit_in = ?, in_transit_out = ? WHERE rowid = ?"
)
_INSERT_MOVEMENT = (
    "INSERT INTO stock_movement (at, location_code, sku, kind, on_hand, reserved, in_transit_in, in_transit_out, "
    "actor, reference, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
)



