"""The nightly replenishment plan in use: stored, decided line by line by the location's manager,
and turned into purchase orders (one per supplier x location) and transfer requests.

A line starts `proposed`; a manager may adjust its quantity (`adjusted`) or skip it
(`skipped`); Approve all makes every undecided line of a location `approved` at its
current quantity. Approved supplier lines become purchase orders, approved transfer
lines become transfer requests in the bot's transfer flow, all in one transaction.
Only undecided lines move, so a second press of Approve all changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from domain.errors import DomainError, NotFound
from domain.services.transfers import TransferNews, request_transfer
from domain.staff import Permission, StaffMember

PROPOSED, ADJUSTED, APPROVED, SKIPPED = "proposed", "adjusted", "approved", "skipped"
UNDECIDED = (PROPOSED, ADJUSTED)
SUPPLIER, TRANSFER = "supplier", "transfer"
# What a decision changes on a stored line.
DECIDABLE_FIELDS = ("state", "qty", "decided_by", "decided_at", "purchase_order_id", "transfer_id", "refusal")


@dataclass(slots=True)
class PlanLine:
    """One suggestion of tonight's plan for one location and SKU from one source."""

    id: int
    plan_id: int
    location_code: str
    sku: str
    on_hand: float
    in_transit: float
    forecast_daily: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    suggested_qty: int
    source_kind: str
    source_code: str | None
    reason_facts: dict
    state: str = PROPOSED
    qty: int = 0
    pack_size: int = 1
    decided_by: str | None = None
    decided_at: datetime | None = None
    purchase_order_id: int | None = None
    transfer_id: int | None = None
    refusal: str = ""

    @property
    def undecided(self) -> bool:
        return self.state in UNDECIDED


@dataclass(slots=True, frozen=True)
class OrderLine:
    sku: str
    qty: int
    unit_cost: float
    plan_line_id: int


@dataclass(slots=True)
class PurchaseOrder:
    """What one location buys from one supplier out of one plan."""

    id: int
    plan_id: int
    supplier_code: str
    location_code: str
    approved_by: str
    created_at: datetime
    lines: list[OrderLine] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return f"PO-{self.id:06d}"

    @property
    def total(self) -> float:
        return round(sum(line.qty * line.unit_cost for line in self.lines), 2)


@dataclass(slots=True, frozen=True)
class StoredPlan:
    plan_id: int
    plan_date: date
    lines: int
    reorder_points: int


@dataclass(slots=True, frozen=True)
class PlanApproval:
    """What Approve all did at one location: the orders placed and the transfers requested."""

    location_code: str
    approved: list[PlanLine]
    orders: list[PurchaseOrder]
    transfers: list[TransferNews]
    refused: list[PlanLine]  # approved transfer lines the transfer flow refused (e.g. the stock is gone)


Announce = Callable[[object, PlanApproval, datetime], None]


def store_plan(uow, plan_date: date, lines: list[dict], reorder_points: list[dict], now: datetime) -> StoredPlan:  # type: ignore[no-untyped-def]
    """Keep tonight's plan (replacing an undecided one for the same day) and every position's reorder point.

    `lines` are dicts with the plan CSV's numeric columns plus `reason_facts`;
    `reorder_points` dicts of location_code, sku, reorder_point.
    """
    plan_id = uow.replenishment.plan_id(plan_date)
    if plan_id is not None and uow.replenishment.has_decisions(plan_id):
        raise DomainError("plan_already_decided", day=plan_date.isoformat())
    if plan_id is None:
        plan_id = uow.replenishment.add_plan(plan_date, now)
    else:
        uow.replenishment.delete_lines(plan_id)
    uow.replenishment.add_lines(plan_id, [_proposed(line) for line in lines])
    written = uow.replenishment.write_reorder_points(reorder_points)
    uow.commit()
    return StoredPlan(plan_id, plan_date, len(lines), written)


def _proposed(line: dict) -> dict:
    qty = int(line["suggested_qty"])
    pack = int(line["reason_facts"].get("pack_size", 1) or 1)
    source = line.get("source_code")
    return {
        **line, "suggested_qty": qty, "qty": qty, "pack_size": max(pack, 1), "state": PROPOSED,
        "source_code": source if isinstance(source, str) and source else None,
    }


