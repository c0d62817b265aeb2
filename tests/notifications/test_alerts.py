"""Low-stock alerts raised by the sale that caused them, one per position, closed on recovery."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from adapters.csvio.importer import Importer
from adapters.db.unit_of_work import UnitOfWorkFactory
from domain.alerts import AlertState, ThresholdBasis, Verdict
from domain.errors import NotAllowed
from domain.sales import Receipt, ReceiptLine
from domain.services.sales import post_receipts
from domain.stock import Stamp, write_off
from notifications.alerts import LowStockWatch, acknowledge_alert, snooze_alert, sweep_low_stock
from tests.support.chain import write_chain

S01_GROUP = -100101


@pytest.fixture
def shop(sqlite_database, clock, tmp_path: Path) -> UnitOfWorkFactory:  # type: ignore[no-untyped-def]
    return open_shop(UnitOfWorkFactory(sqlite_database), clock, tmp_path)


@pytest.fixture
def any_shop(uow: UnitOfWorkFactory, clock, tmp_path: Path) -> UnitOfWorkFactory:  # type: ignore[no-untyped-def]
    """The tiny chain on SQLite and on PostgreSQL (row locks and the one-open-alert constraint differ)."""
    return open_shop(uow, clock, tmp_path)


def open_shop(uow: UnitOfWorkFactory, clock, tmp_path: Path) -> UnitOfWorkFactory:  # type: ignore[no-untyped-def]
    Importer(uow, ZoneInfo("Asia/Shanghai"), clock).import_dir(write_chain(tmp_path / "chain"))
    with uow() as unit:
        unit.locations.link_chat("S01", S01_GROUP)
        unit.commit()
    uow.before_commit.append(LowStockWatch(clock))
    return uow


def sell(uow: UnitOfWorkFactory, clock, receipt_id: str, location: str, sku: str, qty: int):  # type: ignore[no-untyped-def]
    receipt = Receipt(receipt_id, location, clock() - timedelta(minutes=5), [ReceiptLine(sku, qty, 3.5)])
    return uow.run(lambda unit: post_receipts(unit, [receipt], "test"))


def open_alerts(uow: UnitOfWorkFactory):  # type: ignore[no-untyped-def]
    with uow(readonly=True) as unit:
        return unit.alerts.all_open()


def message(uow: UnitOfWorkFactory, key: str):  # type: ignore[no-untyped-def]
    with uow(readonly=True) as unit:
        return unit.outbox.by_key(key)


def messages_about(uow: UnitOfWorkFactory, alert_id: int) -> list:
    with uow(readonly=True) as unit:
        rows = unit.connection.execute(
            text("SELECT key, edits_key, facts, buttons, address FROM outbox_message WHERE key LIKE :k ORDER BY id"),
            {"k": f"low_stock:{alert_id}%"},
        )
        return list(rows)


def staff(uow: UnitOfWorkFactory, user_id: int):  # type: ignore[no-untyped-def]
    with uow(readonly=True) as unit:
        return unit.staff.get(user_id)


def test_a_sale_below_the_minimum_raises_an_alert_in_the_same_transaction(shop, clock) -> None:
    sell(shop, clock, "R1", "S01", "COLA330", 6)  # 10 -> 4, minimum 5

    [alert] = open_alerts(shop)
    assert (alert.location_code, alert.sku, alert.available) == ("S01", "COLA330", 4)
    assert alert.basis is ThresholdBasis.MIN_QTY and alert.reorder_point == 5
    row = message(shop, f"low_stock:{alert.id}")
    assert row.address == str(S01_GROUP) and row.event == "low_stock"
    actions = [button[1:] for line in json.loads(row.buttons) for button in line]
    assert actions == [["trq", ["COLA330"]], ["als", [str(alert.id)]], ["alo", [str(alert.id)]]]


def test_a_sale_that_leaves_stock_at_the_minimum_raises_nothing(shop, clock) -> None:
    sell(shop, clock, "R1", "S01", "COLA330", 5)  # 10 -> 5

    assert open_alerts(shop) == []


def test_further_sales_of_a_low_item_keep_one_open_alert_and_one_message(any_shop, clock) -> None:
    sell(any_shop, clock, "R1", "S01", "COLA330", 6)
    sell(any_shop, clock, "R2", "S01", "COLA330", 1)
    sell(any_shop, clock, "R3", "S01", "COLA330", 1)

    [alert] = open_alerts(any_shop)
    assert len(messages_about(any_shop, alert.id)) == 1


def test_recovery_closes_the_alert_and_edits_its_message(any_shop, clock) -> None:
    sell(any_shop, clock, "R1", "S01", "COLA330", 6)
    [alert] = open_alerts(any_shop)

    sell(any_shop, clock, "R2", "S01", "COLA330", -6)  # the customer brings them all back

    assert open_alerts(any_shop) == []
    edit = messages_about(any_shop, alert.id)[-1]
    assert edit.edits_key == f"low_stock:{alert.id}"
    assert json.loads(edit.facts)["status"] == "recovered" and json.loads(edit.buttons) == []
    sell(any_shop, clock, "R3", "S01", "COLA330", 7)
    [again] = open_alerts(any_shop)
    assert again.id != alert.id


def learn_sales_rates(uow: UnitOfWorkFactory, clock) -> None:  # type: ignore[no-untyped-def]
    """The scheduled sweep stores each position's daily sales, which sales then read."""
    assert uow.run(lambda unit: sweep_low_stock(unit, clock())) == []


