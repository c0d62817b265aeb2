"""Count services against an in-memory unit of work: blind sheets, entries, recounts, approval, undo."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest

from domain.catalog import Product
from domain.counts import CountState, VarianceThreshold
from domain.errors import DomainError, NotAllowed
from domain.locations import Location, LocationKind
from domain.services import counts as service
from domain.services.counts import read_entry_lines
from domain.services.undo import undo_last
from domain.staff import Role, StaffMember
from domain.stock import MovementKind, Stamp, StockPosition, sell
from tests.domain.fakes import FakeCatalog, FakeLocations, FakeStaff, FakeStock, FakeUnitOfWork

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CLERK = StaffMember(1, "clerk", Role.STAFF, ["S01"])
MANAGER = StaffMember(2, "li", Role.MANAGER, ["S01"])
S02_MANAGER = StaffMember(3, "wu", Role.MANAGER, ["S02"])
S02_CLERK = StaffMember(4, "zhao", Role.STAFF, ["S02"])
ADMIN = StaffMember(9, "admin", Role.ADMIN, ["W01"])
THRESHOLD = VarianceThreshold(percent=10.0, value=200.0)
CARTON = "16901234567899"


def store(extra_products: int = 0) -> FakeUnitOfWork:
    """S01 carries cola (book 10, cost 2.10) and chips (book 1, cost 4.80); S02 carries cola only."""
    products = [
        Product("COLA330", "Cola 330ml", "drinks", "Coca-Cola", 3.5, 2.1, 24),
        Product("CHIPS70", "Chips 70g", "snacks", "Lay's", 7.9, 4.8, 12),
        *(Product(f"TEA{n:03}", f"Tea {n:03}", "drinks", "Tea Co", 5.0, 3.0) for n in range(extra_products)),
    ]
    positions = [
        StockPosition("S01", "COLA330", on_hand=10),
        StockPosition("S01", "CHIPS70", on_hand=1),
        StockPosition("S02", "COLA330", on_hand=30),
        *(StockPosition("S01", f"TEA{n:03}", on_hand=n + 7) for n in range(extra_products)),
    ]
    catalog = FakeCatalog(products)
    catalog.barcodes = {"06901234567892": ("COLA330", 1), CARTON: ("COLA330", 24)}
    uow = FakeUnitOfWork(
        locations=FakeLocations(
            [
                Location("S01", "Jing'an", LocationKind.STORE, "east", 31.2, 121.4, chat_id=-100),
                Location("S02", "Xuhui", LocationKind.STORE, "east", 31.1, 121.4),
            ]
        ),
        catalog=catalog,
        stock=FakeStock(positions),
        staff=FakeStaff([CLERK, MANAGER, S02_MANAGER, S02_CLERK, ADMIN]),
    )
    return uow


def enter(
    uow: FakeUnitOfWork, text: str, who: StaffMember = CLERK, at: datetime = NOW
) -> service.EntriesRecorded:
    return service.record_count_entries(uow, who, "S01", read_entry_lines(text), at)


def submitted(uow: FakeUnitOfWork, text: str) -> service.CountReport:
    service.open_count(uow, CLERK, "S01", None, NOW)
    enter(uow, text)
    return service.submit_count(uow, CLERK, "S01", THRESHOLD, NOW)


def on_hand(uow: FakeUnitOfWork, sku: str) -> int:
    return uow.stock.get("S01", sku).on_hand


# -- reading lines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code", "qty"),
    [
        ("COLA330 12", "COLA330", 12),
        ("cola330 x 12", "cola330", 12),
        ("COLA330×12", "COLA330", 12),
        ("ＣＯＬＡ３３０　１２", "COLA330", 12),
        ("6901234567892 * 2", "6901234567892", 2),
        ("COLA330 0", "COLA330", 0),
    ],
)
def test_a_line_is_a_code_and_a_whole_number_written_in_several_ways(typed: str, code: str, qty: int) -> None:
    [line] = read_entry_lines(typed)
    assert (line.code, line.qty, line.problem) == (code, qty, None)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("COLA330 -3", "count_quantity_negative"),
        ("COLA330 1.5", "count_quantity_fraction"),
        ("COLA330 6901234567892", "count_quantity_too_large"),
        ("COLA330 lots", "count_quantity_not_number"),
        ("two colas on the top shelf", "count_line_unreadable"),
    ],
)
def test_an_unacceptable_quantity_is_named_for_what_is_wrong_with_it(typed: str, problem: str) -> None:
    [line] = read_entry_lines(typed)
    assert line.problem == problem and line.qty is None


def test_a_code_alone_is_a_scan_and_blank_lines_are_ignored() -> None:
    lines = read_entry_lines("6901234567892\n\n  CHIPS70 3  \n")
    assert [(line.code, line.is_scan) for line in lines] == [("6901234567892", True), ("CHIPS70", False)]


# -- the blind sheet -------------------------------------------------------------------


def test_the_sheet_lists_what_the_store_carries_and_never_the_book() -> None:
    uow = store()

    sheet = service.open_count(uow, CLERK, "S01", None, NOW)

    assert [item.sku for item in sheet.items] == ["COLA330", "CHIPS70"]  # by category: drinks, snacks
    assert all(set(asdict(item)) == {"sku", "name", "counted"} for item in sheet.items)
    assert {"on_hand", "book"}.isdisjoint(asdict(sheet.progress))
    assert sheet.progress.listed == 2 and sheet.progress.counted_items == 0


def test_a_category_count_lists_only_that_category_and_an_unknown_one_names_the_choices() -> None:
    uow = store()
    with pytest.raises(DomainError) as refusal:
        service.open_count(uow, CLERK, "S01", "toys", NOW)
    assert refusal.value.code == "count_unknown_category" and refusal.value.facts["categories"] == [
        "drinks",
        "snacks",
    ]

    sheet = service.open_count(uow, CLERK, "S01", "SNACKS", NOW)

    assert [item.sku for item in sheet.items] == ["CHIPS70"] and sheet.progress.category == "snacks"


def test_a_long_sheet_comes_in_pages_of_twenty() -> None:
    uow = store(extra_products=25)
    service.open_count(uow, CLERK, "S01", None, NOW)

    second = service.count_sheet(uow, CLERK, "S01", 1)

    assert (second.page, second.pages, len(second.items)) == (1, 2, 27 - service.SHEET_PAGE)


def test_a_second_count_at_the_same_store_is_refused_saying_how_far_the_first_is() -> None:
    uow = store()
    service.open_count(uow, CLERK, "S01", None, NOW)
    enter(uow, "COLA330 4")

    with pytest.raises(DomainError) as refusal:
        service.open_count(uow, MANAGER, "S01", "drinks", NOW)

    assert refusal.value.code == "count_already_open"
    assert (refusal.value.facts["counted_items"], refusal.value.facts["listed"]) == (1, 2)


def test_staff_count_only_at_their_own_store() -> None:
    uow = store()
    with pytest.raises(NotAllowed):
        service.open_count(uow, S02_CLERK, "S01", None, NOW)


# -- entries ---------------------------------------------------------------------------


def test_entries_add_up_and_each_answer_carries_the_running_total() -> None:
    uow = store()
    service.open_count(uow, CLERK, "S01", None, NOW)

    first = enter(uow, "COLA330 12\nCHIPS70 3")
    second = enter(uow, "cola330 5")

    assert [(e.sku, e.units, e.total) for e in first.recorded] == [("COLA330", 12, 12), ("CHIPS70", 3, 3)]
    assert [(e.sku, e.units, e.total) for e in second.recorded] == [("COLA330", 5, 17)]
    assert service.count_sheet(uow, CLERK, "S01", 0).progress.counted_units == 20


def test_a_unit_barcode_counts_one_and_a_carton_barcode_counts_its_pack_or_that_many_cartons() -> None:
    uow = store()
    service.open_count(uow, CLERK, "S01", None, NOW)

    recorded = enter(uow, f"6901234567892\n{CARTON}\n{CARTON} x 2").recorded

    assert [(e.units, e.per_code) for e in recorded] == [(1, 1), (24, 24), (48, 24)]
    assert recorded[-1].total == 1 + 24 + 48


def test_bad_lines_are_refused_one_by_one_and_the_good_lines_are_still_recorded() -> None:
    uow = store()
    service.open_count(uow, CLERK, "S01", None, NOW)

    result = enter(uow, "COLA330 2\nNOSUCH 4\nCHIPS70 -1\n4006381333931\nCHIPS70 1")

    assert [e.sku for e in result.recorded] == ["COLA330", "CHIPS70"]
    assert [(r.text, r.reason) for r in result.refused] == [
        ("NOSUCH 4", "count_unknown_code"),
        ("CHIPS70 -1", "count_quantity_negative"),
        ("4006381333931", "count_unknown_barcode"),
    ]


def test_a_category_count_refuses_items_of_other_categories() -> None:
    uow = store()
    service.open_count(uow, CLERK, "S01", "snacks", NOW)

    result = enter(uow, "COLA330 2")

    assert not result.recorded and result.refused[0].reason == "count_other_category"


def test_nothing_is_recorded_when_no_count_is_open() -> None:
    uow = store()
    with pytest.raises(DomainError) as refusal:
        service.record_count_entry(uow, CLERK, "S01", "COLA330", 3, NOW)
    assert refusal.value.code == "count_not_open" and uow.commits == 0


def test_a_single_decoded_product_is_counted_or_its_refusal_raised() -> None:
    uow = store()
    service.open_count(uow, CLERK, "S01", "drinks", NOW)

    entry = service.record_count_entry(uow, CLERK, "S01", CARTON, None, NOW)
    with pytest.raises(DomainError) as refusal:
        service.record_count_entry(uow, CLERK, "S01", "CHIPS70", 1, NOW)

    assert (entry.sku, entry.units) == ("COLA330", 24)
    assert refusal.value.code == "count_other_category"


# -- submission, recount and approval --------------------------------------------------


def test_the_report_gives_each_variance_in_units_and_value_largest_value_first() -> None:
    uow = store()

    report = submitted(uow, "COLA330 8\nCHIPS70 0")  # cola -2 x 2.10, chips -1 x 4.80

    assert [(line.sku, line.book, line.counted, line.variance, line.value) for line in report.lines] == [
        ("CHIPS70", 1, 0, -1, -4.8),
        ("COLA330", 10, 8, -2, -4.2),
    ]
    assert (report.units, report.value, report.needs_recount) == (-3, -9.0, False)
    assert report.approvers == [MANAGER.telegram_user_id]


def test_items_on_the_sheet_nobody_counted_are_listed_apart_and_not_adjusted() -> None:
    uow = store()
    report = submitted(uow, "COLA330 10")
    service.approve_count(uow, MANAGER, report.count_id, THRESHOLD, NOW)

    assert report.uncounted == ["Chips 70g"] and report.matching == 1
    assert on_hand(uow, "CHIPS70") == 1


def test_a_variance_over_the_threshold_needs_a_recount_before_approval() -> None:
    uow = store()
    report = submitted(uow, "COLA330 200")  # +190 units, +399.00 at cost: over 10% and over 200

    with pytest.raises(DomainError) as refusal:
        service.approve_count(uow, MANAGER, report.count_id, THRESHOLD, NOW)

    assert report.needs_recount and [line.sku for line in report.flagged] == ["COLA330"]
    assert refusal.value.code == "count_recount_required" and on_hand(uow, "COLA330") == 10


def test_a_variance_over_only_one_of_percent_and_value_needs_no_recount() -> None:
    uow = store()
    report = submitted(uow, "COLA330 30")  # +200% but only +42.00
    assert not report.needs_recount


def test_a_recount_restarts_the_flagged_lines_from_zero_and_the_second_count_can_be_approved() -> None:
    uow = store()
    report = submitted(uow, "COLA330 200\nCHIPS70 2")

    decided = service.request_recount(uow, MANAGER, report.count_id, THRESHOLD, NOW)
    sheet = service.count_sheet(uow, CLERK, "S01", 0)
    enter(uow, "COLA330 150")
    second = service.submit_count(uow, CLERK, "S01", THRESHOLD, NOW)
    service.approve_count(uow, MANAGER, second.count_id, THRESHOLD, NOW)

    assert [item.sku for item in decided.recount] == ["COLA330"] and decided.store_chat_id == -100
    assert {item.sku: item.counted for item in sheet.items} == {"COLA330": 0, "CHIPS70": 2}
    assert not second.needs_recount and second.recounts == 1
    assert (on_hand(uow, "COLA330"), on_hand(uow, "CHIPS70")) == (150, 2)


def test_approval_posts_the_variance_against_the_book_when_the_item_was_counted() -> None:
    uow = store()
    report = submitted(uow, "COLA330 9")  # one missing against a book of 10
    sell(uow.stock.get("S01", "COLA330"), 2, Stamp(NOW + timedelta(minutes=5), "pos", "receipt:R1"))
    uow.commit()

    decided = service.approve_count(uow, MANAGER, report.count_id, THRESHOLD, NOW + timedelta(minutes=10))

    adjustments = [m for m in uow.stock.ledger if m.kind is MovementKind.COUNT_ADJUSTMENT]
    assert [(m.sku, m.on_hand, m.reference) for m in adjustments] == [
        ("COLA330", -1, f"count:{report.count_id}")
    ]
    assert on_hand(uow, "COLA330") == 10 - 2 - 1
    assert (decided.adjustments, decided.units) == (1, -1)


@pytest.mark.parametrize("who", [CLERK, S02_MANAGER])
def test_only_a_manager_of_the_store_or_an_admin_may_approve(who: StaffMember) -> None:
    uow = store()
    report = submitted(uow, "COLA330 9")

    with pytest.raises(NotAllowed):
        service.approve_count(uow, who, report.count_id, THRESHOLD, NOW)
    service.approve_count(uow, ADMIN, report.count_id, THRESHOLD, NOW)

    assert on_hand(uow, "COLA330") == 9


def test_a_second_approval_posts_nothing_more() -> None:
    uow = store()
    report = submitted(uow, "COLA330 9")
    service.approve_count(uow, MANAGER, report.count_id, THRESHOLD, NOW)

    with pytest.raises(DomainError) as refusal:
        service.approve_count(uow, ADMIN, report.count_id, THRESHOLD, NOW)

    assert refusal.value.code == "count_not_awaiting_approval" and refusal.value.facts["state"] == "approved"
    assert len([m for m in uow.stock.ledger if m.kind is MovementKind.COUNT_ADJUSTMENT]) == 1


def test_a_new_count_waits_until_the_submitted_one_is_decided() -> None:
    uow = store()
    submitted(uow, "COLA330 9")
    with pytest.raises(DomainError) as refusal:
        service.open_count(uow, CLERK, "S01", None, NOW)
    assert refusal.value.code == "count_awaiting_approval"


def test_only_a_manager_may_cancel_a_count_and_cancelling_posts_nothing() -> None:
    uow = store()
    service.open_count(uow, CLERK, "S01", None, NOW)
    enter(uow, "COLA330 1")

    with pytest.raises(NotAllowed):
        service.cancel_count(uow, CLERK, "S01")
    decided = service.cancel_count(uow, MANAGER, "S01")

    assert uow.counts.get(decided.count_id).state is CountState.CANCELLED
    assert service.count_progress(uow, "S01") is None and on_hand(uow, "COLA330") == 10


# -- undo ------------------------------------------------------------------------------


def test_undo_takes_back_exactly_the_last_message_of_entries() -> None:
    uow = store()
    service.open_count(uow, CLERK, "S01", None, NOW)
    enter(uow, "COLA330 5")
    enter(uow, "COLA330 7\nCHIPS70 2")

    undone = undo_last(uow, CLERK, NOW + timedelta(minutes=1), timedelta(minutes=5))

    counted = uow.counts.active_at("S01").lines
    assert (counted["COLA330"].counted, counted["CHIPS70"].counted) == (5, 0)
    assert [(line["sku"], line["units"], line["total"]) for line in undone.facts["lines"]] == [
        ("COLA330", 7, 5),
        ("CHIPS70", 2, 0),
    ]


def test_an_entry_cannot_be_undone_once_the_count_is_submitted() -> None:
    uow = store()
    report = submitted(uow, "COLA330 9")

    with pytest.raises(DomainError) as refusal:
        undo_last(uow, CLERK, NOW, timedelta(minutes=5))

    assert refusal.value.code == "count_entry_submitted"
    assert uow.counts.get(report.count_id).lines["COLA330"].counted == 9
