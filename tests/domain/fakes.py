"""An in-memory unit of work for domain service tests: the repositories services use, in dicts.

Each fake repository offers the methods of its SQL twin that services call;
extend them here (with the same names and meanings) when a service needs more.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from domain.catalog import Product
from domain.counts import CountSession, CountState
from domain.locations import Location
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
    commits: int = 0

    def __post_init__(self) -> None:
        self.catalog.positions = self.stock.positions

    def commit(self) -> None:
        self.stock.save()
        self.commits += 1
