"""Sales receipts, and how a posted receipt moves stock."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain import stock
from domain.errors import InsufficientStock, InvalidQuantity
from domain.stock import Movement, Stamp, StockPosition


class Channel(StrEnum):
    STORE = "store"
    ONLINE = "online"
    MINI_PROGRAM = "mini_program"


@dataclass(slots=True)
class ReceiptLine:
    sku: str
    qty: int  # negative for a returned item
    unit_price: float
    promo: bool = False

    @property
    def amount(self) -> float:
        return round(self.qty * self.unit_price, 2)


@dataclass(slots=True)
class Receipt:
    receipt_id: str
    location_code: str
    at: datetime
    lines: list[ReceiptLine] = field(default_factory=list)
    member_id: str | None = None
    channel: Channel = Channel.STORE
    coupon_code: str | None = None

    @property
    def total(self) -> float:
        return round(sum(line.qty * line.unit_price for line in self.lines), 2)

    @property
    def reference(self) -> str:
        return f"receipt:{self.receipt_id}"

    def position_keys(self) -> set[tuple[str, str]]:
        return {(self.location_code, line.sku) for line in self.lines}


def post_receipt(receipt: Receipt, positions: dict[tuple[str, str], StockPosition], actor: str) -> list[Movement]:
    """Move stock for every line, or for none: all lines are checked before any is applied."""
    needed: dict[str, int] = defaultdict(int)
    for line in receipt.lines:
        if line.qty == 0 or abs(line.qty) > stock.MAX_QUANTITY:
            raise InvalidQuantity(quantity=line.qty, sku=line.sku)
        if line.qty > 0:
            needed[line.sku] += line.qty
    for sku, qty in needed.items():
        position = positions[(receipt.location_code, sku)]
        if not position.allow_negative and position.available < qty:
            raise InsufficientStock(location=receipt.location_code, sku=sku, available=position.available, requested=qty)
    stamp = Stamp(receipt.at, actor, receipt.reference)
    movements = []
    for line in receipt.lines:
        position = positions[(receipt.location_code, line.sku)]
        if line.qty > 0:
            movements.append(stock.sell(position, line.qty, stamp))
        else:
            movements.append(stock.accept_return(position, -line.qty, stamp))
    return movements
