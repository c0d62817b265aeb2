"""Repositories for everything but the stock ledger: rows in, domain objects out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from adapters.db.bulk import db_time, db_time_writer, driver_sql, execute_many, fetch_all, placeholders
from adapters.db.tables import (
    BarcodeRow,
    ConsentEventRow,
    CountLineRow,
    CountSessionRow,
    LocationRow,
    MemberRow,
    PointsEntryRow,
    ProcessedKeyRow,
    ProductRow,
    ReceiptLineRow,
    ReceiptRow,
    StaffLocationRow,
    StaffRow,
    StockPositionRow,
    SupplierItemRow,
    SupplierRow,
    TransferEventRow,
    TransferRow,
)
from adapters.db.timeutil import from_db_time
from domain.barcodes import Barcode, Symbology
from domain.catalog import Product, SupplierTerms
from domain.counts import CountLine, CountSession, CountState
from domain.locations import Location, LocationKind, WarehouseTier
from domain.membership import ConsentChange, ContactChannel, Member, PointsEntry
from domain.sales import Receipt
from domain.staff import Role, StaffMember
from domain.transfers import TransferRequest, TransferState

T = {
    name: row.__table__
    for name, row in {
        "location": LocationRow,
        "product": ProductRow,
        "barcode": BarcodeRow,
        "supplier": SupplierRow,
        "supplier_item": SupplierItemRow,
        "receipt": ReceiptRow,
        "receipt_line": ReceiptLineRow,
        "member": MemberRow,
        "points": PointsEntryRow,
        "consent": ConsentEventRow,
        "staff": StaffRow,
        "staff_location": StaffLocationRow,
        "transfer": TransferRow,
        "transfer_event": TransferEventRow,
        "count": CountSessionRow,
        "count_line": CountLineRow,
        "processed": ProcessedKeyRow,
    }.items()
}
CHUNK = 2000


def _chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class LocationRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def all(self) -> list[Location]:
        return [_location(row) for row in fetch_all(self._conn, f"SELECT {_LOCATION_COLUMNS} FROM location ORDER BY code")]

    def get(self, code: str) -> Location | None:
        rows = fetch_all(self._conn, f"SELECT {_LOCATION_COLUMNS} FROM location WHERE code = ?", (code,))
        return _location(rows[0]) if rows else None

    def by_chat(self, chat_id: int) -> Location | None:
        rows = fetch_all(self._conn, f"SELECT {_LOCATION_COLUMNS} FROM location WHERE chat_id = ?", (chat_id,))
        return _location(rows[0]) if rows else None

    def codes(self) -> set[str]:
        return set(self._conn.execute(select(T["location"].c.code)).scalars())

    def link_chat(self, code: str, chat_id: int) -> None:
        table = T["location"]
        self._conn.execute(update(table).where(table.c.chat_id == chat_id).values(chat_id=None))
        self._conn.execute(update(table).where(table.c.code == code).values(chat_id=chat_id))


# Lookups run on every chat message, so they read through the driver (see adapters/db/bulk.py).
_LOCATION_COLUMNS = "code, name, kind, region, latitude, longitude, tier, allow_negative_stock, chat_id"


def _location(row) -> Location:  # type: ignore[no-untyped-def]
    code, name, kind, region, latitude, longitude, tier, allow_negative, chat_id = row
    return Location(
        code, name, LocationKind(kind), region, latitude, longitude,
        WarehouseTier(tier) if tier else None, bool(allow_negative), chat_id,
    )


class CatalogRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def get(self, sku: str) -> Product | None:
        rows = fetch_all(
            self._conn, "SELECT sku, name, category, brand, unit_price, unit_cost, pack_size FROM product WHERE sku = ?", (sku,)
        )
        if not rows:
            return None
        product = Product(*rows[0])
        for text, symbology, key in fetch_all(
            self._conn, "SELECT text, symbology, key FROM barcode WHERE sku = ? ORDER BY key", (sku,)
        ):
            product.barcodes.append(Barcode(text, Symbology(symbology), key))
        return product

    def known_skus(self, skus: Iterable[str] | None = None) -> set[str]:
        if skus is None:
            return {row[0] for row in fetch_all(self._conn, "SELECT sku FROM product")}
        found: set[str] = set()
        for chunk in _chunks(sorted(set(skus))):
            sql = f"SELECT sku FROM product WHERE sku IN ({placeholders(len(chunk))})"
            found.update(row[0] for row in fetch_all(self._conn, sql, tuple(chunk)))
        return found

    def by_barcode_keys(self, keys: Iterable[str]) -> list[tuple[Product, int]]:
        """Products behind any of `keys`, with how many units that code stands for."""
        barcode = T["barcode"]
        rows = self._conn.execute(
            select(T["product"], barcode.c.units)
            .join(barcode, barcode.c.sku == T["product"].c.sku)
            .where(barcode.c.key.in_(list(keys)))
        ).all()
        return [(_product(row), row.units) for row in rows]

    def carried_at(self, location_code: str, category: str | None = None) -> list[Product]:
        """Products with a stock position at the location (what a count there covers), by category and name."""
        product, position = T["product"], StockPositionRow.__table__
        query = (
            select(product)
            .join(position, position.c.sku == product.c.sku)
            .where(position.c.location_code == location_code)
            .order_by(product.c.category, product.c.name, product.c.sku)
        )
        if category is not None:
            query = query.where(product.c.category == category)
        return [_product(row) for row in self._conn.execute(query)]

    def all(self, *, with_barcodes: bool = True) -> list[Product]:
        rows = self._conn.execute(select(T["product"]).order_by(T["product"].c.sku)).all()
        products = [_product(row) for row in rows]
        return self._with_barcodes(products) if with_barcodes else products

    def fingerprint(self) -> tuple:
        """Changes whenever products are added, removed or renamed (cheap enough to poll)."""
        row = fetch_all(self._conn, "SELECT count(*), max(sku), sum(length(name)) FROM product")[0]
        return tuple(row)

    def reorder_points(self, sku: str) -> dict[str, float]:
        """Where the replenishment engine has set one: each location's reorder point for `sku`."""
        rows = fetch_all(
            self._conn, "SELECT location_code, reorder_point FROM stock_position WHERE sku = ? AND reorder_point IS NOT NULL", (sku,)
        )
        return {code: float(point) for code, point in rows}

    def barcode_owners(self) -> dict[str, str]:
        return dict(self._conn.execute(select(T["barcode"].c.key, T["barcode"].c.sku)).all())

    def suppliers_for(self, sku: str) -> list[SupplierTerms]:
        item, supplier = T["supplier_item"], T["supplier"]
        rows = self._conn.execute(
            select(item, supplier.c.name, supplier.c.email)
            .join(supplier, supplier.c.code == item.c.supplier_code)
            .where(item.c.sku == sku)
        ).all()
        return [_terms(row) for row in rows]

    def all_supplier_terms(self) -> list[SupplierTerms]:
        item, supplier = T["supplier_item"], T["supplier"]
        rows = self._conn.execute(
            select(item, supplier.c.name, supplier.c.email).join(supplier, supplier.c.code == item.c.supplier_code)
        ).all()
        return [_terms(row) for row in rows]

    def _with_barcodes(self, products: list[Product]) -> list[Product]:
        by_sku = {p.sku: p for p in products}
        barcode = T["barcode"]
        for chunk in _chunks(sorted(by_sku)):
            for row in self._conn.execute(select(barcode).where(barcode.c.sku.in_(chunk)).order_by(barcode.c.key)):
                by_sku[row.sku].barcodes.append(Barcode(row.text, Symbology(row.symbology), row.key))
        return products


