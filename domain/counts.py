"""Blind stock counts as a state machine.

open -> submitted -> approved (-> adjustments posted)
submitted -> recount -> submitted

Staff never see the book figure. Each line keeps the book quantity at the
moment the item was first counted, so goods sold while the count is under way
do not show up as a variance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain import stock
from domain.errors import InvalidTransition
from domain.stock import Movement, Stamp, StockPosition


class CountState(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    RECOUNT = "recount"
    APPROVED = "approved"
    CANCELLED = "cancelled"


@dataclass(slots=True, frozen=True)
class VarianceThreshold:
    """A line needs a recount when it is off by more than both the percent and the value."""

    percent: float = 10.0
    value: float = 200.0


@dataclass(slots=True)
class CountLine:
    sku: str
    counted: int
    book_at_count: int
    counted_at: datetime
    counted_by: str
    unit_cost: float = 0.0

    @property
    def variance(self) -> int:
        return self.counted - self.book_at_count

    @property
    def variance_value(self) -> float:
        return self.variance * self.unit_cost

    def exceeds(self, threshold: VarianceThreshold) -> bool:
        if self.variance == 0:
            return False
        percent = abs(self.variance) / self.book_at_count * 100 if self.book_at_count else 100.0
        return percent > threshold.percent and abs(self.variance_value) > threshold.value


@dataclass(slots=True)
class CountSession:
    id: int
    location_code: str
    opened_by: str
    opened_at: datetime
    category: str | None = None
    state: CountState = CountState.OPEN
    lines: dict[str, CountLine] = field(default_factory=dict)
    recounts: int = 0
    approved_by: str | None = None

    @property
    def reference(self) -> str:
        return f"count:{self.id}"

    def _require(self, *states: CountState) -> None:
        if self.state not in states:
            raise InvalidTransition(count_id=self.id, state=self.state.value)

    def record(self, position: StockPosition, qty: int, unit_cost: float, stamp: Stamp) -> CountLine:
        """Add counted units (entries add up: the same item may sit on two shelves)."""
        self._require(CountState.OPEN, CountState.RECOUNT)
        stock.check_quantity(qty, allow_zero=True)
        line = self.lines.get(position.sku)
        if line is None:
            line = CountLine(position.sku, 0, position.on_hand, stamp.at, stamp.actor, unit_cost)
            self.lines[position.sku] = line
        line.counted += qty
        line.counted_at = stamp.at
        return line

    def restart_line(self, position: StockPosition, stamp: Stamp) -> None:
        """A recount starts the item again from zero against today's book."""
        self._require(CountState.RECOUNT)
        line = self.lines[position.sku]
        line.counted, line.book_at_count, line.counted_at, line.counted_by = 0, position.on_hand, stamp.at, stamp.actor

    def unrecord(self, sku: str, qty: int) -> None:
        self._require(CountState.OPEN, CountState.RECOUNT)
        line = self.lines.get(sku)
        if line is None or line.counted < qty:
            raise InvalidTransition(count_id=self.id, sku=sku)
        line.counted -= qty

    def submit(self) -> None:
        self._require(CountState.OPEN, CountState.RECOUNT)
        if not self.lines:
            raise InvalidTransition(count_id=self.id, state="empty")
        self.state = CountState.SUBMITTED

    def lines_over(self, threshold: VarianceThreshold) -> list[CountLine]:
        return [line for line in self.lines.values() if line.exceeds(threshold)]

    def needs_recount(self, threshold: VarianceThreshold) -> bool:
        """Big variances are counted twice before they touch the books."""
        return self.recounts == 0 and bool(self.lines_over(threshold))

    def request_recount(self) -> None:
        self._require(CountState.SUBMITTED)
        self.state = CountState.RECOUNT
        self.recounts += 1

    def approve(self, positions: dict[str, StockPosition], threshold: VarianceThreshold, stamp: Stamp) -> list[Movement]:
        self._require(CountState.SUBMITTED)
        if self.needs_recount(threshold):
            raise InvalidTransition(count_id=self.id, state="recount_required")
        self.state = CountState.APPROVED
        self.approved_by = stamp.actor
        movements = []
        for sku, line in sorted(self.lines.items()):
            movement = stock.adjust_to_count(positions[sku], line.counted, line.book_at_count, stamp)
            if movement:
                movements.append(movement)
        return movements

    def cancel(self) -> None:
        self._require(CountState.OPEN, CountState.RECOUNT, CountState.SUBMITTED)
        self.state = CountState.CANCELLED

    @property
    def variance_value(self) -> float:
        return sum(line.variance_value for line in self.lines.values())
