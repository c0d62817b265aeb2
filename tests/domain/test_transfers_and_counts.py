"""Transfer and count state machines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.counts import CountSession, CountState, VarianceThreshold
from domain.errors import InsufficientStock, InvalidTransition
from domain.stock import MovementKind, Stamp, StockPosition
from domain.transfers import TransferRequest, TransferState

AT = datetime(2026, 11, 20, tzinfo=UTC)
STAMP = Stamp(AT, "staff:1", "transfer:1")


def new_transfer(qty: int = 10) -> tuple[TransferRequest, StockPosition, StockPosition]:
    return (
        TransferRequest(1, "COLA", qty, "W01", "S01", "staff:1", AT),
        StockPosition("W01", "COLA", on_hand=50),
        StockPosition("S01", "COLA", on_hand=2),
    )


def test_approval_reserves_at_the_source_so_the_units_cannot_be_sold_twice() -> None:
    transfer, source, _ = new_transfer()

    transfer.approve(source, STAMP)

    assert (source.on_hand, source.reserved, source.available) == (50, 10, 40)


def test_shipping_puts_units_in_transit_and_receiving_lands_them() -> None:
    transfer, source, destination = new_transfer()
    transfer.approve(source, STAMP)
    transfer.ship(source, destination, STAMP)
    assert (source.on_hand, source.reserved, source.in_transit_out, destination.in_transit_in) == (40, 0, 10, 10)

    transfer.receive(source, destination, 10, STAMP)

    assert transfer.state is TransferState.RECEIVED
    assert (source.in_transit_out, destination.in_transit_in, destination.on_hand) == (0, 0, 12)


def test_a_short_receipt_is_written_off_as_a_discrepancy() -> None:
    transfer, source, destination = new_transfer()
    transfer.approve(source, STAMP)
    transfer.ship(source, destination, STAMP)

    moved = transfer.receive(source, destination, 7, STAMP, final=True)

    assert transfer.discrepancy == 3 and destination.on_hand == 9
    assert [m.kind for m in moved][-1] is MovementKind.WRITE_OFF


def test_a_partial_receipt_keeps_the_transfer_open_for_the_rest() -> None:
    transfer, source, destination = new_transfer()
    transfer.approve(source, STAMP)
    transfer.ship(source, destination, STAMP)

    transfer.receive(source, destination, 4, STAMP, final=False)
    assert transfer.state is TransferState.PARTIALLY_RECEIVED and destination.on_hand == 6
    transfer.receive(source, destination, 6, STAMP, final=False)

    assert transfer.state is TransferState.RECEIVED and transfer.discrepancy == 0 and destination.on_hand == 12


def test_a_transfer_cannot_ship_twice() -> None:
    transfer, source, destination = new_transfer()
    transfer.approve(source, STAMP)
    transfer.ship(source, destination, STAMP)

    with pytest.raises(InvalidTransition):
        transfer.ship(source, destination, STAMP)
    assert source.on_hand == 40


def test_approval_needs_the_units_to_be_available() -> None:
    transfer, source, _ = new_transfer(qty=60)
    with pytest.raises(InsufficientStock):
        transfer.approve(source, STAMP)
    assert transfer.state is TransferState.REQUESTED


def test_cancelling_an_approved_transfer_releases_the_reservation() -> None:
    transfer, source, _ = new_transfer()
    transfer.approve(source, STAMP)
    transfer.cancel(source, STAMP)
    assert source.reserved == 0 and transfer.state is TransferState.CANCELLED


def count_session() -> CountSession:
    return CountSession(1, "S01", "staff:1", AT)


def test_a_count_posts_the_variance_against_the_book_at_counting_time() -> None:
    position = StockPosition("S01", "COLA", on_hand=20)
    session = count_session()
    session.record(position, 18, 2.0, STAMP)
    position.on_hand -= 5  # five sold after the count, before approval
    session.submit()

    [movement] = session.approve({"COLA": position}, VarianceThreshold(), STAMP)

    assert movement.on_hand == -2 and position.on_hand == 13


def test_a_large_variance_needs_a_recount_before_approval() -> None:
    position = StockPosition("S01", "COLA", on_hand=100)
    session = count_session()
    session.record(position, 10, 50.0, STAMP)
    session.submit()
    threshold = VarianceThreshold(percent=10, value=100)

    with pytest.raises(InvalidTransition):
        session.approve({"COLA": position}, threshold, STAMP)
    session.request_recount()
    session.restart_line(position, STAMP)
    session.record(position, 12, 50.0, STAMP)
    session.submit()
    session.approve({"COLA": position}, threshold, STAMP)

    assert session.state is CountState.APPROVED and position.on_hand == 12


def test_entries_for_the_same_item_add_up() -> None:
    position = StockPosition("S01", "COLA", on_hand=9)
    session = count_session()
    session.record(position, 4, 1.0, STAMP)
    session.record(position, 5, 1.0, STAMP)
    assert session.lines["COLA"].counted == 9 and session.lines["COLA"].variance == 0


def test_an_empty_count_cannot_be_submitted() -> None:
    with pytest.raises(InvalidTransition):
        count_session().submit()