def _product(row) -> Product:  # type: ignore[no-untyped-def]
    return Product(row.sku, row.name, row.category, row.brand, row.unit_price, row.unit_cost, row.pack_size)


def _terms(row) -> SupplierTerms:  # type: ignore[no-untyped-def]
    return SupplierTerms(
        row.supplier_code, row.name, row.sku, row.unit_cost, row.lead_time_days, row.min_order_qty, row.pack_size, row.email,
        bool(row.direct_to_store),
    )


class ReceiptRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def existing_ids(self, receipt_ids: Iterable[str]) -> set[str]:
        wanted = sorted(set(receipt_ids))
        found: set[str] = set()
        for chunk in _chunks(wanted):
            sql = f"SELECT receipt_id FROM receipt WHERE receipt_id IN ({placeholders(len(chunk))})"
            found.update(row[0] for row in fetch_all(self._conn, sql, tuple(chunk)))
        return found

    def add_many(self, receipts: Sequence[Receipt], *, moved_stock: bool) -> None:
        to_db = db_time_writer(self._conn)
        execute_many(
            self._conn,
            "INSERT INTO receipt (receipt_id, location_code, at, member_id, channel, coupon_code, total, moved_stock) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [
                (r.receipt_id, r.location_code, to_db(r.at), r.member_id, r.channel.value,
                 r.coupon_code, r.total, moved_stock)
                for r in receipts
            ],
        )
        execute_many(
            self._conn,
            "INSERT INTO receipt_line (receipt_id, line_no, sku, qty, unit_price, promo) VALUES (?,?,?,?,?,?)",
            [
                (r.receipt_id, n, line.sku, line.qty, line.unit_price, line.promo)
                for r in receipts
                for n, line in enumerate(r.lines, start=1)
            ],
        )

    def units_sold_by_location(self, sku: str, since: datetime, until: datetime) -> dict[str, int]:
        """Units of `sku` each location sold in [since, until), from receipt lines."""
        rows = fetch_all(
            self._conn,
            "SELECT r.location_code, SUM(l.qty) FROM receipt_line l JOIN receipt r ON r.receipt_id = l.receipt_id "
            "WHERE l.sku = ? AND r.at >= ? AND r.at < ? GROUP BY r.location_code",
            (sku, db_time(self._conn, since), db_time(self._conn, until)),
        )
        return {code: int(units or 0) for code, units in rows}


class StaffRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def get(self, telegram_user_id: int) -> StaffMember | None:
        rows = fetch_all(
            self._conn,
            "SELECT s.name, s.role, s.phone, s.email, s.active, l.location_code FROM staff s "
            "LEFT JOIN staff_location l ON l.telegram_user_id = s.telegram_user_id "
            "WHERE s.telegram_user_id = ? ORDER BY l.location_code",
            (telegram_user_id,),
        )
        if not rows:
            return None
        name, role, phone, email, active, _ = rows[0]
        locations = [row[5] for row in rows if row[5] is not None]
        return StaffMember(telegram_user_id, name, Role(role), locations, phone, email, bool(active))

    def all(self) -> list[StaffMember]:
        return [self._member(row) for row in self._conn.execute(select(T["staff"]).order_by(T["staff"].c.telegram_user_id))]

    def managers_of(self, location_code: str) -> list[StaffMember]:
        return [s for s in self.all() if s.active and s.role is Role.MANAGER and location_code in s.locations]

    def save(self, member: StaffMember) -> None:
        staff, links = T["staff"], T["staff_location"]
        values = {
            "name": member.name,
            "role": member.role.value,
            "phone": member.phone,
            "email": member.email,
            "active": member.active,
        }
        if self._conn.execute(select(staff.c.telegram_user_id).where(staff.c.telegram_user_id == member.telegram_user_id)).first():
            self._conn.execute(update(staff).where(staff.c.telegram_user_id == member.telegram_user_id).values(**values))
        else:
            self._conn.execute(insert(staff).values(telegram_user_id=member.telegram_user_id, **values))
        self._conn.execute(delete(links).where(links.c.telegram_user_id == member.telegram_user_id))
        if member.locations:
            self._conn.execute(
                insert(links), [{"telegram_user_id": member.telegram_user_id, "location_code": c} for c in member.locations]
            )

    def _member(self, row) -> StaffMember:  # type: ignore[no-untyped-def]
        links = T["staff_location"]
        codes = self._conn.execute(
            select(links.c.location_code).where(links.c.telegram_user_id == row.telegram_user_id).order_by(links.c.location_code)
        ).scalars()
        return StaffMember(row.telegram_user_id, row.name, Role(row.role), list(codes), row.phone, row.email, row.active)


class MemberRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def get(self, member_id: str) -> Member | None:
        row = self._conn.execute(select(T["member"]).where(T["member"].c.member_id == member_id)).first()
        return _member(row) if row else None

    def by_phone(self, phone: str) -> Member | None:
        row = self._conn.execute(select(T["member"]).where(T["member"].c.phone == phone)).first()
        return _member(row) if row else None

    def by_telegram(self, telegram_user_id: int) -> Member | None:
        row = self._conn.execute(select(T["member"]).where(T["member"].c.telegram_user_id == telegram_user_id)).first()
        return _member(row) if row else None

    def known_ids(self) -> set[str]:
        return set(self._conn.execute(select(T["member"].c.member_id)).scalars())

    def with_telegram(self, limit: int) -> list[Member]:
        table = T["member"]
        rows = self._conn.execute(
            select(table).where(table.c.telegram_user_id.is_not(None)).order_by(table.c.member_id).limit(limit)
        )
        return [_member(row) for row in rows]

    def save(self, member: Member) -> None:
        self.save_many([member], existing={member.member_id} if self.get(member.member_id) else set())

    def all_by_id(self) -> dict[str, Member]:
        return {row.member_id: _member(row) for row in self._conn.execute(select(T["member"]))}

    def save_many(self, members: Sequence[Member], existing: set[str]) -> None:
        """Insert the new members and update the ones in `existing`, in two batches."""
        columns = ("name", "phone", "email", "telegram_user_id", "joined_on", "tier",
                   "consent_sms", "consent_email", "consent_chat", "language", "member_id")
        rows = [
            (m.name, m.phone, m.email, m.telegram_user_id, m.joined_on, m.tier,
             m.consents_to(ContactChannel.SMS), m.consents_to(ContactChannel.EMAIL),
             m.consents_to(ContactChannel.CHAT), m.language, m.member_id)
            for m in members
        ]
        execute_many(
            self._conn,
            f"INSERT INTO member ({', '.join(columns)}) VALUES ({placeholders(len(columns))})",
            [r for r in rows if r[-1] not in existing],
        )
        execute_many(
            self._conn,
            "UPDATE member SET " + ", ".join(f"{c} = ?" for c in columns[:-1]) + " WHERE member_id = ?",
            [r for r in rows if r[-1] in existing],
        )

    def record_consent(self, change: ConsentChange) -> None:
        self.record_consents([change])

    def record_consents(self, changes: Sequence[ConsentChange]) -> None:
        execute_many(
            self._conn,
            "INSERT INTO consent_event (member_id, channel, granted, at, source) VALUES (?,?,?,?,?)",
            [(c.member_id, c.channel.value, c.granted, db_time(self._conn, c.at), c.source) for c in changes],
        )

    def add_points(self, entries: Sequence[PointsEntry]) -> None:
        if entries:
            self._conn.execute(
                insert(T["points"]),
                [
                    {
                        "member_id": e.member_id,
                        "at": e.at,
                        "kind": e.kind.value,
                        "points": e.points,
                        "reference": e.reference,
                        "expires_on": e.expires_on,
                    }
                    for e in entries
                ],
            )

    def points_balances(self) -> dict[str, int]:
        table = T["points"]

        rows = self._conn.execute(select(table.c.member_id, func.sum(table.c.points)).group_by(table.c.member_id))
        return {member_id: int(total or 0) for member_id, total in rows}


def _member(row) -> Member:  # type: ignore[no-untyped-def]
    return Member(
        row.member_id,
        row.name,
        row.phone,
        row.email,
        row.telegram_user_id,
        row.joined_on,
        row.tier,
        {
            ContactChannel.SMS: row.consent_sms,
            ContactChannel.EMAIL: row.consent_email,
            ContactChannel.CHAT: row.consent_chat,
        },
        row.language,
    )