def plan_for(uow, actor: StaffMember, location_codes: Iterable[str], on: date) -> tuple[int | None, list[PlanLine]]:  # type: ignore[no-untyped-def]
    """The latest plan on or before `on` and its lines at the locations `actor` may decide."""
    plan_id = uow.replenishment.latest_plan_id(on)
    if plan_id is None:
        return None, []
    codes = [code for code in location_codes if actor.can(Permission.APPROVE_TRANSFER, code)]
    return plan_id, uow.replenishment.lines(plan_id, codes) if codes else []


def adjust_line(uow, actor: StaffMember, line_id: int, packs: int, now: datetime) -> PlanLine:  # type: ignore[no-untyped-def]
    """Change an undecided line's quantity by whole packs (never below one pack)."""
    line = _undecided_line(uow, actor, line_id)
    line.qty = max(line.pack_size, line.qty + packs * line.pack_size)
    line.state = ADJUSTED if line.qty != line.suggested_qty else PROPOSED
    line.decided_by, line.decided_at = actor.actor, now
    uow.replenishment.save_line(line)
    uow.commit()
    return line


def skip_line(uow, actor: StaffMember, line_id: int, now: datetime) -> PlanLine:  # type: ignore[no-untyped-def]
    """Leave this suggestion out of tonight's orders."""
    line = _undecided_line(uow, actor, line_id)
    line.state, line.decided_by, line.decided_at = SKIPPED, actor.actor, now
    uow.replenishment.save_line(line)
    uow.commit()
    return line


def approve_all(  # type: ignore[no-untyped-def]
    uow, actor: StaffMember, plan_id: int, location_code: str, now: datetime, announce: Announce | None = None
) -> PlanApproval:
    """Approve every undecided line of one location: purchase orders and transfer requests, one transaction.

    `announce(uow, approval, now)` runs before the commit, so what it writes (e.g. the
    suppliers' emails in the outbox) lands with the orders or not at all.
    """
    actor.require(Permission.APPROVE_TRANSFER, location_code)
    lines = [line for line in uow.replenishment.lines(plan_id, [location_code], lock=True) if line.undecided]
    for line in lines:
        line.state, line.decided_by, line.decided_at = APPROVED, actor.actor, now
    buys = [line for line in lines if line.source_kind == SUPPLIER and line.source_code]
    orders = _place_orders(uow, actor, plan_id, location_code, buys, now)
    joined = _JoinedUnit(uow)
    transfers, refused = [], []
    for line in (line for line in lines if line.source_kind == TRANSFER):
        try:
            news = request_transfer(joined, actor, line.sku, line.qty, location_code, line.source_code, now)
        except DomainError as refusal:
            line.refusal = refusal.code
            refused.append(line)
            continue
        line.transfer_id = news.transfer.id
        transfers.append(news)
    for line in lines:
        uow.replenishment.save_line(line)
    approval = PlanApproval(location_code, lines, orders, transfers, refused)
    if announce is not None and lines:
        announce(uow, approval, now)
    uow.commit()
    return approval


def _place_orders(uow, actor, plan_id: int, location_code: str, buys: list[PlanLine], now: datetime) -> list[PurchaseOrder]:  # type: ignore[no-untyped-def]
    orders = []
    by_supplier = sorted(buys, key=lambda line: line.source_code or "")
    for supplier, group in groupby(by_supplier, key=lambda line: line.source_code or ""):
        group = list(group)
        costs = uow.replenishment.offer_costs(supplier, [line.sku for line in group])
        order = PurchaseOrder(0, plan_id, supplier, location_code, actor.actor, now, [
            OrderLine(line.sku, line.qty, costs.get(line.sku, 0.0), line.id) for line in group
        ])
        order.id = uow.replenishment.add_purchase_order(order)
        for line in group:
            line.purchase_order_id = order.id
        orders.append(order)
    return orders


def _undecided_line(uow, actor: StaffMember, line_id: int) -> PlanLine:  # type: ignore[no-untyped-def]
    line = uow.replenishment.line(line_id, lock=True)
    if line is None:
        raise NotFound(kind="plan_line", key=str(line_id))
    actor.require(Permission.APPROVE_TRANSFER, line.location_code)
    if not line.undecided:
        raise DomainError("plan_line_decided", sku=line.sku, state=line.state)
    return line


class _JoinedUnit:
    """The approval's unit of work as seen by `request_transfer`, which commits its own:
    here its commit is left to the approval, so all orders and transfers land together or not at all."""

    def __init__(self, uow) -> None:  # type: ignore[no-untyped-def]
        self._uow = uow

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._uow, name)

    def commit(self) -> None:
        """Deferred to the approval's own commit."""
