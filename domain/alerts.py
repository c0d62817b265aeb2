"""Low-stock alerts: when a position is low, and the life of the alert that says so.

open -> acknowledged (someone ordered) -> closed (recovered)
open | acknowledged -> snoozed -> open again when the snooze ends and it is still low
any but closed -> closed when available stock is back at or above the reorder point

A location x SKU has at most one alert that is not closed: a second sale of
the same low item changes nothing, and only recovery (or a snooze running
out) produces a new message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidTransition


class ThresholdBasis(StrEnum):
    """Where a reorder point came from, in order of precedence."""

    MIN_QTY = "min_qty"  # set by hand for this shelf
    REORDER_POINT = "reorder_point"  # set by the replenishment engine
    DAYS_OF_COVER = "days_of_cover"  # fallback from recent sales


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    SNOOZED = "snoozed"
    CLOSED = "closed"


@dataclass(slots=True, frozen=True)
class AlertRule:
    """How low is low, and which items are fast movers."""

    days_of_cover: float = 3.0  # alert below this many days of average sales
    sales_window_days: int = 28  # average daily sales over this many days
    fast_mover_share: float = 0.2  # top share of a store's SKUs by units sold
    snooze_hours: int = 24


@dataclass(slots=True, frozen=True)
class Threshold:
    reorder_point: float
    basis: ThresholdBasis


@dataclass(slots=True, frozen=True)
class Reading:
    """What is known about one position when deciding."""

    location_code: str
    sku: str
    available: int
    threshold: Threshold | None
    daily_sales: float  # average units a day over the rule's window

    @property
    def key(self) -> tuple[str, str]:
        return (self.location_code, self.sku)

    @property
    def is_low(self) -> bool:
        return self.threshold is not None and self.available < self.threshold.reorder_point

    @property
    def days_of_cover(self) -> float | None:
        """Days the stock lasts at the recent rate; None when nothing sells."""
        if self.daily_sales <= 0:
            return None
        return max(self.available, 0) / self.daily_sales


def threshold_for(
    min_qty: int | None, reorder_point: float | None, daily_sales: float, rule: AlertRule
) -> Threshold | None:
    """The reorder point in force: the manual minimum, else the engine's, else days of cover."""
    if min_qty is not None:
        return Threshold(float(min_qty), ThresholdBasis.MIN_QTY)
    if reorder_point is not None:
        return Threshold(float(reorder_point), ThresholdBasis.REORDER_POINT)
    if daily_sales > 0:
        return Threshold(daily_sales * rule.days_of_cover, ThresholdBasis.DAYS_OF_COVER)
    return None  # nothing sells and nobody set a minimum: an empty shelf is not news


def fast_movers(units_by_sku: Mapping[str, float], share: float) -> frozenset[str]:
    """The top `share` of a store's selling SKUs by units (at least one when anything sold)."""
    selling = sorted(((units, sku) for sku, units in units_by_sku.items() if units > 0), reverse=True)
    if not selling:
        return frozenset()
    top = max(1, math.ceil(len(selling) * share))
    return frozenset(sku for _, sku in selling[:top])


@dataclass(slots=True)
class LowStockAlert:
    location_code: str
    sku: str
    raised_at: datetime
    available: int
    reorder_point: float
    basis: ThresholdBasis
    urgent: bool = False
    state: AlertState = AlertState.OPEN
    id: int | None = None
    snoozed_until: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    message_key: str | None = None  # outbox key of the chat message that later edits replace

    @property
    def key(self) -> tuple[str, str]:
        return (self.location_code, self.sku)

    @property
    def is_closed(self) -> bool:
        return self.state is AlertState.CLOSED

    def acknowledge(self, actor: str, at: datetime) -> None:
        """Someone has ordered: the alert stays until stock is back, but is no longer anyone's to-do."""
        self._require_not_closed("acknowledge")
        if self.state is AlertState.ACKNOWLEDGED:
            raise InvalidTransition(action="acknowledge", state=self.state.value)
        self.state = AlertState.ACKNOWLEDGED
        self.acknowledged_by, self.acknowledged_at = actor, at

    def snooze(self, until: datetime) -> None:
        self._require_not_closed("snooze")
        if self.state is AlertState.SNOOZED:
            raise InvalidTransition(action="snooze", state=self.state.value)
        self.state, self.snoozed_until = AlertState.SNOOZED, until

    def snooze_over(self, now: datetime) -> bool:
        return self.state is AlertState.SNOOZED and self.snoozed_until is not None and self.snoozed_until <= now

    def wake(self, reading: Reading) -> None:
        """The snooze ran out and the item is still low: back to open, with today's figures."""
        self.state, self.snoozed_until = AlertState.OPEN, None
        self.available = reading.available

    def close(self, at: datetime) -> None:
        self._require_not_closed("close")
        self.state, self.closed_at = AlertState.CLOSED, at

    def _require_not_closed(self, action: str) -> None:
        if self.is_closed:
            raise InvalidTransition(action=action, state=self.state.value)


class Verdict(StrEnum):
    RAISE = "raise"
    RECOVERED = "recovered"
    WAKE = "wake"
    NONE = "none"


def judge(reading: Reading, alert: LowStockAlert | None, now: datetime) -> Verdict:
    """What a fresh reading of a position means for its alert (if any)."""
    if alert is None or alert.is_closed:
        return Verdict.RAISE if reading.is_low else Verdict.NONE
    if not reading.is_low:
        return Verdict.RECOVERED
    return Verdict.WAKE if alert.snooze_over(now) else Verdict.NONE


def raise_alert(reading: Reading, now: datetime, fast: frozenset[str]) -> LowStockAlert:
    """A new alert; an empty shelf of one of the store's fast movers is urgent."""
    assert reading.threshold is not None, "only a low reading raises an alert"
    return LowStockAlert(
        location_code=reading.location_code,
        sku=reading.sku,
        raised_at=now,
        available=reading.available,
        reorder_point=reading.threshold.reorder_point,
        basis=reading.threshold.basis,
        urgent=reading.available <= 0 and reading.sku in fast,
    )
