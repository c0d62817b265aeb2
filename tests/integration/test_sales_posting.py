"""Live sales move stock through the ledger, once, in both databases."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.csvio.importer import Importer
from adapters.db.unit_of_work import UnitOfWorkFactory
from domain.sales import Receipt, ReceiptLine
from domain.services.sales import post_receipts
from tests.support.chain import write_chain

AT = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def load_chain(uow: UnitOfWorkFactory, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    Importer(uow, ZoneInfo("Asia/Shanghai"), clock).import_dir(write_chain(tmp_path))


def post(uow: UnitOfWorkFactory, *receipts: Receipt):  # type: ignore[no-untyped-def]
    return uow.run(lambda unit: post_receipts(unit, list(receipts), "test"))


def on_hand(uow: UnitOfWorkFactory, location: str, sku: str) -> int:
    with uow(readonly=True) as unit:
        return unit.stock.get(location, sku).on_hand


def test_the_same_receipt_posted_twice_has_one_effect(uow, clock, tmp_path: Path) -> None:
    load_chain(uow, clock, tmp_path)
    receipt = Receipt("LIVE-1", "S01", AT, [ReceiptLine("COLA330", 3, 3.5), ReceiptLine("CHIPS70", 1, 7.9)])

    first = post(uow, receipt)
    second = post(uow, receipt)

    assert [r.receipt_id for r in first.posted] == ["LIVE-1"]
    assert second.already_posted == ["LIVE-1"] and not second.posted
    assert on_hand(uow, "S01", "COLA330") == 7 and on_hand(uow, "S01", "CHIPS70") == 0


def test_a_receipt_with_an_unknown_sku_is_refused_whole(uow, clock, tmp_path: Path) -> None:
    load_chain(uow, clock, tmp_path)
    receipt = Receipt("LIVE-2", "S01", AT, [ReceiptLine("COLA330", 1, 3.5), ReceiptLine("GHOST", 1, 1.0)])

    report = post(uow, receipt)

    assert report.refused[0][1].code == "unknown_sku"
    assert on_hand(uow, "S01", "COLA330") == 10
    with uow(readonly=True) as unit:
        assert unit.receipts.existing_ids(["LIVE-2"]) == set()


def test_a_receipt_for_an_unknown_location_is_refused(uow, clock, tmp_path: Path) -> None:
    load_chain(uow, clock, tmp_path)
    report = post(uow, Receipt("LIVE-3", "S77", AT, [ReceiptLine("COLA330", 1, 3.5)]))
    assert report.refused[0][1].code == "unknown_location"


def test_positions_equal_the_ledger_after_sales_and_returns(uow, clock, tmp_path: Path) -> None:
    load_chain(uow, clock, tmp_path)
    post(
        uow,
        Receipt("A", "S01", AT, [ReceiptLine("COLA330", 4, 3.5)]),
        Receipt("B", "S02", AT, [ReceiptLine("COLA330", 30, 3.5)]),
        Receipt("C", "S01", AT, [ReceiptLine("COLA330", -1, 3.5)]),
        Receipt("D", "S03", AT, [ReceiptLine("COLA330", 1, 3.5)]),  # nothing on the shelf: refused
    )
    with uow(readonly=True) as unit:
        ledger = unit.stock.ledger_totals()
        for position in unit.stock.all_positions():
            assert ledger.get(position.key, (0, 0, 0, 0)) == (
                position.on_hand,
                position.reserved,
                position.in_transit_in,
                position.in_transit_out,
            )
    assert on_hand(uow, "S01", "COLA330") == 7 and on_hand(uow, "S02", "COLA330") == 0


def test_two_concurrent_sales_of_the_last_unit_one_succeeds(uow, clock, tmp_path: Path) -> None:
    load_chain(uow, clock, tmp_path)  # S01 has exactly one CHIPS70
    barrier = threading.Barrier(2)
    reports = []

    def sell(receipt_id: str) -> None:
        barrier.wait()
        reports.append(post(uow, Receipt(receipt_id, "S01", AT, [ReceiptLine("CHIPS70", 1, 7.9)])))

    threads = [threading.Thread(target=sell, args=(f"RACE-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(len(r.posted) for r in reports) == [0, 1]
    assert sum(len(r.refused) for r in reports) == 1
    assert on_hand(uow, "S01", "CHIPS70") == 0
