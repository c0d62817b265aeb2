from decimal import Decimal

import pytest

from domain.members.offers import (
    AmountOff,
    BuyXGetY,
    InvalidOffer,
    PercentOff,
    PointsMultiplier,
    ReceiptLine,
    Scope,
)

DRINKS = Scope(categories=frozenset({"drinks"}))
RECEIPT = [
    ReceiptLine("COLA", 3, "4.50", "drinks"),
    ReceiptLine("TEA", 1, "6.00", "drinks"),
    ReceiptLine("RICE", 1, "59.90", "grain"),
]


def test_percent_off_applies_to_the_covered_lines_only():
    assert PercentOff(Decimal(20), DRINKS).discount_for(RECEIPT) == Decimal("3.90")


def test_percent_off_stops_at_its_cap():
    assert PercentOff(Decimal(50), max_discount=Decimal(10)).discount_for(RECEIPT) == Decimal("10.00")


def test_amount_off_needs_the_minimum_spend():
    offer = AmountOff(Decimal(10), min_spend=Decimal(75))

    assert offer.discount_for(RECEIPT) == Decimal("10.00")
    assert offer.discount_for(RECEIPT[:2]) == Decimal("0.00")


def test_amount_off_never_exceeds_what_the_lines_cost():
    assert AmountOff(Decimal(50), scope=DRINKS).discount_for(RECEIPT) == Decimal("19.50")


def test_buy_two_get_one_frees_the_cheapest_unit_of_each_full_group():
    offer = BuyXGetY(buy=2, get=1, scope=DRINKS)

    assert offer.discount_for(RECEIPT) == Decimal("4.50")  # 6.00, 4.50, [4.50] | 4.50 alone
    assert offer.discount_for(RECEIPT[:1]) == Decimal("4.50")
    assert offer.discount_for([ReceiptLine("COLA", 2, "4.50", "drinks")]) == Decimal("0.00")


def test_points_multiplier_gives_the_extra_points_not_a_discount():
    offer = PointsMultiplier(Decimal(3), DRINKS)

    assert offer.discount_for(RECEIPT) == Decimal("0.00")
    assert offer.bonus_points(RECEIPT, Decimal(1)) == 2 * 19


@pytest.mark.parametrize(
    "make",
    [
        lambda: PercentOff(Decimal(0)),
        lambda: PercentOff(Decimal(101)),
        lambda: AmountOff(Decimal(-5)),
        lambda: PointsMultiplier(Decimal(1)),
        lambda: BuyXGetY(2, 0, DRINKS),
        lambda: BuyXGetY(2, 1, Scope()),
    ],
)
def test_nonsense_terms_are_refused(make):
    with pytest.raises(InvalidOffer):
        make()


def test_expected_cost_of_percent_off_is_the_share_of_a_typical_basket():
    assert PercentOff(Decimal(10)).expected_cost(Decimal(80)) == Decimal("8.00")
    assert PercentOff(Decimal(10), DRINKS).expected_cost(Decimal(80)) == Decimal("4.00")
