"""The tables member analytics read, and what each column means.

Every loader (CSV directory, database) builds a `MemberFrames` with these
columns; the analytics never look anywhere else.

members        member_id (str), joined_on (datetime64, local day), tier (str),
               points (int, current balance), consent_sms, consent_email,
               consent_chat (bool); optional usual_stores (str, `|`-separated
               location codes, empty when unknown).
transactions   one row per receipt line: receipt_id (str), member_id (str, rows
               without a member are dropped by the loader), location_code (str),
               timestamp (tz-aware, optional), date (datetime64, the local shop
               day), sku (str), category (str), qty (float), amount (float, what
               the member paid for the line).
products       sku (str), category (str), brand (str), unit_price, unit_cost (float).
positions      location_code (str), sku (str), on_hand, available (float).
surplus        optional, from replenishment: location_code, sku, surplus_units
               (float, units above what will sell before they age), days_of_cover.

Days are local shop days; `as_of` is always exclusive: history strictly before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

MEMBER_COLUMNS = ("member_id", "joined_on", "tier", "points", "consent_sms", "consent_email", "consent_chat")
TRANSACTION_COLUMNS = ("receipt_id", "member_id", "location_code", "date", "sku", "category", "qty", "amount")
PRODUCT_COLUMNS = ("sku", "category", "brand", "unit_price", "unit_cost")
POSITION_COLUMNS = ("location_code", "sku", "on_hand", "available")
SURPLUS_COLUMNS = ("location_code", "sku", "surplus_units", "days_of_cover")


class FrameContractError(ValueError):
    """A frame lacks a column the analytics need; the message names it."""


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise FrameContractError(f"{name} frame lacks columns: {', '.join(missing)}")


@dataclass(frozen=True)
class MemberFrames:
    """The member, sales, catalogue and stock tables the promotion analytics read."""

    members: pd.DataFrame
    transactions: pd.DataFrame
    products: pd.DataFrame
    positions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(POSITION_COLUMNS)))
    surplus: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        _require(self.members, MEMBER_COLUMNS, "members")
        _require(self.transactions, TRANSACTION_COLUMNS, "transactions")
        _require(self.products, PRODUCT_COLUMNS, "products")
        _require(self.positions, POSITION_COLUMNS, "positions")
        if self.surplus is not None:
            _require(self.surplus, SURPLUS_COLUMNS, "surplus")

    def history_before(self, as_of: date) -> pd.DataFrame:
        """Receipt lines strictly before `as_of` (the nightly run never sees today)."""
        return self.transactions[self.transactions["date"] < pd.Timestamp(as_of)]


def as_day(value: date | pd.Timestamp) -> pd.Timestamp:
    """A date as the midnight timestamp the frames use for days."""
    return pd.Timestamp(value).normalize()
