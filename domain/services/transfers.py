"""Transfers between locations: request, approve, reject, cancel, ship, receive.

Each function loads through the unit of work, checks who may act (here, so no
entry point can skip it), lets the `TransferRequest` state machine move the
stock, commits, and returns `TransferNews`: what the bot needs to announce the
change in both locations' groups. The state machine refuses a second identical
step, and the unit of work locks the rows, so a double press has one effect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from domain.catalog import Product
from domain.errors import DomainError, InsufficientStock, NotAllowed, NotFound
from domain.locations import Location, by_distance
from domain.services.undo import Undone, record_action, register_undoer
from domain.staff import Permission, Role, StaffMember
from domain.stock import Stamp, StockPosition, check_quantity
from domain.transfers import TransferRequest, TransferState

SALES_WINDOW_DAYS = 28  # average daily sales are taken over the last four weeks
COVER_DAYS = 14  # a store keeps two weeks of its own sales before it gives any away
REQUEST_KIND = "transfer_request"  # the /undo kind of a transfer request


@dataclass(slots=True, frozen=True)
class SourceProposal:
    """A location that could send the units, and how much it can spare."""

    location: Location
    distance_km: float
    available: int
    need: int

    @property
    def surplus(self) -> int:
        return max(0, self.available - self.need)


@dataclass(slots=True, frozen=True)
class TransferNews:
    """A transfer after a change, with the places and people to tell about it."""

    transfer: TransferRequest
    product: Product
    source: Location
    destination: Location
    actor: StaffMember | None  # who made the change (None when only describing a transfer)
    managers: list[StaffMember] = field(default_factory=list)  # who to tell privately
    proposal: SourceProposal | None = None


@dataclass(slots=True, frozen=True)
class OpenTransfer:
    transfer: TransferRequest
    product_name: str
    outgoing: bool  # this store sends it
    age: timedelta


def need_of(position: StockPosition | None, reorder_point: float | None, daily_sales: float) -> int:
    """What a location keeps for itself: its minimum, its reorder point, or two weeks of its sales."""
    minimum = (position.min_qty or 0) if position else 0
    return max(minimum, math.ceil(reorder_point or 0), math.ceil(COVER_DAYS * daily_sales))


def source_candidates(uow, sku: str, destination: Location, now: datetime) -> list[SourceProposal]:  # type: ignore[no-untyped-def]
    """Every other location, nearest first, with what it has and what it needs."""
    since = now - timedelta(days=SALES_WINDOW_DAYS)
    sold = uow.receipts.units_sold_by_location(sku, since, now)
    reorder_points = uow.catalog.reorder_points(sku)
    positions = {p.location_code: p for p in uow.stock.for_sku(sku)}
    proposals = []
    for location, km in by_distance(destination, uow.locations.all()):
        position = positions.get(location.code)
        daily = sold.get(location.code, 0) / SALES_WINDOW_DAYS if location.is_store else 0.0
        need = need_of(position, reorder_points.get(location.code), daily)
        proposals.append(SourceProposal(location, round(km, 1), position.available if position else 0, need))
    return proposals


def propose_source(uow, actor: StaffMember, sku: str, qty: int, destination: Location, now: datetime) -> SourceProposal:  # type: ignore[no-untyped-def]
    """The nearest location whose surplus above its own needs covers `qty` (never one of the actor's stores)."""
    candidates = [c for c in source_candidates(uow, sku, destination, now) if not _own_store(actor, c.location)]
    for candidate in candidates:
        if candidate.surplus >= qty:
            return candidate
    best = max(candidates, key=lambda c: c.surplus, default=None)
    raise DomainError(
        "no_transfer_source",
        sku=sku,
        requested=qty,
        best_location=best.location.code if best and best.surplus else "",
        best_surplus=best.surplus if best else 0,
    )


def request_transfer(  # type: ignore[no-untyped-def]
    uow, actor: StaffMember, sku: str, qty: int, to_code: str | None, from_code: str | None, now: datetime
) -> TransferNews:
    """Ask for `qty` of `sku` to come to `to_code`, from `from_code` or the best proposed source."""
    actor.require(Permission.REQUEST_TRANSFER)
    check_quantity(qty)
    product = _product(uow, sku)
    destination = _location(uow, to_code) if to_code else None
    if destination is None:
        raise DomainError("no_store_here")
    actor.require(Permission.HANDLE_TRANSFER, destination.code)
    proposal = None
    if from_code:
        source = _location(uow, from_code)
        _check_source(actor, source, destination)
        available = uow.stock.get(source.code, sku).available
        if available < qty:
            raise InsufficientStock(location=source.code, sku=sku, available=available, requested=qty)
    else:
        proposal = propose_source(uow, actor, sku, qty, destination, now)
        source = proposal.location
    transfer = uow.transfers.add(TransferRequest(0, sku, qty, source.code, destination.code, actor.actor, now))
    record_action(uow, actor, REQUEST_KIND, transfer.reference, "", now)
    uow.commit()
    return TransferNews(transfer, product, source, destination, actor, approvers_of(uow, source.code), proposal)


def approve_transfer(uow, actor: StaffMember, transfer_id: int, now: datetime) -> TransferNews:  # type: ignore[no-untyped-def]
    """A manager of the source (or an admin) agrees; the units are reserved at the source."""
    transfer = _transfer(uow, transfer_id)
    actor.require(Permission.APPROVE_TRANSFER, transfer.from_code)
    transfer.approve(uow.stock.get(transfer.from_code, transfer.sku), _stamp(actor, transfer, now))
    return _save(uow, actor, transfer)


def reject_transfer(uow, actor: StaffMember, transfer_id: int, now: datetime, note: str = "") -> TransferNews:  # type: ignore[no-untyped-def]
    transfer = _transfer(uow, transfer_id)
    actor.require(Permission.APPROVE_TRANSFER, transfer.from_code)
    transfer.reject(_stamp(actor, transfer, now), note)
    return _save(uow, actor, transfer)


def cancel_transfer(uow, actor: StaffMember, transfer_id: int, now: datetime) -> TransferNews:  # type: ignore[no-untyped-def]
    """The requester (or an admin) calls it off before it ships; a reservation is released."""
    transfer = _transfer(uow, transfer_id)
    if transfer.requested_by != actor.actor and actor.role is not Role.ADMIN:
        raise NotAllowed(permission="cancel_transfer", role=actor.role.value, location=transfer.to_code)
    transfer.cancel(uow.stock.get(transfer.from_code, transfer.sku), _stamp(actor, transfer, now))
    return _save(uow, actor, transfer)


def ship_transfer(uow, actor: StaffMember, transfer_id: int, now: datetime) -> TransferNews:  # type: ignore[no-untyped-def]
    """Staff at the source send the reserved units: they are in transit until received."""
    transfer = _transfer(uow, transfer_id)
    actor.require(Permission.HANDLE_TRANSFER, transfer.from_code)
    source, destination = _positions(uow, transfer)
    transfer.ship(source, destination, _stamp(actor, transfer, now))
    return _save(uow, actor, transfer)


def receive_transfer(uow, actor: StaffMember, transfer_id: int, qty: int, now: datetime) -> TransferNews:  # type: ignore[no-untyped-def]
    """Staff at the destination say how many arrived; a shortfall is written off and both managers hear of it."""
    transfer = _transfer(uow, transfer_id)
    actor.require(Permission.HANDLE_TRANSFER, transfer.to_code)
    check_quantity(qty, allow_zero=True)
    source, destination = _positions(uow, transfer)
    transfer.receive(source, destination, qty, _stamp(actor, transfer, now), final=True)
    managers = []
    if transfer.discrepancy:
        both = approvers_of(uow, transfer.to_code) + approvers_of(uow, transfer.from_code)
        managers = list({m.telegram_user_id: m for m in both}.values())
    return _save(uow, actor, transfer, managers)


def open_transfers(uow, actor: StaffMember, location_code: str, now: datetime) -> list[OpenTransfer]:  # type: ignore[no-untyped-def]
    """Transfers still under way into or out of a location, oldest first."""
    actor.require(Permission.REQUEST_TRANSFER)
    listed = []
    for transfer in uow.transfers.open_for(location_code):
        product = uow.catalog.get(transfer.sku)
        age = now - _utc(transfer.created_at)
        listed.append(OpenTransfer(transfer, product.name if product else transfer.sku, transfer.from_code == location_code, age))
    return listed


def approvers_of(uow, location_code: str) -> list[StaffMember]:  # type: ignore[no-untyped-def]
    """The location's managers; admins when it has none, so a request never goes unheard."""
    managers = uow.staff.managers_of(location_code)
    return managers or [s for s in uow.staff.all() if s.active and s.role is Role.ADMIN]


def requester_id(transfer: TransferRequest) -> int | None:
    """The Telegram user behind `requested_by` ('staff:<id>')."""
    kind, _, number = transfer.requested_by.partition(":")
    return int(number) if kind == "staff" and number.lstrip("-").isdigit() else None


def undo_request(uow, staff: StaffMember, action) -> Undone:  # type: ignore[no-untyped-def]
    """/undo of a request: cancelled while nobody has acted on it yet."""
    transfer_id = int(action.reference.partition(":")[2])
    transfer = _transfer(uow, transfer_id)
    if transfer.state is not TransferState.REQUESTED:
        raise DomainError("transfer_not_undoable", transfer_id=transfer_id, state=transfer.state.value)
    cancel_transfer(uow, staff, transfer_id, action.at)  # the undoer is given no clock; the request's time will do
    return Undone("transfers/undone", {"transfer_id": transfer_id, "sku": transfer.sku, "qty": transfer.qty})


register_undoer(REQUEST_KIND, undo_request)


def _check_source(actor: StaffMember, source: Location, destination: Location) -> None:
    if source.code == destination.code:
        raise DomainError("same_location", location=source.code)
    if _own_store(actor, source):
        raise DomainError("own_store_source", location=source.code)


def _own_store(actor: StaffMember, location: Location) -> bool:
    """People may not pull from a store of their own (they could approve it themselves)."""
    return location.is_store and location.code in actor.locations


def _product(uow, sku: str) -> Product:  # type: ignore[no-untyped-def]
    product = uow.catalog.get(sku)
    if product is None:
        raise NotFound("unknown_sku", sku=sku)
    return product


def _location(uow, code: str) -> Location:  # type: ignore[no-untyped-def]
    location = uow.locations.get(code)
    if location is None:
        raise NotFound("unknown_location", location=code)
    return location


def _transfer(uow, transfer_id: int) -> TransferRequest:  # type: ignore[no-untyped-def]
    transfer = uow.transfers.get(transfer_id)
    if transfer is None:
        raise NotFound("unknown_transfer", transfer_id=transfer_id)
    return transfer


def _positions(uow, transfer: TransferRequest) -> tuple[StockPosition, StockPosition]:  # type: ignore[no-untyped-def]
    found = uow.stock.get_many([(transfer.from_code, transfer.sku), (transfer.to_code, transfer.sku)])
    return found[(transfer.from_code, transfer.sku)], found[(transfer.to_code, transfer.sku)]


def _stamp(actor: StaffMember, transfer: TransferRequest, now: datetime) -> Stamp:
    return Stamp(now, actor.actor, transfer.reference)


def _save(uow, actor: StaffMember, transfer: TransferRequest, managers: list[StaffMember] | None = None) -> TransferNews:  # type: ignore[no-untyped-def]
    source, destination = _location(uow, transfer.from_code), _location(uow, transfer.to_code)
    news = TransferNews(transfer, _product(uow, transfer.sku), source, destination, actor, managers or [])
    uow.transfers.save(transfer)
    uow.commit()
    return news


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
