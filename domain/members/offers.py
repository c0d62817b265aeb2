"""What a member's coupon gives: percent off, an amount off, extra points, or buy X get Y.

Money is Decimal and rounded to the fen once, at the end; a discount never
exceeds what the covered lines cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Protocol

FEN = Decimal("0.01")


class InvalidOffer(ValueError):
    """The offer's terms make no sense (negative, zero, over 100 %, empty scope...)."""


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One line of the receipt the coupon is presented with."""

    sku: str
    qty: Decimal
    unit_price: Decimal
    category: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "qty", Decimal(str(self.qty)))
        object.__setattr__(self, "unit_price", Decimal(str(self.unit_price)))

    @property
    def amount(self) -> Decimal:
        return self.qty * self.unit_price


@dataclass(frozen=True, slots=True)
class Scope:
    """Which lines an offer covers: listed SKUs or categories; both empty means the whole receipt."""

    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    @property
    def whole_receipt(self) -> bool:
        return not self.skus and not self.categories

    def covers(self, line: ReceiptLine) -> bool:
        return self.whole_receipt or line.sku in self.skus or line.category in self.categories

    def spend(self, lines) -> Decimal:
        return sum((line.amount for line in lines if self.covers(line)), Decimal(0))


def covered_share(scope: Scope, basket_value) -> Decimal:
    """The part of a typical basket an offer covers, for cost previews.

    Which share of a basket falls in a scoped offer is not known before the
    campaign runs; half is the planning assumption until results say otherwise.
    """
    return Decimal(str(basket_value)) * (Decimal(1) if scope.whole_receipt else Decimal("0.5"))


def base_points(amount: Decimal, points_per_yuan: Decimal) -> int:
    """Points a purchase earns: whole points, rounded down."""
    return int((amount * points_per_yuan).to_integral_value(rounding=ROUND_DOWN))


class Offer(Protocol):
    """What every offer kind answers."""

    def discount_for(self, lines: list[ReceiptLine]) -> Decimal: ...

    def bonus_points(self, lines: list[ReceiptLine], points_per_yuan: Decimal) -> int: ...

    def expected_cost(self, basket_value: Decimal) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class _NoPoints:
    def bonus_points(self, lines: list[ReceiptLine], points_per_yuan: Decimal) -> int:
        return 0


@dataclass(frozen=True, slots=True)
class PercentOff(_NoPoints):
    """`percent` % off the covered lines, optionally capped and only above a minimum spend."""

    percent: Decimal
    scope: Scope = field(default_factory=Scope)
    min_spend: Decimal = Decimal(0)
    max_discount: Decimal | None = None

    def __post_init__(self) -> None:
        if not Decimal(0) < Decimal(self.percent) <= Decimal(100):
            raise InvalidOffer("percent must be in (0, 100]")
        if self.max_discount is not None and Decimal(self.max_discount) <= 0:
            raise InvalidOffer("a discount cap must be positive")

    def discount_for(self, lines: list[ReceiptLine]) -> Decimal:
        spend = self.scope.spend(lines)
        if spend <= 0 or spend < Decimal(self.min_spend):
            return money(0)
        discount = spend * Decimal(self.percent) / 100
        if self.max_discount is not None:
            discount = min(discount, Decimal(self.max_discount))
        return money(discount)

    def expected_cost(self, basket_value: Decimal) -> Decimal:
        discount = covered_share(self.scope, basket_value) * Decimal(self.percent) / 100
        return money(discount if self.max_discount is None else min(discount, Decimal(self.max_discount)))


@dataclass(frozen=True, slots=True)
class AmountOff(_NoPoints):
    """A fixed amount off once the covered lines reach `min_spend` (满减)."""

    amount: Decimal
    min_spend: Decimal = Decimal(0)
    scope: Scope = field(default_factory=Scope)

    def __post_init__(self) -> None:
        if Decimal(self.amount) <= 0:
            raise InvalidOffer("the amount off must be positive")
        if Decimal(self.min_spend) < 0:
            raise InvalidOffer("the minimum spend cannot be negative")

    def discount_for(self, lines: list[ReceiptLine]) -> Decimal:
        spend = self.scope.spend(lines)
        if spend <= 0 or spend < Decimal(self.min_spend):
            return money(0)
        return money(min(Decimal(self.amount), spend))

    def expected_cost(self, basket_value: Decimal) -> Decimal:
        return money(self.amount)


@dataclass(frozen=True, slots=True)
class PointsMultiplier:
    """Covered lines earn `multiplier` times the usual points; the extra goes through the points ledger."""

    multiplier: Decimal
    scope: Scope = field(default_factory=Scope)
    point_value: Decimal = Decimal("0.01")  # what the shop pays per point when redeemed

    def __post_init__(self) -> None:
        if Decimal(self.multiplier) <= 1:
            raise InvalidOffer("a points multiplier must be above 1")

    def discount_for(self, lines: list[ReceiptLine]) -> Decimal:
        return money(0)

    def bonus_points(self, lines: list[ReceiptLine], points_per_yuan: Decimal) -> int:
        earned = base_points(self.scope.spend(lines), Decimal(points_per_yuan))
        return int((earned * (Decimal(self.multiplier) - 1)).to_integral_value(rounding=ROUND_DOWN))

    def expected_cost(self, basket_value: Decimal) -> Decimal:
        covered = covered_share(self.scope, basket_value)
        return money(covered * (Decimal(self.multiplier) - 1) * self.point_value)


@dataclass(frozen=True, slots=True)
class BuyXGetY(_NoPoints):
    """Buy `buy` covered units, get `get` more free: in each group the cheapest units are free."""

    buy: int
    get: int
    scope: Scope

    def __post_init__(self) -> None:
        if self.buy < 1 or self.get < 1:
            raise InvalidOffer("buy and get must both be at least 1")
        if self.scope.whole_receipt:
            raise InvalidOffer("buy X get Y needs the SKUs or categories it applies to")

    def discount_for(self, lines: list[ReceiptLine]) -> Decimal:
        units = sorted(
            (line.unit_price for line in lines if self.scope.covers(line) for _ in range(int(line.qty))),
            reverse=True,
        )
        group = self.buy + self.get
        free = [
            price
            for i, price in enumerate(units)
            if i % group >= self.buy and i < len(units) // group * group
        ]
        return money(sum(free, Decimal(0)))

    def expected_cost(self, basket_value: Decimal) -> Decimal:
        return money(covered_share(self.scope, basket_value) * self.get / (self.buy + self.get))
