"""An in-memory unit of work for domain service tests: the repositories services use, in dicts.

Each fake repository offers the methods of its SQL twin that services call;
extend them here (with the same names and meanings) when a service needs more.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from domain.catalog import Product
from domain.counts import CountSession, CountState
from domain.locations import Location
from domain.services.replenishment import PlanLine, PurchaseOrder
from domain.staff import Role, StaffMember
from domain.stock import Movement, StockPosition
from domain.transfers import OPEN_STATES, TransferRequest

Key = tuple[str, str]


class FakeLocations:
    def __init__(self, locations: Iterable[Location] = ()) -> None:
        self.by_code = {loc.code: loc for loc in locations}

    def all(self) -> list[Location]:
        return [self.by_code[code] for code in sorted(self.by_code)]

    def get(self, code: str) -> Location | None:
        return self.by_code.get(code)

    def by_chat(self, chat_id: int) -> Location | None:
        return next((loc for loc in self.by_code.values() if loc.chat_id == chat_id), None)


class FakeCatalog:
    def __init__(self, products: Iterable[Product] = ()) -> None:
        self.by_sku = {p.sku: p for p in products}
        self.reorder: dict[str, dict[str, float]] = {}  # sku -> location -> reorder point
        self.barcodes: dict[str, tuple[str, int]] = {}  # barcode key -> (sku, units it stands for)
        self.positions: dict[Key, StockPosition] = {}  # the unit of work's stock, for carried_at

    def get(self, sku: str) -> Product | None:
        return self.by_sku.get(sku)

    def by_barcode_keys(self, keys: Iterable[str]) -> list[tuple[Product, int]]:
        found = [self.barcodes[key] for key in keys if key in self.barcodes]
        return [(self.by_sku[sku], units) for sku, units in found]

    def carried_at(self, location_code: str, category: str | None = None) -> list[Product]:
        products = [self.by_sku[sku] for loc, sku in self.positions if loc == location_code and sku in self.by_sku]
        chosen = [p for p in products if category is None or p.category == category]
        return sorted(chosen, key=lambda p: (p.category, p.name, p.sku))

    def reorder_points(self, sku: str) -> dict[str, float]:
        return dict(self.reorder.get(sku, {}))


class FakeStock:
    """Positions by (location, sku); committed movements collect in `ledger`."""

    def __init__(self, positions: Iterable[StockPosition] = ()) -> None:
        self.positions = {p.key: p for p in positions}
        self.ledger: list[Movement] = []

    def get_many(self, keys: Iterable[Key]) -> dict[Key, StockPosition]:
        for key in keys:
            self.positions.setdefault(key, StockPosition(key[0], key[1]))
        return {key: self.positions[key] for key in keys}

    def get(self, location_code: str, sku: str) -> StockPosition:
        return self.get_many([(location_code, sku)])[(location_code, sku)]

    def for_sku(self, sku: str) -> list[StockPosition]:
        return [p for p in self.positions.values() if p.sku == sku]

    def at_locations(self, sku: str, codes: Iterable[str]) -> list[StockPosition]:
        return [self.positions[(code, sku)] for code in codes if (code, sku) in self.positions]

    def available_by_location(self, sku: str) -> dict[str, int]:
        return {p.location_code: p.available for p in self.for_sku(sku) if p.available > 0}

    def movements_for(self, location_code: str, sku: str, limit: int = 1) -> list[Movement]:
        mine = [m for m in reversed(self.ledger) if (m.location_code, m.sku) == (location_code, sku)]
        return mine[:limit]

    def all_positions(self) -> list[StockPosition]:
        return list(self.positions.values())

    def save(self) -> None:
        for position in self.positions.values():
            self.ledger.extend(position.pending)
            position.pending.clear()


class FakeReceipts:
    def __init__(self) -> None:
        self.sales: list[tuple[str, str, int, datetime]] = []  # (location, sku, qty, at)

    def units_sold_by_location(self, sku: str, since: datetime, until: datetime) -> dict[str, int]:
        sold: dict[str, int] = {}
        for location, item, qty, at in self.sales:
            if item == sku and since <= at < until:
                sold[location] = sold.get(location, 0) + qty
        return sold


class FakeStaff:
    def __init__(self, people: Iterable[StaffMember] = ()) -> None:
        self.by_id = {p.telegram_user_id: p for p in people}

    def get(self, telegram_user_id: int) -> StaffMember | None:
        return self.by_id.get(telegram_user_id)

    def all(self) -> list[StaffMember]:
        return [self.by_id[key] for key in sorted(self.by_id)]

    def managers_of(self, location_code: str) -> list[StaffMember]:
        return [s for s in self.all() if s.active and s.role is Role.MANAGER and location_code in s.locations]

    def save(self, member: StaffMember) -> None:
        self.by_id[member.telegram_user_id] = member


class FakeTransfers:
    """Stores copies, like a database would: a service sees only what it saved."""

    def __init__(self) -> None:
        self.rows: dict[int, TransferRequest] = {}
        self.events: list = []

    def add(self, transfer: TransferRequest) -> TransferRequest:
        transfer.id = len(self.rows) + 1
        self.save(transfer)
        return transfer

    def get(self, transfer_id: int) -> TransferRequest | None:
        row = self.rows.get(transfer_id)
        return copy.deepcopy(row) if row else None

    def save(self, transfer: TransferRequest) -> None:
        self.events.extend(transfer.events)
        transfer.events.clear()
        self.rows[transfer.id] = copy.deepcopy(transfer)

    def open_for(self, location_code: str | None = None) -> list[TransferRequest]:
        return [
            copy.deepcopy(t)
            for t in self.rows.values()
            if t.state in OPEN_STATES and location_code in (None, t.from_code, t.to_code)
        ]


class FakeCounts:
    """Count sessions stored as copies, like a database would."""

    def __init__(self) -> None:
        self.rows: dict[int, CountSession] = {}

    def add(self, session: CountSession) -> CountSession:
        session.id = len(self.rows) + 1
        self.save(session)
        return session

    def get(self, session_id: int) -> CountSession | None:
        row = self.rows.get(session_id)
        return copy.deepcopy(row) if row else None

    def active_at(self, location_code: str) -> CountSession | None:
        active = [s for s in self.rows.values() if s.location_code == location_code and s.state in (CountState.OPEN, CountState.RECOUNT)]
        return copy.deepcopy(max(active, key=lambda s: s.id)) if active else None

    def awaiting_approval(self, location_codes: Iterable[str] | None = None) -> list[CountSession]:
        wanted = None if location_codes is None else set(location_codes)
        return [
            copy.deepcopy(s)
            for _, s in sorted(self.rows.items())
            if s.state is CountState.SUBMITTED and (wanted is None or s.location_code in wanted)
        ]

    def save(self, session: CountSession) -> None:
        self.rows[session.id] = copy.deepcopy(session)


@dataclass(slots=True, frozen=True)
class FakeAction:
    id: int
    telegram_user_id: int
    kind: str
    reference: str
    payload: str
    at: datetime


class FakeActions:
    def __init__(self) -> None:
        self.rows: list[FakeAction] = []
        self.undone: set[int] = set()

    def record(self, telegram_user_id: int, kind: str, reference: str, payload: str, at: datetime) -> None:
        self.rows.append(FakeAction(len(self.rows) + 1, telegram_user_id, kind, reference, payload, at))

    def latest(self, telegram_user_id: int) -> FakeAction | None:
        mine = [a for a in self.rows if a.telegram_user_id == telegram_user_id and a.id not in self.undone]
        return mine[-1] if mine else None

    def mark_undone(self, action_id: int) -> None:
        self.undone.add(action_id)


class FakeProcessed:
    def __init__(self) -> None:
        self.keys: set[tuple[str, str]] = set()

    def seen(self, scope: str, key: str) -> bool:
        return (scope, key) in self.keys

    def remember(self, scope: str, key: str, at: datetime) -> None:
        self.keys.add((scope, key))


class FakeReplenishment:
    """Plans, their lines and purchase orders (the replenishment repository's methods services call)."""

    def __init__(self, offers: dict[tuple[str, str], float] | None = None) -> None:
        self.plans: dict[date, int] = {}
        self.stored_lines: dict[int, PlanLine] = {}
        self.orders: list[PurchaseOrder] = []
        self.offers = offers or {}  # (supplier, sku) -> unit cost
        self.reorder_points: dict[Key, float] = {}

    def plan_id(self, plan_date: date) -> int | None:
        return self.plans.get(plan_date)

    def latest_plan_id(self, on_or_before: date) -> int | None:
        days = [day for day in self.plans if day <= on_or_before]
        return self.plans[max(days)] if days else None

    def add_plan(self, plan_date: date, now: datetime) -> int:
        self.plans[plan_date] = len(self.plans) + 1
        return self.plans[plan_date]

    def has_decisions(self, plan_id: int) -> bool:
        return any(line.decided_by for line in self.stored_lines.values() if line.plan_id == plan_id)

    def delete_lines(self, plan_id: int) -> None:
        self.stored_lines = {k: v for k, v in self.stored_lines.items() if v.plan_id != plan_id}

    def add_lines(self, plan_id: int, lines: Iterable[dict]) -> None:
        fields = set(PlanLine.__dataclass_fields__) - {"id", "plan_id"}
        for line in lines:
            line_id = max(self.stored_lines, default=0) + 1
            self.stored_lines[line_id] = PlanLine(id=line_id, plan_id=plan_id, **{k: v for k, v in line.items() if k in fields})

    def lines(self, plan_id: int, location_codes: Iterable[str] | None = None, *, lock: bool = False) -> list[PlanLine]:
        codes = None if location_codes is None else set(location_codes)
        chosen = [
            line for line in self.stored_lines.values()
            if line.plan_id == plan_id and (codes is None or line.location_code in codes)
        ]  # fmt: skip
        return [copy.deepcopy(line) for line in sorted(chosen, key=lambda x: (x.location_code, x.sku, x.source_kind))]

    def line(self, line_id: int, *, lock: bool = False) -> PlanLine | None:
        return copy.deepcopy(self.stored_lines.get(line_id))

    def save_line(self, line: PlanLine) -> None:
        self.stored_lines[line.id] = copy.deepcopy(line)

    def offer_costs(self, supplier_code: str, skus: Iterable[str]) -> dict[str, float]:
        return {sku: self.offers[(supplier_code, sku)] for sku in skus if (supplier_code, sku) in self.offers}

    def add_purchase_order(self, order: PurchaseOrder) -> int:
        self.orders.append(copy.deepcopy(order))
        self.orders[-1].id = len(self.orders)
        return len(self.orders)

    def write_reorder_points(self, points: Iterable[dict]) -> int:
        points = list(points)
        self.reorder_points.update({(p["location_code"], p["sku"]): p["reorder_point"] for p in points})
        return len(points)


@dataclass
class FakeUnitOfWork:
    locations: FakeLocations = field(default_factory=FakeLocations)
    catalog: FakeCatalog = field(default_factory=FakeCatalog)
    stock: FakeStock = field(default_factory=FakeStock)
    receipts: FakeReceipts = field(default_factory=FakeReceipts)
    staff: FakeStaff = field(default_factory=FakeStaff)
    transfers: FakeTransfers = field(default_factory=FakeTransfers)
    counts: FakeCounts = field(default_factory=FakeCounts)
    actions: FakeActions = field(default_factory=FakeActions)
    processed: FakeProcessed = field(default_factory=FakeProcessed)
    replenishment: FakeReplenishment = field(default_factory=FakeReplenishment)
    commits: int = 0

    def __post_init__(self) -> None:
        self.catalog.positions = self.stock.positions

    def commit(self) -> None:
        self.stock.save()
        self.commits += 1
