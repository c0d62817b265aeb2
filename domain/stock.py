"""The stock ledger: positions per location x SKU and the movements that change them.

Positions are never edited directly: every change is a `Movement` appended to
the ledger, and a position is the running sum of its movements. The rule
functions below check the shop's rules against the current position, then
return the movements that carry them out (already applied to the positions
passed in), so a caller persists exactly what was checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.errors import InsufficientStock, InvalidQuantity

MAX_QUANTITY = 1_000_000


class MovementKind(StrEnum):
    OPENING = "opening"  # balance brought over from the previous system
    RECEIPT = "receipt"  # goods in from a supplier
    SALE = "sale"
    RETURN = "return"
    TRANSFER_RESERVE = "transfer_reserve"
    TRANSFER_RELEASE = "transfer_release"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    COUNT_ADJUSTMENT = "count_adjustment"
    WRITE_OFF = "write_off"


# Kinds that move units between locations; across the chain they must net to zero.
TRANSFER_KINDS = frozenset(
    {MovementKind.TRANSFER_RESERVE, MovementKind.TRANSFER_RELEASE, MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN}
)


@dataclass(slots=True)
class Movement:
    """One append-only ledger line. Deltas are signed unit changes to each bucket.

    Not frozen: a frozen dataclass costs several times more to build, and
    posting a day of sales builds hundreds of thousands of these.
    """

    kind: MovementKind
    location_code: str
    sku: str
    at: datetime
    actor: str
    reference: str
    reason: str = ""
    on_hand: int = 0
    reserved: int = 0
    in_transit_in: int = 0
    in_transit_out: int = 0


@dataclass(slots=True)
class StockPosition:
    location_code: str
    sku: str
    on_hand: int = 0
    reserved: int = 0
    in_transit_in: int = 0
    in_transit_out: int = 0
    min_qty: int | None = None
    max_qty: int | None = None
    allow_negative: bool = False
    pending: list[Movement] = field(default_factory=list, repr=False, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.location_code, self.sku)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def apply(self, movement: Movement) -> Movement:
        self.on_hand += movement.on_hand
        self.reserved += movement.reserved
        self.in_transit_in += movement.in_transit_in
        self.in_transit_out += movement.in_transit_out
        self.pending.append(movement)
        return movement


@dataclass(slots=True, frozen=True)
class Stamp:
    """Who did it, when, and why: shared by every movement of one action."""

    at: datetime
    actor: str
    reference: str
    reason: str = ""


def check_quantity(qty: object, *, allow_zero: bool = False) -> int:
    """Whole units only, positive, and not absurdly large."""
    if isinstance(qty, bool) or not isinstance(qty, int):
        raise InvalidQuantity(quantity=qty)
    if qty < 0 or (qty == 0 and not allow_zero) or qty > MAX_QUANTITY:
        raise InvalidQuantity(quantity=qty)
    return qty


def _move(
    position: StockPosition,
    kind: MovementKind,
    stamp: Stamp,
    on_hand: int = 0,
    reserved: int = 0,
    in_transit_in: int = 0,
    in_transit_out: int = 0,
) -> Movement:
    # Positional on purpose: a day of sales builds hundreds of thousands of these.
    movement = Movement(
        kind, position.location_code, position.sku, stamp.at, stamp.actor, stamp.reference, stamp.reason,
        on_hand, reserved, in_transit_in, in_transit_out,
    )
    return position.apply(movement)


def _require_available(position: StockPosition, qty: int, *, allow_negative: bool = False) -> None:
    if not allow_negative and position.available < qty:
        raise InsufficientStock(
            location=position.location_code, sku=position.sku, available=position.available, requested=qty
        )


def sell(position: StockPosition, qty: int, stamp: Stamp) -> Movement:
    check_quantity(qty)
    _require_available(position, qty, allow_negative=position.allow_negative)
    return _move(position, MovementKind.SALE, stamp, on_hand=-qty)


def accept_return(position: StockPosition, qty: int, stamp: Stamp) -> Movement:
    check_quantity(qty)
    return _move(position, MovementKind.RETURN, stamp, on_hand=qty)


def receive_goods(position: StockPosition, qty: int, stamp: Stamp) -> Movement:
    check_quantity(qty)
    return _move(position, MovementKind.RECEIPT, stamp, on_hand=qty)


def write_off(position: StockPosition, qty: int, stamp: Stamp) -> Movement:
    check_quantity(qty)
    _require_available(position, qty)
    return _move(position, MovementKind.WRITE_OFF, stamp, on_hand=-qty)


def set_opening_balance(position: StockPosition, on_hand: int, stamp: Stamp) -> Movement | None:
    """Bring the position to a migrated balance; the same balance twice is no movement."""
    check_quantity(on_hand, allow_zero=True)
    delta = on_hand - position.on_hand
    return _move(position, MovementKind.OPENING, stamp, on_hand=delta) if delta else None


def adjust_to_count(position: StockPosition, counted: int, book_at_count: int, stamp: Stamp) -> Movement | None:
    """Post the variance found at counting time.

    The variance is counted minus the book *when the item was counted*; sales
    and receipts since then are already in the position, so applying the
    variance (not overwriting with the counted figure) keeps them.
    """
    check_quantity(counted, allow_zero=True)
    delta = counted - book_at_count
    return _move(position, MovementKind.COUNT_ADJUSTMENT, stamp, on_hand=delta) if delta else None


def reserve(position: StockPosition, qty: int, stamp: Stamp) -> Movement:
    check_quantity(qty)
    _require_available(position, qty)
    return _move(position, MovementKind.TRANSFER_RESERVE, stamp, reserved=qty)


def release(position: StockPosition, qty: int, stamp: Stamp) -> Movement:
    check_quantity(qty)
    if position.reserved < qty:
        raise InsufficientStock(location=position.location_code, sku=position.sku, available=position.reserved, requested=qty)
    return _move(position, MovementKind.TRANSFER_RELEASE, stamp, reserved=-qty)


def ship(source: StockPosition, destination: StockPosition, qty: int, stamp: Stamp) -> list[Movement]:
    """Reserved units leave the source and are in transit to the destination."""
    check_quantity(qty)
    if source.reserved < qty or source.on_hand < qty:
        raise InsufficientStock(location=source.location_code, sku=source.sku, available=source.reserved, requested=qty)
    return [
        _move(source, MovementKind.TRANSFER_OUT, stamp, on_hand=-qty, reserved=-qty, in_transit_out=qty),
        _move(destination, MovementKind.TRANSFER_IN, stamp, in_transit_in=qty),
    ]


def land(source: StockPosition, destination: StockPosition, qty: int, stamp: Stamp) -> list[Movement]:
    """Units in transit arrive at the destination's shelf."""
    check_quantity(qty)
    if destination.in_transit_in < qty or source.in_transit_out < qty:
        raise InsufficientStock(
            location=destination.location_code, sku=destination.sku, available=destination.in_transit_in, requested=qty
        )
    return [
        _move(source, MovementKind.TRANSFER_OUT, stamp, in_transit_out=-qty),
        _move(destination, MovementKind.TRANSFER_IN, stamp, on_hand=qty, in_transit_in=-qty),
    ]


def ledger_sum(movements: Iterable[Movement]) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    """Positions as the ledger says they are: the invariant every position must equal."""
    sums: dict[tuple[str, str], list[int]] = {}
    for m in movements:
        bucket = sums.setdefault((m.location_code, m.sku), [0, 0, 0, 0])
        bucket[0] += m.on_hand
        bucket[1] += m.reserved
        bucket[2] += m.in_transit_in
        bucket[3] += m.in_transit_out
    return {key: (a, b, c, d) for key, (a, b, c, d) in sums.items()}


def chain_units(positions: Iterable[StockPosition]) -> int:
    """Units the chain owns: on shelves plus on the road (counted once, at the sender)."""
    return sum(p.on_hand + p.in_transit_out for p in positions)