class TransferRepository:
    def __init__(self, connection: Connection, *, lock_rows: bool) -> None:
        self._conn = connection
        self._lock_rows = lock_rows

    def add(self, transfer: TransferRequest) -> TransferRequest:
        result = self._conn.execute(insert(T["transfer"]).values(**_transfer_values(transfer)))
        transfer.id = int(result.inserted_primary_key[0])
        self._write_events(transfer)
        return transfer

    def get(self, transfer_id: int) -> TransferRequest | None:
        query = select(T["transfer"]).where(T["transfer"].c.id == transfer_id)
        if self._lock_rows:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return _transfer(row) if row else None

    def save(self, transfer: TransferRequest) -> None:
        table = T["transfer"]
        self._conn.execute(update(table).where(table.c.id == transfer.id).values(**_transfer_values(transfer)))
        self._write_events(transfer)

    def remember_message(self, transfer_id: int, chat_id: int, message_id: int, lang: str) -> None:
        """A chat message that shows this transfer with buttons; `take_messages` hands it over once."""
        execute_many(
            self._conn,
            "INSERT INTO transfer_message (transfer_id, chat_id, message_id, lang) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [(transfer_id, chat_id, message_id, lang)],
        )

    def take_messages(self, transfer_id: int) -> list[tuple[int, int, str]]:
        """The remembered messages of a transfer, forgotten as they are handed over: (chat, message, language)."""
        rows = fetch_all(
            self._conn,
            "SELECT chat_id, message_id, lang FROM transfer_message WHERE transfer_id = ? ORDER BY chat_id, message_id",
            (transfer_id,),
        )
        execute_many(self._conn, "DELETE FROM transfer_message WHERE transfer_id = ?", [(transfer_id,)])
        return [(int(chat), int(message), lang) for chat, message, lang in rows]

    def open_for(self, location_code: str | None = None) -> list[TransferRequest]:
        table = T["transfer"]
        query = select(table).where(table.c.state.in_([s.value for s in TransferState if s in _OPEN]))
        if location_code:
            query = query.where((table.c.from_code == location_code) | (table.c.to_code == location_code))
        return [_transfer(row) for row in self._conn.execute(query.order_by(table.c.id))]

    def _write_events(self, transfer: TransferRequest) -> None:
        if transfer.events:
            self._conn.execute(
                insert(T["transfer_event"]),
                [
                    {"transfer_id": transfer.id, "state": e.state.value, "at": e.at, "actor": e.actor, "note": e.note}
                    for e in transfer.events
                ],
            )
            transfer.events.clear()


_OPEN = {TransferState.REQUESTED, TransferState.APPROVED, TransferState.SHIPPED, TransferState.PARTIALLY_RECEIVED}


def _transfer_values(t: TransferRequest) -> dict[str, object]:
    return {
        "sku": t.sku,
        "qty": t.qty,
        "from_code": t.from_code,
        "to_code": t.to_code,
        "state": t.state.value,
        "requested_by": t.requested_by,
        "approved_by": t.approved_by,
        "shipped_qty": t.shipped_qty,
        "received_qty": t.received_qty,
        "discrepancy": t.discrepancy,
        "note": t.note,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    }


def _transfer(row) -> TransferRequest:  # type: ignore[no-untyped-def]
    return TransferRequest(
        id=row.id,
        sku=row.sku,
        qty=row.qty,
        from_code=row.from_code,
        to_code=row.to_code,
        requested_by=row.requested_by,
        created_at=row.created_at,
        state=TransferState(row.state),
        approved_by=row.approved_by,
        shipped_qty=row.shipped_qty,
        received_qty=row.received_qty,
        discrepancy=row.discrepancy,
        note=row.note,
        updated_at=row.updated_at,
    )


