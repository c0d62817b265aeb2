"""Personal coupon codes and the rule for redeeming one.

A code is 9 symbols from a 31-symbol alphabet (Crockford's base 32 without Z)
plus a check symbol, shown as XXXXX-XXXXX. The body comes from an HMAC of the
campaign and member under the shop's secret, so it cannot be guessed or
enumerated (31^9 is about 2.6e13 codes). The check symbol is a weighted sum
modulo 31 with weights 1..10: since 31 is prime, every single mistyped symbol
and every swap of two symbols is caught before the code reaches the database.
Reading is forgiving the way Crockford intended: case, spaces and dashes are
ignored, O reads as 0, I and L as 1.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.members.offers import Offer, ReceiptLine

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"
BODY_LENGTH = 9
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


class InvalidCouponCode(ValueError):
    """The text is not a well-formed coupon code; the message says why."""


def _weighted_sum(symbols: str) -> int:
    return sum(weight * _VALUE[symbol] for weight, symbol in enumerate(symbols, start=1))


def check_symbol(body: str) -> str:
    """The symbol that, at weight 10, makes the weighted sum of the whole code 0 modulo 31."""
    inverse_of_ten = pow(BODY_LENGTH + 1, -1, len(ALPHABET))
    return ALPHABET[(-_weighted_sum(body) * inverse_of_ten) % len(ALPHABET)]


def _format(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def make_coupon_code(secret: bytes, campaign_id: str, member_id: str, attempt: int = 0) -> str:
    """The member's code for a campaign, formatted XXXXX-XXXXX; the same inputs give the same code.

    `attempt` only changes when `issue_coupon_codes` must step around a collision.
    """
    message = f"{campaign_id}\x1f{member_id}\x1f{attempt}".encode()
    number = int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest()[:8], "big")
    body = ""
    for _ in range(BODY_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        body += ALPHABET[digit]
    return _format(body + check_symbol(body))


def validate_coupon_code(text: str) -> str:
    """The canonical XXXXX-XXXXX form of a typed code, or InvalidCouponCode saying what is wrong."""
    code = text.strip().upper().translate(_READS_AS)
    if len(code) != BODY_LENGTH + 1:
        raise InvalidCouponCode(f"a coupon code has {BODY_LENGTH + 1} symbols, this has {len(code)}")
    strangers = sorted({symbol for symbol in code if symbol not in _VALUE})
    if strangers:
        raise InvalidCouponCode(f"not coupon symbols: {''.join(strangers)}")
    if _weighted_sum(code) % len(ALPHABET) != 0:
        raise InvalidCouponCode("check symbol does not match: a symbol is mistyped")
    return _format(code)


def issue_coupon_codes(
    secret: bytes, campaign_id: str, member_ids: Iterable[str], taken: Iterable[str] = ()
) -> dict[str, str]:
    """One distinct code per member, none equal to a code already `taken` in the database."""
    issued: dict[str, str] = {}
    used = set(taken)
    for member_id in member_ids:
        attempt = 0
        code = make_coupon_code(secret, campaign_id, member_id)
        while code in used:
            attempt += 1
            code = make_coupon_code(secret, campaign_id, member_id, attempt)
        used.add(code)
        issued[member_id] = code
    return issued


@dataclass(frozen=True)
class Coupon:
    """A code issued to one member for one campaign's offer, valid in [valid_from, valid_until)."""

    code: str
    member_id: str
    campaign_id: str
    offer: Offer
    valid_from: datetime
    valid_until: datetime
    redeemed_at: datetime | None = None
    receipt_id: str | None = None


@dataclass(frozen=True, slots=True)
class PointsEntry:
    """A line for the points ledger: positive points earned by a member, with why."""

    member_id: str
    points: int
    reason: str
    reference: str


@dataclass(frozen=True)
class Redemption:
    """A successful redemption: the coupon as it now stands, the discount, and points to book."""

    coupon: Coupon
    discount: Decimal
    points_entry: PointsEntry | None


class Refusal(StrEnum):
    ALREADY_REDEEMED = "already_redeemed"
    NOT_THIS_MEMBER = "not_this_member"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    NOTHING_QUALIFIES = "nothing_qualifies"


def redeem(
    coupon: Coupon,
    member_id: str,
    at: datetime,
    receipt_lines: list[ReceiptLine],
    receipt_id: str = "",
    points_per_yuan: Decimal = Decimal(1),
) -> Redemption | Refusal:
    """Redeem the coupon on a receipt, or say why not.

    Only its member, once, inside its validity, and only when the offer gives
    something on these lines. The caller stores `redemption.coupon` under a
    unique constraint so two tills cannot both redeem it.
    """
    if coupon.redeemed_at is not None:
        return Refusal.ALREADY_REDEEMED
    if member_id != coupon.member_id:
        return Refusal.NOT_THIS_MEMBER
    if at < coupon.valid_from:
        return Refusal.NOT_YET_VALID
    if at >= coupon.valid_until:
        return Refusal.EXPIRED
    discount = coupon.offer.discount_for(receipt_lines)
    points = coupon.offer.bonus_points(receipt_lines, points_per_yuan)
    if discount <= 0 and points <= 0:
        return Refusal.NOTHING_QUALIFIES
    entry = (
        PointsEntry(member_id, points, f"coupon:{coupon.campaign_id}", coupon.code) if points > 0 else None
    )
    used = replace(coupon, redeemed_at=at, receipt_id=receipt_id or None)
    return Redemption(used, discount, entry)
