"""Transfer requests between locations, as a state machine.

requested -> approved -> shipped -> partially_received -> received
requested -> rejected | cancelled ;  approved -> cancelled

Approval reserves the units at the source so they cannot be sold twice;
shipping puts them in transit; receipt lands what arrived, and a shortfall
closed out at the end is written off at the destination as a discrepancy, so
the chain total only changes through a write-off, never silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain import stock
from domain.errors import InvalidQuantity, InvalidTransition
from domain.stock import Movement, Stamp, StockPosition


class TransferState(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    SHIPPED = "shipped"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


OPEN_STATES = frozenset(
    {TransferState.REQUESTED, TransferState.APPROVED, TransferState.SHIPPED, TransferState.PARTIALLY_RECEIVED}
)

_EDGES: dict[TransferState, frozenset[TransferState]] = {
    TransferState.REQUESTED: frozenset({TransferState.APPROVED, TransferState.REJECTED, TransferState.CANCELLED}),
    TransferState.APPROVED: frozenset({TransferState.SHIPPED, TransferState.CANCELLED}),
    TransferState.SHIPPED: frozenset({TransferState.PARTIALLY_RECEIVED, TransferState.RECEIVED}),
    TransferState.PARTIALLY_RECEIVED: frozenset({TransferState.PARTIALLY_RECEIVED, TransferState.RECEIVED}),
}


@dataclass(slots=True, frozen=True)
class TransferEvent:
    """A state change, for the audit trail and for announcing it in both groups."""

    transfer_id: int
    state: TransferState
    at: datetime
    actor: str
    note: str = ""


@dataclass(slots=True)
class TransferRequest:
    id: int
    sku: str
    qty: int
    from_code: str
    to_code: str
    requested_by: str
    created_at: datetime
    state: TransferState = TransferState.REQUESTED
    approved_by: str | None = None
    shipped_qty: int = 0
    received_qty: int = 0
    discrepancy: int = 0
    note: str = ""
    updated_at: datetime | None = None
    events: list[TransferEvent] = field(default_factory=list, repr=False, compare=False)

    @property
    def reference(self) -> str:
        return f"transfer:{self.id}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def _check(self, target: TransferState) -> None:
        if target not in _EDGES.get(self.state, frozenset()):
            raise InvalidTransition(transfer_id=self.id, state=self.state.value, target=target.value)

    def _go(self, target: TransferState, stamp: Stamp, note: str = "") -> None:
        """Enter `target`; callers move stock first, so a refused movement leaves the state as it was."""
        self._check(target)
        self.state = target
        self.updated_at = stamp.at
        self.events.append(TransferEvent(self.id, target, stamp.at, stamp.actor, note))

    def approve(self, source: StockPosition, stamp: Stamp) -> list[Movement]:
        self._check(TransferState.APPROVED)
        movements = [stock.reserve(source, self.qty, stamp)]
        self._go(TransferState.APPROVED, stamp)
        self.approved_by = stamp.actor
        return movements

    def reject(self, stamp: Stamp, note: str = "") -> None:
        self._go(TransferState.REJECTED, stamp, note)

    def cancel(self, source: StockPosition, stamp: Stamp) -> list[Movement]:
        self._check(TransferState.CANCELLED)
        movements = [stock.release(source, self.qty, stamp)] if self.state is TransferState.APPROVED else []
        self._go(TransferState.CANCELLED, stamp)
        return movements

    def ship(self, source: StockPosition, destination: StockPosition, stamp: Stamp) -> list[Movement]:
        self._check(TransferState.SHIPPED)
        movements = stock.ship(source, destination, self.qty, stamp)
        self._go(TransferState.SHIPPED, stamp)
        self.shipped_qty = self.qty
        return movements

    def receive(
        self, source: StockPosition, destination: StockPosition, qty: int, stamp: Stamp, *, final: bool = True
    ) -> list[Movement]:
        """Land `qty` more units; `final` closes the transfer and writes off any shortfall."""
        stock.check_quantity(qty, allow_zero=True)
        outstanding = self.shipped_qty - self.received_qty
        if qty > outstanding:
            raise InvalidQuantity(quantity=qty, maximum=outstanding)
        closes = final or qty == outstanding
        target = TransferState.RECEIVED if closes else TransferState.PARTIALLY_RECEIVED
        self._check(target)
        # Everything still on the road lands when the transfer closes; what did
        # not arrive is then written off, so the loss is on the record.
        movements = stock.land(source, destination, outstanding if closes else qty, stamp) if (closes or qty) else []
        if closes and qty < outstanding:
            shortfall = Stamp(stamp.at, stamp.actor, stamp.reference, reason="transfer shortfall")
            movements.append(stock.write_off(destination, outstanding - qty, shortfall))
            self.discrepancy = outstanding - qty
        self._go(target, stamp)
        self.received_qty += qty
        return movements