class CountRepository:
    def __init__(self, connection: Connection, *, lock_rows: bool) -> None:
        self._conn = connection
        self._lock_rows = lock_rows

    def add(self, session: CountSession) -> CountSession:
        table = T["count"]
        result = self._conn.execute(insert(table).values(**_count_values(session)))
        session.id = int(result.inserted_primary_key[0])
        return session

    def get(self, session_id: int) -> CountSession | None:
        query = select(T["count"]).where(T["count"].c.id == session_id)
        if self._lock_rows:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return self._session(row) if row else None

    def active_at(self, location_code: str) -> CountSession | None:
        table = T["count"]
        row = self._conn.execute(
            select(table)
            .where(table.c.location_code == location_code, table.c.state.in_([CountState.OPEN.value, CountState.RECOUNT.value]))
            .order_by(table.c.id.desc())
        ).first()
        return self._session(row) if row else None

    def awaiting_approval(self, location_codes: Iterable[str] | None = None) -> list[CountSession]:
        table = T["count"]
        query = select(table).where(table.c.state == CountState.SUBMITTED.value)
        if location_codes is not None:
            query = query.where(table.c.location_code.in_(list(location_codes)))
        return [self._session(row) for row in self._conn.execute(query.order_by(table.c.id))]

    def save(self, session: CountSession) -> None:
        table, lines = T["count"], T["count_line"]
        self._conn.execute(update(table).where(table.c.id == session.id).values(**_count_values(session)))
        self._conn.execute(delete(lines).where(lines.c.session_id == session.id))
        if session.lines:
            self._conn.execute(
                insert(lines),
                [
                    {
                        "session_id": session.id,
                        "sku": line.sku,
                        "counted": line.counted,
                        "book_at_count": line.book_at_count,
                        "counted_at": line.counted_at,
                        "counted_by": line.counted_by,
                        "unit_cost": line.unit_cost,
                    }
                    for line in session.lines.values()
                ],
            )

    def _session(self, row) -> CountSession:  # type: ignore[no-untyped-def]
        lines = T["count_line"]
        session = CountSession(
            id=row.id,
            location_code=row.location_code,
            opened_by=row.opened_by,
            opened_at=row.opened_at,
            category=row.category,
            state=CountState(row.state),
            recounts=row.recounts,
            approved_by=row.approved_by,
        )
        for line in self._conn.execute(select(lines).where(lines.c.session_id == row.id)):
            session.lines[line.sku] = CountLine(
                line.sku, line.counted, line.book_at_count, line.counted_at, line.counted_by, line.unit_cost
            )
        return session


def _count_values(s: CountSession) -> dict[str, object]:
    return {
        "location_code": s.location_code,
        "category": s.category,
        "state": s.state.value,
        "opened_by": s.opened_by,
        "opened_at": s.opened_at,
        "recounts": s.recounts,
        "approved_by": s.approved_by,
    }


class ProcessedKeys:
    """Remembers what was already handled, so a replay has one effect."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def claim(self, scope: str, key: str, at: datetime) -> bool:
        """Record the key; False when it was there already (one statement, no race window)."""
        sql = "INSERT INTO processed_key (scope, key, at) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO NOTHING"
        result = self._conn.exec_driver_sql(driver_sql(self._conn, sql), (scope, key, db_time(self._conn, at)))
        return result.rowcount == 1


class ChatSettings:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def language(self, chat_id: int) -> str | None:
        row = fetch_all(self._conn, "SELECT language FROM chat_setting WHERE chat_id = ?", (chat_id,))
        return row[0][0] if row else None

    def languages(self) -> dict[int, str]:
        return {int(chat): lang for chat, lang in fetch_all(self._conn, "SELECT chat_id, language FROM chat_setting") if lang}

    def set_language(self, chat_id: int, language: str) -> None:
        if fetch_all(self._conn, "SELECT chat_id FROM chat_setting WHERE chat_id = ?", (chat_id,)):
            execute_many(self._conn, "UPDATE chat_setting SET language = ? WHERE chat_id = ?", [(language, chat_id)])
        else:
            execute_many(self._conn, "INSERT INTO chat_setting (chat_id, language) VALUES (?, ?)", [(chat_id, language)])


@dataclass(slots=True, frozen=True)
class UserAction:
    id: int
    telegram_user_id: int
    kind: str
    reference: str
    payload: str
    at: datetime


class UserActions:
    """A short memory of what each person did, for /undo."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def record(self, telegram_user_id: int, kind: str, reference: str, payload: str, at: datetime) -> None:
        execute_many(
            self._conn,
            "INSERT INTO user_action (telegram_user_id, kind, reference, payload, at, undone) VALUES (?,?,?,?,?,?)",
            [(telegram_user_id, kind, reference, payload, db_time(self._conn, at), False)],
        )

    def latest(self, telegram_user_id: int) -> UserAction | None:
        rows = fetch_all(
            self._conn,
            "SELECT id, telegram_user_id, kind, reference, payload, at FROM user_action "
            "WHERE telegram_user_id = ? AND undone = ? ORDER BY id DESC LIMIT 1",
            (telegram_user_id, False),
        )
        if not rows:
            return None
        row = rows[0]
        return UserAction(row[0], row[1], row[2], row[3], row[4], from_db_time(row[5]))

    def mark_undone(self, action_id: int) -> None:
        execute_many(self._conn, "UPDATE user_action SET undone = ? WHERE id = ?", [(True, action_id)])