def test_an_empty_shelf_of_the_stores_fast_mover_is_urgent(shop, clock) -> None:
    learn_sales_rates(shop, clock)
    sell(shop, clock, "R1", "S01", "COLA330", 10)

    [alert] = open_alerts(shop)
    assert alert.urgent and json.loads(message(shop, f"low_stock:{alert.id}").facts)["urgent"] is True


def test_without_a_minimum_the_replenishment_reorder_point_applies(shop, clock) -> None:
    with shop() as unit:
        unit.connection.execute(text("UPDATE stock_position SET reorder_point = 28 WHERE location_code = 'S02' AND sku = 'COLA330'"))
        unit.commit()

    sell(shop, clock, "R1", "S02", "COLA330", 3)  # 30 -> 27

    [alert] = open_alerts(shop)
    assert alert.basis is ThresholdBasis.REORDER_POINT and alert.location_code == "S02"
    assert messages_about(shop, alert.id) == []  # S02 has no group to tell


def test_without_any_reorder_point_a_few_days_of_cover_left_is_low(shop, clock) -> None:
    learn_sales_rates(shop, clock)  # one bag sold in the last 28 days
    sell(shop, clock, "R1", "S01", "CHIPS70", 1)  # the last bag

    [alert] = open_alerts(shop)
    assert alert.basis is ThresholdBasis.DAYS_OF_COVER and alert.sku == "CHIPS70"
    assert alert.reorder_point == pytest.approx(1 / 28 * 3)


def test_before_any_sweep_a_sale_knows_no_sales_rate_and_the_sweep_catches_up(shop, clock) -> None:
    sell(shop, clock, "R1", "S01", "CHIPS70", 1)  # the last bag, but no stored rate: no days-of-cover rule yet

    assert open_alerts(shop) == []
    changes = shop.run(lambda unit: sweep_low_stock(unit, clock()))
    assert [(c.verdict, c.alert.sku) for c in changes] == [(Verdict.RAISE, "CHIPS70")]


