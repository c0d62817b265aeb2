"""`python main.py import DIR`: load a previous system's CSV files.

Each file is checked completely before anything of it is written, and is
written in one transaction: a file with a bad row leaves no trace. Loading the
same files again finds everything already there and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from sqlalchemy import insert, select, update

from adapters.csvio.fields import BadValue, CsvFile, RowError, day, decimal, flag, text, whole_number
from adapters.csvio.sales_rows import read_receipts
from adapters.db.repositories import T
from adapters.db.unit_of_work import SqlUnitOfWork, UnitOfWorkFactory
from domain.barcodes import InvalidBarcode, parse_barcode
from domain.locations import LocationKind, WarehouseTier
from domain.membership import ConsentChange, ContactChannel, Member, PointsEntry, PointsKind
from domain.staff import Role, StaffMember
from domain.stock import Stamp, set_opening_balance

IMPORT_ORDER = ("locations", "products", "suppliers", "staff", "members", "stock", "sales")
IMPORT_ACTOR = "system:import"
TELEGRAM_ID_MAX = 2**53  # Telegram user ids fit in 52 bits


@dataclass(slots=True)
class FileOutcome:
    name: str
    status: str  # imported | rejected | absent
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        if self.status == "rejected":
            return f"{self.name}: rejected, nothing written ({len(self.errors)} error(s))"
        if self.status == "absent":
            return f"{self.name}: not present"
        return f"{self.name}: {self.added} added, {self.changed} changed, {self.unchanged} unchanged"


@dataclass(slots=True)
class _Batch:
    """What one file will write, gathered before the transaction starts."""

    source: CsvFile
    write: Callable[[SqlUnitOfWork], tuple[int, int, int]]


class Importer:
    def __init__(self, uow_factory: UnitOfWorkFactory, zone: tzinfo, clock: Callable[[], datetime]) -> None:
        self._uow = uow_factory
        self._zone = zone
        self._clock = clock

    def import_dir(self, directory: Path) -> list[FileOutcome]:
        outcomes = []
        for name in IMPORT_ORDER:
            path = directory / f"{name}.csv"
            if not path.exists():
                outcomes.append(FileOutcome(path.name, "absent"))
                continue
            outcomes.append(self.import_file(name, path))
        return outcomes

    def import_file(self, name: str, path: Path) -> FileOutcome:
        with self._uow(readonly=True) as uow:
            batch = getattr(self, f"_read_{name}")(path, uow)
        if batch.source.errors:
            return FileOutcome(path.name, "rejected", errors=batch.source.errors)
        with self._uow() as uow:
            added, changed, unchanged = batch.write(uow)
            uow.commit()
        return FileOutcome(path.name, "imported", added, changed, unchanged)

    # -- locations -----------------------------------------------------------------
    def _read_locations(self, path: Path, uow: SqlUnitOfWork) -> _Batch:
        source = CsvFile(path, ("code", "name", "kind", "region", "latitude", "longitude"), ("tier", "allow_negative_stock"))
        rows: dict[str, dict[str, object]] = {}
        for number, row in source.rows():
            try:
                code = text(row, "code", max_length=32)
                if code in rows:
                    raise BadValue("code", f"duplicate location {code}")
                kind = text(row, "kind")
                if kind not in {k.value for k in LocationKind}:
                    raise BadValue("kind", f"{kind!r} is not store or warehouse")
                tier = row.get("tier") or None
                if tier and tier not in {t.value for t in WarehouseTier}:
                    raise BadValue("tier", f"{tier!r} is not central, regional or front")
                rows[code] = {
                    "code": code,
                    "name": text(row, "name"),
                    "kind": kind,
                    "region": text(row, "region"),
                    "latitude": decimal(row, "latitude", minimum=None, lo=-90, hi=90),
                    "longitude": decimal(row, "longitude", minimum=None, lo=-180, hi=180),
                    "tier": tier if kind == LocationKind.WAREHOUSE else None,
                    "allow_negative_stock": flag(row, "allow_negative_stock"),
                }
            except BadValue as error:
                source.fail(number, error.column, str(error))
        return _Batch(source, lambda w: _upsert(w, "location", ("code",), rows.values()))

    # -- products ------------------------------------------------------------------
    def _read_products(self, path: Path, uow: SqlUnitOfWork) -> _Batch:
        source = CsvFile(
            path, ("sku", "name", "barcodes", "category", "brand", "unit_price", "unit_cost", "pack_size")
        )
        owners = uow.catalog.barcode_owners()
        products: dict[str, dict[str, object]] = {}
        barcodes: dict[str, dict[str, object]] = {}
        for number, row in source.rows():
            try:
                sku = text(row, "sku", max_length=64)
                if sku in products:
                    raise BadValue("sku", f"duplicate SKU {sku}")
                pack = whole_number(row, "pack_size", minimum=1)
                product = {
                    "sku": sku,
                    "name": text(row, "name"),
                    "category": text(row, "category"),
                    "brand": text(row, "brand", required=False),
                    "unit_price": decimal(row, "unit_price"),
                    "unit_cost": decimal(row, "unit_cost"),
                    "pack_size": pack,
                }
                codes = _parse_barcodes(row.get("barcodes", ""), sku, pack or 1, owners, barcodes)
                products[sku] = product
                barcodes.update(codes)
            except BadValue as error:
                source.fail(number, error.column, str(error))

        def write(w: SqlUnitOfWork) -> tuple[int, int, int]:
            counts = _upsert(w, "product", ("sku",), products.values())
            _upsert(w, "barcode", ("key",), barcodes.values())
            return counts

        return _Batch(source, write)

    # -- suppliers -----------------------------------------------------------------
    def _read_suppliers(self, path: Path, uow: SqlUnitOfWork) -> _Batch:
        source = CsvFile(
            path,
            ("supplier_code", "supplier_name", "sku", "unit_cost", "lead_time_days", "min_order_qty", "pack_size"),
            ("email", "direct_to_store"),
        )
        skus = uow.catalog.known_skus()
        suppliers: dict[str, dict[str, object]] = {}
        items: dict[tuple[str, str], dict[str, object]] = {}
        for number, row in source.rows():
            try:
                code = text(row, "supplier_code", max_length=32)
                sku = text(row, "sku")
                if sku not in skus:
                    raise BadValue("sku", f"unknown SKU {sku}")
                if (code, sku) in items:
                    raise BadValue("sku", f"duplicate supplier {code} for SKU {sku}")
                suppliers[code] = {"code": code, "name": text(row, "supplier_name"), "email": row.get("email") or None}
                items[(code, sku)] = {
                    "supplier_code": code,
                    "sku": sku,
                    "unit_cost": decimal(row, "unit_cost"),
                    "lead_time_days": whole_number(row, "lead_time_days", minimum=0),
                    "min_order_qty": whole_number(row, "min_order_qty", minimum=1),
                    "pack_size": whole_number(row, "pack_size", minimum=1),
                    "direct_to_store": flag(row, "direct_to_store"),
                }
            except BadValue as error:
                source.fail(number, error.column, str(error))

        def write(w: SqlUnitOfWork) -> tuple[int, int, int]:
            _upsert(w, "supplier", ("code",), suppliers.values())
            return _upsert(w, "supplier_item", ("supplier_code", "sku"), items.values())

        return _Batch(source, write)

    # -- staff ---------------------------------------------------------------------
    def _read_staff(self, path: Path, uow: SqlUnitOfWork) -> _Batch:
        source = CsvFile(path, ("telegram_user_id", "name", "role", "location_code"), ("phone", "email"))
        locations = uow.locations.codes()
        people: dict[int, StaffMember] = {}
        for number, row in source.rows():
            try:
                user_id = whole_number(row, "telegram_user_id", minimum=1, maximum=TELEGRAM_ID_MAX)
                role = text(row, "role")
                if role not in {r.value for r in Role}:
                    raise BadValue("role", f"{role!r} is not staff, manager or admin")
                location = text(row, "location_code")
                if location not in locations:
                    raise BadValue("location_code", f"unknown location {location}")
                person = people.get(user_id)
                if person is None:
                    people[user_id] = StaffMember(
                        user_id, text(row, "name"), Role(role), [location], row.get("phone") or None, row.get("email") or None
                    )
                elif location in person.locations or person.role.value != role:
                    raise BadValue("telegram_user_id", f"duplicate staff member {user_id}")
                else:
                    person.locations.append(location)
            except BadValue as error:
                source.fail(number, error.column, str(error))

        def write(w: SqlUnitOfWork) -> tuple[int, int, int]:
            added = changed = unchanged = 0
            for person in people.values():
                person.locations.sort()
                before = w.staff.get(person.telegram_user_id)
                if before == person:
                    unchanged += 1
                    continue
                w.staff.save(person)
                added, changed = (added + 1, changed) if before is None else (added, changed + 1)
            return added, changed, unchanged

        return _Batch(source, write)

    # -- members -------------------------------------------------------------------
    def _read_members(self, path: Path, uow: SqlUnitOfWork) -> _Batch:
        source = CsvFile(
            path,
            ("member_id", "name", "phone", "email", "telegram_user_id", "joined_on", "tier", "points"),
            ("consent_sms", "consent_email", "consent_chat"),
        )
        members: dict[str, tuple[Member, int]] = {}
        phones: set[str] = set()
        for number, row in source.rows():
            try:
                member_id = text(row, "member_id", max_length=64)
                if member_id in members:
                    raise BadValue("member_id", f"duplicate member {member_id}")
                phone = row.get("phone") or None
                if phone and phone in phones:
                    raise BadValue("phone", "phone number already belongs to another member")
                if phone:
                    phones.add(phone)
                consent = {
                    ContactChannel.SMS: flag(row, "consent_sms"),
                    ContactChannel.EMAIL: flag(row, "consent_email"),
                    ContactChannel.CHAT: flag(row, "consent_chat"),
                }
                member = Member(
                    member_id,
                    text(row, "name"),
                    phone,
                    row.get("email") or None,
                    whole_number(row, "telegram_user_id", minimum=1, maximum=TELEGRAM_ID_MAX, required=False),
                    day(row, "joined_on"),
                    row.get("tier", ""),
                    consent,
                )
                members[member_id] = (member, whole_number(row, "points", minimum=0) or 0)
            except BadValue as error:
                source.fail(number, error.column, str(error))

        def write(w: SqlUnitOfWork) -> tuple[int, int, int]:
            now = self._clock()
            balances = w.members.points_balances()
            before_all = w.members.all_by_id()
            changed_members: list[Member] = []
            consents: list[ConsentChange] = []
            entries: list[PointsEntry] = []
            for member, points in members.values():
                before = before_all.get(member.member_id)
                delta = points - balances.get(member.member_id, 0)
                if before != member:
                    changed_members.append(member)
                    consents.extend(
                        ConsentChange(member.member_id, channel, granted, now, "import")
                        for channel, granted in member.consent.items()
                        if before is None or before.consents_to(channel) != granted
                    )
                if delta:
                    entries.append(PointsEntry(member.member_id, now, PointsKind.OPENING, delta, "import:members"))
            w.members.save_many(changed_members, existing=set(before_all))
            w.members.record_consents(consents)
            w.members.add_points(entries)
            added = sum(1 for m in changed_members if m.member_id not in before_all)
            touched = {m.member_id for m in changed_members} | {e.member_id for e in entries}
            return added, len(touched) - added, len(members) - len(touched)

        return _Batch(source, write)

    # -- stock ---------------------------------------------------------------------
    def _read_stock(self, path: Path, uow: SqlUnitOfWork) -> _Batch:
        source = CsvFile(path, ("location_code", "sku", "on_hand"), ("min_qty", "max_qty"))
        locations, skus = uow.locations.codes(), uow.catalog.known_skus()
        rows: dict[tuple[str, str], tuple[int, int | None, int | None]] = {}
        for number, row in source.rows():
            try:
                location = text(row, "location_code")
                if location not in locations:
                    raise BadValue("location_code", f"unknown location {location}")
                sku = text(row, "sku")
                if sku not in skus:
                    raise BadValue("sku", f"unknown SKU {sku}")
                if (location, sku) in rows:
                    raise BadValue("sku", f"duplicate stock row for {location} {sku}")
                on_hand = whole_number(row, "on_hand", minimum=None)
                if on_hand is not None and on_hand < 0:
                    raise BadValue("on_hand", "negative stock")
                low = whole_number(row, "min_qty", required=False)
                high = whole_number(row, "max_qty", required=False)
                if low is not None and high is not None and low > high:
                    raise BadValue("max_qty", "is below min_qty")
                rows[(location, sku)] = (on_hand or 0, low, high)
            except BadValue as error:
                source.fail(number, error.column, str(error))

        def write(w: SqlUnitOfWork) -> tuple[int, int, int]:
            stamp = Stamp(self._clock(), IMPORT_ACTOR, f"import:{path.name}", "opening balance")
            positions = w.stock.get_many(rows.keys())
            added = changed = unchanged = 0
            for key, (on_hand, low, high) in rows.items():
                position = positions[key]
                is_new = w.stock.is_new(key)
                moved = set_opening_balance(position, on_hand, stamp)
                limits_changed = (position.min_qty, position.max_qty) != (low, high)
                if limits_changed:
                    w.stock.set_limits(key[0], key[1], low, high)
                if is_new and not (moved or limits_changed):
                    added += 1
                elif not (moved or limits_changed):
                    unchanged += 1
                elif is_new:
                    added += 1
                else:
                    changed += 1
            w.stock.keep_empty_positions(rows.keys())
            w.stock.save()
            return added, changed, unchanged

        return _Batch(source, write)

    # -- sales (history: does not move stock) -------------------------------------
    def _read_sales(self, path: Path, uow: SqlUnitOfWork) -> _Batch:
        receipts, source = read_receipts(path, self._zone)
        locations, skus = uow.locations.codes(), uow.catalog.known_skus()
        known_members = uow.members.known_ids()
        for receipt in receipts:
            if receipt.location_code not in locations:
                source.fail(0, "location_code", f"receipt {receipt.receipt_id}: unknown location {receipt.location_code}")
            for line in receipt.lines:
                if line.sku not in skus:
                    source.fail(0, "sku", f"receipt {receipt.receipt_id}: unknown SKU {line.sku}")
            if receipt.member_id and receipt.member_id not in known_members:
                source.fail(0, "member_id", f"receipt {receipt.receipt_id}: unknown member {receipt.member_id}")

        def write(w: SqlUnitOfWork) -> tuple[int, int, int]:
            existing = w.receipts.existing_ids(r.receipt_id for r in receipts)
            fresh = [r for r in receipts if r.receipt_id not in existing]
            w.receipts.add_many(fresh, moved_stock=False)
            return len(fresh), 0, len(existing)

        return _Batch(source, write)


def _parse_barcodes(
    cell: str, sku: str, pack: int, owners: dict[str, str], seen: dict[str, dict[str, object]]
) -> dict[str, dict[str, object]]:
    codes: dict[str, dict[str, object]] = {}
    for raw in filter(None, (part.strip() for part in cell.split("|"))):
        try:
            barcode = parse_barcode(raw)
        except InvalidBarcode as error:
            raise BadValue("barcodes", f"{raw}: {error}") from None
        owner = owners.get(barcode.key) or (seen[barcode.key]["sku"] if barcode.key in seen else None)
        if (owner and owner != sku) or barcode.key in codes:
            raise BadValue("barcodes", f"{raw} already belongs to {owner or sku}")
        units = pack if barcode.is_gtin and 1 <= barcode.packaging_indicator <= 8 else 1
        codes[barcode.key] = {"key": barcode.key, "sku": sku, "text": barcode.text, "symbology": barcode.symbology.value, "units": units}
    return codes


def _upsert(uow: SqlUnitOfWork, table_name: str, keys: tuple[str, ...], rows) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """Insert new rows, update differing ones, leave equal ones alone; returns the three counts."""
    table = T[table_name]
    rows = list(rows)
    existing = {
        tuple(getattr(row, k) for k in keys): row._asdict()
        for row in uow.connection.execute(select(table))
    }
    new, changed, unchanged = [], [], 0
    for row in rows:
        key = tuple(row[k] for k in keys)
        before = existing.get(key)
        if before is None:
            new.append(row)
        elif any(before.get(column) != value for column, value in row.items()):
            changed.append(row)
        else:
            unchanged += 1
    if new:
        uow.connection.execute(insert(table), new)
    for row in changed:
        condition = [table.c[k] == row[k] for k in keys]
        uow.connection.execute(update(table).where(*condition).values(**row))
    return len(new), len(changed), unchanged
