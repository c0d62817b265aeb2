"""Transfer services against an in-memory unit of work: sourcing, roles, and where the units go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.catalog import Product
from domain.errors import (
    DomainError,
    InsufficientStock,
    InvalidQuantity,
    InvalidTransition,
    NotAllowed,
    NotFound,
)
from domain.locations import Location, LocationKind
from domain.services import transfers as service
from domain.services.undo import undo_last
from domain.staff import Role, StaffMember
from domain.stock import MovementKind, StockPosition, chain_units
from domain.transfers import TransferState
from tests.domain.fakes import FakeCatalog, FakeLocations, FakeStaff, FakeStock, FakeUnitOfWork

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CLERK = StaffMember(1, "clerk", Role.STAFF, ["S01"])
S01_MANAGER = StaffMember(2, "li", Role.MANAGER, ["S01"])
W01_MANAGER = StaffMember(3, "zhang", Role.MANAGER, ["W01"])
S02_MANAGER = StaffMember(4, "wu", Role.MANAGER, ["S02"])
W01_CLERK = StaffMember(5, "packer", Role.STAFF, ["W01"])
ADMIN = StaffMember(9, "admin", Role.ADMIN, ["W01"])


def chain(**on_hand: int) -> FakeUnitOfWork:
    """S01 (the requester's store), S02 4 km away, W01 19 km away, S03 in Hangzhou; stock of COLA per location."""
    locations = [
        Location("S01", "Jing'an", LocationKind.STORE, "east", 31.2243, 121.4460),
        Location("S02", "Xuhui", LocationKind.STORE, "east", 31.1880, 121.4370),
        Location("S03", "West Lake", LocationKind.STORE, "east", 30.2590, 120.1480),
        Location("W01", "Central", LocationKind.WAREHOUSE, "east", 31.1000, 121.3000),
    ]
    positions = [StockPosition(code, "COLA", on_hand=units) for code, units in on_hand.items()]
    return FakeUnitOfWork(
        locations=FakeLocations(locations),
        catalog=FakeCatalog([Product("COLA", "Cola 330ml", "drinks", "Coke", 3.5, 2.1, 24)]),
        stock=FakeStock(positions),
        staff=FakeStaff([CLERK, S01_MANAGER, W01_MANAGER, S02_MANAGER, W01_CLERK, ADMIN]),
    )


def sell_daily(uow: FakeUnitOfWork, location: str, per_day: int, days: int = 28) -> None:
    for day in range(1, days + 1):
        uow.receipts.sales.append((location, "COLA", per_day, NOW - timedelta(days=day)))


def requested(uow: FakeUnitOfWork, qty: int = 12, source: str | None = "W01") -> int:
    return service.request_transfer(uow, CLERK, "COLA", qty, "S01", source, NOW).transfer.id


def shipped(uow: FakeUnitOfWork, qty: int = 12) -> int:
    transfer_id = requested(uow, qty)
    service.approve_transfer(uow, W01_MANAGER, transfer_id, NOW)
    service.ship_transfer(uow, W01_CLERK, transfer_id, NOW)
    return transfer_id


def test_the_proposed_source_is_the_nearest_with_surplus_above_its_own_needs() -> None:
    uow = chain(S01=2, S02=30, W01=500)
    sell_daily(uow, "S02", 2)  # two weeks of its sales is 28: only 2 to spare

    news = service.request_transfer(uow, CLERK, "COLA", 12, "S01", None, NOW)

    assert news.source.code == "W01" and news.proposal is not None
    assert news.proposal.need == 0 and news.proposal.surplus == 500


def test_a_nearer_store_with_enough_surplus_wins_over_the_warehouse() -> None:
    uow = chain(S01=2, S02=30, W01=500)
    sell_daily(uow, "S02", 1, days=7)  # 7 units in 28 days: needs 4, can spare 26

    news = service.request_transfer(uow, CLERK, "COLA", 12, "S01", None, NOW)

    assert news.source.code == "S02" and news.proposal.need == 4


def test_a_minimum_or_reorder_point_counts_as_need_when_larger_than_sales() -> None:
    uow = chain(S01=2, S02=30, W01=500)
    uow.stock.get("S02", "COLA").min_qty = 10
    uow.catalog.reorder["COLA"] = {"S02": 25.0}

    news = service.request_transfer(uow, CLERK, "COLA", 12, "S01", None, NOW)

    assert news.source.code == "W01"
    assert service.need_of(uow.stock.get("S02", "COLA"), 25.0, 0.5) == 25


def test_old_sales_outside_the_four_weeks_do_not_count() -> None:
    uow = chain(S01=2, S02=30)
    uow.receipts.sales.append(("S02", "COLA", 500, NOW - timedelta(days=29)))

    news = service.request_transfer(uow, CLERK, "COLA", 12, "S01", None, NOW)

    assert news.source.code == "S02"


def test_nobody_with_surplus_is_a_refusal_naming_the_best_there_is() -> None:
    uow = chain(S01=2, S02=30, W01=5)
    sell_daily(uow, "S02", 1)  # needs 14 of its 30

    with pytest.raises(DomainError) as refusal:
        service.request_transfer(uow, CLERK, "COLA", 20, "S01", None, NOW)

    assert refusal.value.code == "no_transfer_source"
    assert (refusal.value.facts["best_location"], refusal.value.facts["best_surplus"]) == ("S02", 16)
    assert uow.transfers.rows == {} and uow.commits == 0


def test_a_requester_never_gets_their_own_store_proposed_or_may_name_it() -> None:
    uow = chain(S01=2, S02=30, W01=500)
    two_stores = StaffMember(6, "roving", Role.MANAGER, ["S01", "S02"])

    news = service.request_transfer(uow, two_stores, "COLA", 12, "S01", None, NOW)
    with pytest.raises(DomainError) as refusal:
        service.request_transfer(uow, two_stores, "COLA", 12, "S01", "S02", NOW)

    assert news.source.code == "W01"
    assert refusal.value.code == "own_store_source"


@pytest.mark.parametrize(
    ("sku", "qty", "source", "code"),
    [
        ("NOPE", 12, "W01", "unknown_sku"),
        ("COLA", 12, "X99", "unknown_location"),
        ("COLA", 12, "S01", "same_location"),
        ("COLA", 0, "W01", "invalid_quantity"),
        ("COLA", -3, "W01", "invalid_quantity"),
        ("COLA", 10_000_000, "W01", "invalid_quantity"),
        ("COLA", 501, "W01", "insufficient_stock"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(sku: str, qty: int, source: str, code: str) -> None:
    uow = chain(S01=2, W01=500)

    with pytest.raises(DomainError) as refusal:
        service.request_transfer(uow, CLERK, sku, qty, "S01", source, NOW)

    assert refusal.value.code == code
    assert uow.transfers.rows == {} and uow.actions.rows == [] and uow.commits == 0


def test_the_request_reaches_the_source_managers_and_can_be_undone() -> None:
    uow = chain(S01=2, W01=500)

    news = service.request_transfer(uow, CLERK, "COLA", 12, "S01", "W01", NOW)
    undone = undo_last(uow, CLERK, NOW + timedelta(minutes=1), timedelta(minutes=5))

    assert [m.telegram_user_id for m in news.managers] == [W01_MANAGER.telegram_user_id]
    assert undone.facts["transfer_id"] == news.transfer.id
    assert uow.transfers.get(news.transfer.id).state is TransferState.CANCELLED


def test_a_request_somebody_approved_can_no_longer_be_undone() -> None:
    uow = chain(S01=2, W01=500)
    transfer_id = requested(uow)
    service.approve_transfer(uow, W01_MANAGER, transfer_id, NOW)

    with pytest.raises(DomainError) as refusal:
        undo_last(uow, CLERK, NOW, timedelta(minutes=5))

    assert refusal.value.code == "transfer_not_undoable"
    assert uow.transfers.get(transfer_id).state is TransferState.APPROVED


@pytest.mark.parametrize("who", [CLERK, W01_CLERK, S01_MANAGER, S02_MANAGER], ids=lambda s: s.name)
def test_only_a_manager_of_the_source_or_an_admin_may_approve(who: StaffMember) -> None:
    uow = chain(S01=2, W01=500)
    transfer_id = requested(uow)

    with pytest.raises(NotAllowed):
        service.approve_transfer(uow, who, transfer_id, NOW)

    assert uow.transfers.get(transfer_id).state is TransferState.REQUESTED
    assert uow.stock.get("W01", "COLA").reserved == 0


def test_an_admin_may_approve_anything() -> None:
    uow = chain(S01=2, W01=500)
    transfer_id = requested(uow)

    service.approve_transfer(uow, ADMIN, transfer_id, NOW)

    assert uow.transfers.get(transfer_id).approved_by == ADMIN.actor


def test_approval_reserves_at_the_source_and_a_second_approval_is_refused() -> None:
    uow = chain(S01=2, W01=500)
    transfer_id = requested(uow)

    service.approve_transfer(uow, W01_MANAGER, transfer_id, NOW)
    with pytest.raises(InvalidTransition):
        service.approve_transfer(uow, ADMIN, transfer_id, NOW)

    source = uow.stock.get("W01", "COLA")
    assert (source.on_hand, source.reserved, source.available) == (500, 12, 488)
    assert [m.kind for m in uow.stock.ledger] == [MovementKind.TRANSFER_RESERVE]


def test_approval_is_refused_when_the_source_sold_the_units_meanwhile() -> None:
    uow = chain(S01=2, W01=20)
    transfer_id = requested(uow, qty=12)
    uow.stock.get("W01", "COLA").on_hand = 5

    with pytest.raises(InsufficientStock):
        service.approve_transfer(uow, W01_MANAGER, transfer_id, NOW)

    assert uow.transfers.get(transfer_id).state is TransferState.REQUESTED


def test_only_staff_of_the_source_ship_and_shipping_twice_is_refused() -> None:
    uow = chain(S01=2, W01=500)
    transfer_id = requested(uow)
    service.approve_transfer(uow, W01_MANAGER, transfer_id, NOW)

    with pytest.raises(NotAllowed):
        service.ship_transfer(uow, CLERK, transfer_id, NOW)
    service.ship_transfer(uow, W01_CLERK, transfer_id, NOW)
    with pytest.raises(InvalidTransition):
        service.ship_transfer(uow, W01_CLERK, transfer_id, NOW)

    source, destination = uow.stock.get("W01", "COLA"), uow.stock.get("S01", "COLA")
    assert (source.on_hand, source.reserved, source.in_transit_out, destination.in_transit_in) == (488, 0, 12, 12)


def test_receiving_everything_lands_it_at_the_destination() -> None:
    uow = chain(S01=2, W01=500)
    transfer_id = shipped(uow)

    news = service.receive_transfer(uow, CLERK, transfer_id, 12, NOW)

    assert news.transfer.state is TransferState.RECEIVED and news.managers == []
    destination = uow.stock.get("S01", "COLA")
    assert (destination.on_hand, destination.in_transit_in) == (14, 0)


def test_a_short_receipt_is_written_off_and_both_stores_managers_are_told() -> None:
    uow = chain(S01=2, W01=500)
    before = chain_units(uow.stock.all_positions())
    transfer_id = shipped(uow)

    news = service.receive_transfer(uow, CLERK, transfer_id, 9, NOW)

    assert news.transfer.discrepancy == 3 and uow.stock.get("S01", "COLA").on_hand == 11
    assert {m.telegram_user_id for m in news.managers} == {S01_MANAGER.telegram_user_id, W01_MANAGER.telegram_user_id}
    write_offs = [m for m in uow.stock.ledger if m.kind is MovementKind.WRITE_OFF]
    assert [(m.location_code, m.on_hand) for m in write_offs] == [("S01", -3)]
    assert chain_units(uow.stock.all_positions()) == before - news.transfer.discrepancy


def test_units_are_conserved_through_a_full_transfer() -> None:
    uow = chain(S01=2, S02=30, W01=500)
    before = chain_units(uow.stock.all_positions())

    service.receive_transfer(uow, CLERK, shipped(uow, qty=24), 24, NOW)

    assert chain_units(uow.stock.all_positions()) == before
    assert sum(m.on_hand for m in uow.stock.ledger) == 0


def test_receipt_is_for_the_destination_and_cannot_exceed_what_was_shipped() -> None:
    uow = chain(S01=2, W01=500)
    transfer_id = shipped(uow)

    with pytest.raises(NotAllowed):
        service.receive_transfer(uow, W01_CLERK, transfer_id, 12, NOW)
    with pytest.raises(InvalidQuantity):
        service.receive_transfer(uow, CLERK, transfer_id, 13, NOW)

    assert uow.transfers.get(transfer_id).state is TransferState.SHIPPED


def test_a_rejection_needs_an_approver_and_ends_the_request() -> None:
    uow = chain(S01=2, W01=500)
    transfer_id = requested(uow)

    with pytest.raises(NotAllowed):
        service.reject_transfer(uow, CLERK, transfer_id, NOW)
    service.reject_transfer(uow, W01_MANAGER, transfer_id, NOW)

    assert uow.transfers.get(transfer_id).state is TransferState.REJECTED
    with pytest.raises(InvalidTransition):
        service.approve_transfer(uow, W01_MANAGER, transfer_id, NOW)


def test_the_requester_may_cancel_an_approved_transfer_and_the_reservation_is_released() -> None:
    uow = chain(S01=2, W01=500)
    transfer_id = requested(uow)
    service.approve_transfer(uow, W01_MANAGER, transfer_id, NOW)

    with pytest.raises(NotAllowed):
        service.cancel_transfer(uow, S01_MANAGER, transfer_id, NOW)
    service.cancel_transfer(uow, CLERK, transfer_id, NOW)

    assert uow.stock.get("W01", "COLA").reserved == 0
    assert uow.transfers.get(transfer_id).state is TransferState.CANCELLED


def test_a_shipped_transfer_cannot_be_cancelled() -> None:
    uow = chain(S01=2, W01=500)
    transfer_id = shipped(uow)

    with pytest.raises(InvalidTransition):
        service.cancel_transfer(uow, CLERK, transfer_id, NOW)


def test_an_unknown_transfer_is_not_found() -> None:
    with pytest.raises(NotFound) as refusal:
        service.approve_transfer(chain(W01=5), ADMIN, 42, NOW)
    assert refusal.value.code == "unknown_transfer"


def test_open_transfers_list_both_directions_with_their_age() -> None:
    uow = chain(S01=20, W01=500)
    inbound = requested(uow)
    outbound = service.request_transfer(uow, W01_MANAGER, "COLA", 3, "W01", "S01", NOW).transfer.id
    service.reject_transfer(uow, W01_MANAGER, requested(uow), NOW)

    listed = service.open_transfers(uow, CLERK, "S01", NOW + timedelta(hours=3))

    assert [(o.transfer.id, o.outgoing) for o in listed] == [(inbound, False), (outbound, True)]
    assert listed[0].age == timedelta(hours=3)
