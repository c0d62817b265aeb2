"""The ledger's invariants: positions equal the ledger, transfers conserve units."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import stock
from domain.errors import DomainError, InsufficientStock, InvalidQuantity
from domain.sales import Receipt, ReceiptLine, post_receipt
from domain.stock import TRANSFER_KINDS, Stamp, StockPosition, chain_units, ledger_sum
from domain.transfers import TransferRequest

AT = datetime(2026, 11, 20, tzinfo=UTC)
STAMP = Stamp(AT, "staff:1", "test")


def test_a_sale_cannot_take_available_stock_below_zero() -> None:
    position = StockPosition("S01", "COLA", on_hand=2, reserved=1)

    with pytest.raises(InsufficientStock):
        stock.sell(position, 2, STAMP)

    assert position.on_hand == 2 and position.pending == []


def test_a_location_that_allows_negative_stock_may_oversell() -> None:
    position = StockPosition("S01", "COLA", on_hand=1, allow_negative=True)

    stock.sell(position, 3, STAMP)

    assert position.on_hand == -2


@pytest.mark.parametrize("qty", [0, -1, 1.5, "3", True, 10**9])
def test_quantities_must_be_positive_whole_units(qty: object) -> None:
    with pytest.raises(InvalidQuantity):
        stock.receive_goods(StockPosition("S01", "COLA"), qty, STAMP)  # type: ignore[arg-type]


def test_a_receipt_posts_every_line_or_none() -> None:
    positions = {
        ("S01", "A"): StockPosition("S01", "A", on_hand=5),
        ("S01", "B"): StockPosition("S01", "B", on_hand=0),
    }
    receipt = Receipt("R1", "S01", AT, [ReceiptLine("A", 2, 1.0), ReceiptLine("B", 1, 1.0)])

    with pytest.raises(InsufficientStock):
        post_receipt(receipt, positions, "till")

    assert positions[("S01", "A")].on_hand == 5


def test_a_returned_item_comes_back_on_the_shelf() -> None:
    positions = {("S01", "A"): StockPosition("S01", "A", on_hand=0)}

    post_receipt(Receipt("R2", "S01", AT, [ReceiptLine("A", -1, 1.0)]), positions, "till")

    assert positions[("S01", "A")].on_hand == 1


LOCATIONS = ["S01", "S02", "W01"]
operation = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(LOCATIONS), st.integers(1, 20)),
    st.tuples(st.just("sell"), st.sampled_from(LOCATIONS), st.integers(1, 20)),
    st.tuples(st.just("return"), st.sampled_from(LOCATIONS), st.integers(1, 5)),
    st.tuples(st.just("write_off"), st.sampled_from(LOCATIONS), st.integers(1, 5)),
    st.tuples(st.just("count"), st.sampled_from(LOCATIONS), st.integers(0, 30)),
    st.tuples(st.just("transfer"), st.sampled_from(LOCATIONS), st.sampled_from(LOCATIONS), st.integers(1, 15),
              st.sampled_from(["approve", "ship", "receive_all", "receive_short", "cancel"])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(operation, max_size=60))
def test_random_operations_keep_positions_equal_to_the_ledger_and_transfers_conserve_units(ops) -> None:  # type: ignore[no-untyped-def]
    positions = {code: StockPosition(code, "SKU") for code in LOCATIONS}
    ledger: list[stock.Movement] = []
    expected_total = 0
    for op in ops:
        before = chain_units(positions.values())
        try:
            moved = _apply(op, positions)
        except DomainError:
            assert chain_units(positions.values()) == before  # a refusal changes nothing
            continue
        ledger.extend(moved)
        non_transfer = sum(m.on_hand + m.in_transit_out for m in moved if m.kind not in TRANSFER_KINDS)
        expected_total += non_transfer
        assert chain_units(positions.values()) == expected_total
        for p in positions.values():
            # A count may find fewer units than are reserved (the shelf is what it is); the
            # buckets the ledger moves by itself never go negative.
            assert p.reserved >= 0 and p.in_transit_in >= 0 and p.in_transit_out >= 0
    sums = ledger_sum(ledger)
    for code, p in positions.items():
        assert sums.get((code, "SKU"), (0, 0, 0, 0)) == (p.on_hand, p.reserved, p.in_transit_in, p.in_transit_out)


def _apply(op: tuple, positions: dict[str, StockPosition]) -> list[stock.Movement]:
    kind = op[0]
    if kind == "receive":
        return [stock.receive_goods(positions[op[1]], op[2], STAMP)]
    if kind == "sell":
        return [stock.sell(positions[op[1]], op[2], STAMP)]
    if kind == "return":
        return [stock.accept_return(positions[op[1]], op[2], STAMP)]
    if kind == "write_off":
        return [stock.write_off(positions[op[1]], op[2], STAMP)]
    if kind == "count":
        position = positions[op[1]]
        moved = stock.adjust_to_count(position, op[2], position.on_hand, STAMP)
        return [moved] if moved else []
    _, source, destination, qty, how = op
    if source == destination:
        raise InvalidQuantity(quantity=qty)
    transfer = TransferRequest(1, "SKU", qty, source, destination, "staff:1", AT)
    src, dst = positions[source], positions[destination]
    moved = transfer.approve(src, STAMP)
    if how == "cancel":
        return moved + transfer.cancel(src, STAMP)
    if how == "approve":
        return moved
    moved += transfer.ship(src, dst, STAMP)
    if how == "ship":
        return moved
    received = qty if how == "receive_all" else qty // 2
    return moved + transfer.receive(src, dst, received, STAMP, final=True)
