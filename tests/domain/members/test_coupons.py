from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.members.coupons import (
    ALPHABET,
    Coupon,
    InvalidCouponCode,
    Redemption,
    Refusal,
    issue_coupon_codes,
    make_coupon_code,
    redeem,
    validate_coupon_code,
)
from domain.members.offers import PercentOff, PointsMultiplier, ReceiptLine

SECRET = b"test-secret-not-for-production"
START = datetime(2026, 5, 1, tzinfo=UTC)
LINES = [ReceiptLine("RICE", 1, "50.00", "grain")]

member_ids = st.text(alphabet="0123456789M", min_size=1, max_size=8)


def coupon(offer=None, **changes) -> Coupon:
    fields = {
        "code": make_coupon_code(SECRET, "C1", "M1"),
        "member_id": "M1",
        "campaign_id": "C1",
        "offer": offer or PercentOff(Decimal(10)),
        "valid_from": START,
        "valid_until": START + timedelta(days=14),
    }
    return Coupon(**{**fields, **changes})


@given(member_ids)
def test_every_issued_code_validates_and_is_short_enough_to_type(member):
    code = make_coupon_code(SECRET, "C1", member)

    assert len(code) == 11
    assert validate_coupon_code(code) == code


def test_typing_is_forgiving_about_case_dashes_and_lookalike_letters():
    code = make_coupon_code(SECRET, "C1", "M1")
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")

    assert validate_coupon_code(typed) == code


@given(member_ids, st.integers(0, 9), st.integers(1, len(ALPHABET) - 1))
def test_any_single_mistyped_symbol_is_caught(member, position, shift):
    plain = make_coupon_code(SECRET, "C1", member).replace("-", "")
    wrong = ALPHABET[(ALPHABET.index(plain[position]) + shift) % len(ALPHABET)]

    with pytest.raises(InvalidCouponCode):
        validate_coupon_code(plain[:position] + wrong + plain[position + 1 :])


@given(member_ids, st.integers(0, 9), st.integers(0, 9))
def test_any_two_swapped_symbols_are_caught(member, first, second):
    plain = list(make_coupon_code(SECRET, "C1", member).replace("-", ""))
    if plain[first] == plain[second]:
        return
    plain[first], plain[second] = plain[second], plain[first]

    with pytest.raises(InvalidCouponCode):
        validate_coupon_code("".join(plain))


def test_codes_depend_on_the_secret_so_they_cannot_be_derived_from_member_ids():
    assert make_coupon_code(SECRET, "C1", "M1") != make_coupon_code(b"other", "C1", "M1")


def test_issued_codes_are_unique_even_when_one_is_already_taken():
    taken = {make_coupon_code(SECRET, "C1", "M3")}

    codes = issue_coupon_codes(SECRET, "C1", [f"M{i}" for i in range(500)], taken=taken)

    assert len(set(codes.values())) == 500
    assert not taken & set(codes.values())
    assert all(validate_coupon_code(code) == code for code in codes.values())


def test_a_coupon_is_redeemed_once():
    first = redeem(coupon(), "M1", START + timedelta(days=1), LINES, receipt_id="R1")

    assert isinstance(first, Redemption)
    assert first.discount == Decimal("5.00")
    assert redeem(first.coupon, "M1", START + timedelta(days=2), LINES) is Refusal.ALREADY_REDEEMED


@pytest.mark.parametrize(
    ("member", "at", "refusal"),
    [
        ("M2", START + timedelta(days=1), Refusal.NOT_THIS_MEMBER),
        ("M1", START - timedelta(seconds=1), Refusal.NOT_YET_VALID),
        ("M1", START + timedelta(days=14), Refusal.EXPIRED),
    ],
)
def test_a_coupon_is_refused_to_others_and_outside_its_validity(member, at, refusal):
    assert redeem(coupon(), member, at, LINES) is refusal


def test_a_receipt_the_offer_gives_nothing_on_is_refused_and_keeps_the_coupon():
    assert redeem(coupon(), "M1", START, []) is Refusal.NOTHING_QUALIFIES


def test_a_points_multiplier_returns_the_ledger_entry_to_write():
    result = redeem(coupon(PointsMultiplier(Decimal(2))), "M1", START, LINES, points_per_yuan=Decimal(1))

    assert result.discount == Decimal("0.00")
    assert (result.points_entry.member_id, result.points_entry.points) == ("M1", 50)
    assert result.points_entry.reference == result.coupon.code


@given(st.lists(st.tuples(st.sampled_from(["M1", "M2"]), st.integers(-2, 20)), max_size=12))
def test_however_often_it_is_presented_a_coupon_is_redeemed_at_most_once(attempts):
    current, redeemed = coupon(), 0
    for member, day in attempts:
        result = redeem(current, member, START + timedelta(days=day), LINES)
        if isinstance(result, Redemption):
            current, redeemed = result.coupon, redeemed + 1

    assert redeemed <= 1