def test_the_sweep_finds_positions_that_became_low_without_a_movement(shop, clock) -> None:
    with shop() as unit:
        unit.connection.execute(text("UPDATE stock_position SET reorder_point = 600 WHERE location_code = 'W01' AND sku = 'COLA330'"))
        unit.commit()

    changes = shop.run(lambda unit: sweep_low_stock(unit, clock()))
    again = shop.run(lambda unit: sweep_low_stock(unit, clock()))

    assert [(c.alert.location_code, c.alert.sku) for c in changes] == [("W01", "COLA330")]
    assert again == []


def test_snooze_quiets_the_alert_for_a_day_then_the_sweep_wakes_it_with_a_new_message(shop, clock) -> None:
    sell(shop, clock, "R1", "S01", "COLA330", 6)
    [alert] = open_alerts(shop)
    clerk = staff(shop, 100001)

    shop.run(lambda unit: snooze_alert(unit, clerk, alert.id, clock()))
    clock.advance(hours=23)
    assert shop.run(lambda unit: sweep_low_stock(unit, clock())) == []
    clock.advance(hours=1)
    [woken] = shop.run(lambda unit: sweep_low_stock(unit, clock()))

    keys = [row.key for row in messages_about(shop, alert.id)]
    assert json.loads(messages_about(shop, alert.id)[1].facts)["status"] == "snoozed"
    assert woken.alert.state is AlertState.OPEN and keys[-1].startswith(f"low_stock:{alert.id}:woke:")


def test_ordered_records_who_and_when_and_keeps_the_alert_open(shop, clock) -> None:
    sell(shop, clock, "R1", "S01", "COLA330", 6)
    [alert] = open_alerts(shop)
    manager = staff(shop, 200001)

    shop.run(lambda unit: acknowledge_alert(unit, manager, alert.id, clock()))

    [acknowledged] = open_alerts(shop)
    assert acknowledged.state is AlertState.ACKNOWLEDGED
    assert (acknowledged.acknowledged_by, acknowledged.acknowledged_at) == ("staff:200001", clock())
    edit = messages_about(shop, alert.id)[-1]
    assert json.loads(edit.facts)["by"] == manager.name
    assert [b[1] for line in json.loads(edit.buttons) for b in line] == ["trq", "als"]


def test_staff_of_another_store_cannot_answer_the_alert(shop, clock) -> None:
    sell(shop, clock, "R1", "S01", "COLA330", 6)
    [alert] = open_alerts(shop)
    outsider = staff(shop, 200002)  # W01's manager

    with pytest.raises(NotAllowed):
        shop.run(lambda unit: acknowledge_alert(unit, outsider, alert.id, clock()))
    assert open_alerts(shop)[0].state is AlertState.OPEN


def test_a_failing_alert_check_never_costs_the_sale(shop, clock) -> None:
    with shop() as unit:
        unit.connection.execute(text("DROP TABLE low_stock_alert"))
        unit.commit()

    report = sell(shop, clock, "R1", "S01", "COLA330", 6)

    assert [r.receipt_id for r in report.posted] == ["R1"]
    with shop(readonly=True) as unit:
        assert unit.stock.get("S01", "COLA330").on_hand == 4


def test_any_committed_movement_is_checked_not_only_sales(shop, clock) -> None:
    with shop() as unit:  # a damaged case written off, as a count or transfer would move stock
        write_off(unit.stock.get("S01", "COLA330"), 7, Stamp(clock(), "staff:200001", "damage:1"))
        unit.commit()

    [alert] = open_alerts(shop)
    assert (alert.sku, alert.available) == ("COLA330", 3)


def test_two_sales_at_the_same_moment_open_one_alert(any_shop, clock) -> None:
    sales = [threading.Thread(target=sell, args=(any_shop, clock, f"C{qty}", "S01", "COLA330", qty)) for qty in (6, 2)]
    for sale in sales:
        sale.start()
    for sale in sales:
        sale.join()

    [alert] = open_alerts(any_shop)
    assert len(messages_about(any_shop, alert.id)) == 1
    with any_shop(readonly=True) as unit:
        assert unit.stock.get("S01", "COLA330").on_hand == 2
