"""The replenishment engine over the real database: frames read like the CSV loader's, plans stored
with their reorder points, and approvals that place each order once."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import select

from adapters.analytics_frames import load_chain_frames
from adapters.csvio.importer import Importer
from adapters.db.chain_frames_db import load_chain_frames_db
from adapters.db.tables import OutboxMessageRow
from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.demo_chain import generate_demo_chain
from adapters.templates import TEMPLATES_DIR, render
from domain.services.replenishment import APPROVED, approve_all, store_plan
from notifications.replenishment import email_purchase_orders, plan_section_provider
from tests.support.chain import write_chain

TZ = "Asia/Shanghai"
LAST_DAY = date(2026, 10, 31)


@pytest.fixture(scope="module")
def small_chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("small_chain")
    generate_demo_chain(directory, stores=3, skus=40, days=60, end_date=LAST_DAY, members=30)
    return directory


def imported(uow: UnitOfWorkFactory, directory: Path, clock) -> UnitOfWorkFactory:  # type: ignore[no-untyped-def]
    Importer(uow, ZoneInfo(TZ), clock).import_dir(directory)
    return uow


def frames_from_db(uow: UnitOfWorkFactory, before: date | None = None):  # type: ignore[no-untyped-def]
    with uow(readonly=True) as unit:
        return load_chain_frames_db(unit.connection, TZ, before)


def by_key(sales: pd.DataFrame) -> pd.DataFrame:
    return sales.sort_values(["location_code", "sku", "date"]).reset_index(drop=True)


def test_daily_sales_from_the_database_equal_those_summed_from_the_csv_files(uow, clock, small_chain: Path) -> None:
    from_db = frames_from_db(imported(uow, small_chain, clock))
    from_csv = load_chain_frames(small_chain)

    db, csv = by_key(from_db.sales), by_key(from_csv.sales)
    assert len(db) == len(csv) > 0
    assert (db[["location_code", "sku"]].to_numpy() == csv[["location_code", "sku"]].to_numpy()).all()
    assert (db["date"].to_numpy() == csv["date"].to_numpy()).all()
    assert db["qty"].to_numpy() == pytest.approx(csv["qty"].to_numpy())
    assert db["promo"].to_numpy() == pytest.approx(csv["promo"].to_numpy())
    assert db["avg_price"].to_numpy() == pytest.approx(csv["avg_price"].to_numpy(), rel=1e-3)
    assert sorted(from_db.suppliers["supplier_code"].unique()) == sorted(from_csv.suppliers["supplier_code"].unique())
    assert len(from_db.positions) == len(from_csv.positions)


def test_only_days_before_the_cut_are_read_and_a_day_is_the_shops_local_day(uow, clock, tmp_path: Path) -> None:
    # H-1 is 09:15 in Shanghai on 1 November (01:15 UTC); H-2 has no zone: read as Shanghai time on 2 November.
    loaded = imported(uow, write_chain(tmp_path), clock)

    every_day = frames_from_db(loaded).sales
    before_second = frames_from_db(loaded, date(2026, 11, 2)).sales

    assert sorted(every_day["date"].dt.date.unique()) == [date(2026, 11, 1), date(2026, 11, 2)]
    assert set(before_second["date"].dt.date) == {date(2026, 11, 1)}
    h2 = every_day[every_day["location_code"] == "S02"].iloc[0]
    assert (h2["qty"], h2["promo"], h2["avg_price"]) == (6.0, 1.0, pytest.approx(2.99))


def plan_line(location: str, sku: str, qty: int, kind: str, source: str, pack: int = 1) -> dict:
    facts = {"kind": kind, "pack_size": pack, "qty": qty, "source_code": source}
    return {
        "location_code": location, "sku": sku, "on_hand": 1.0, "in_transit": 0.0, "forecast_daily": 2.0,
        "safety_stock": 3.0, "reorder_point": 9.0, "order_up_to": 20.0, "suggested_qty": qty,
        "source_kind": kind, "source_code": source, "reason_facts": facts,
    }  # fmt: skip


def test_a_stored_plan_writes_reorder_points_to_positions_and_replaces_an_undecided_plan(uow, clock, tmp_path: Path) -> None:
    loaded = imported(uow, write_chain(tmp_path), clock)
    day = date(2026, 11, 3)
    points = [{"location_code": "S01", "sku": "COLA330", "reorder_point": 12.5},
              {"location_code": "S02", "sku": "COLA330", "reorder_point": 7.0}]  # fmt: skip

    loaded.run(lambda unit: store_plan(unit, day, [plan_line("S01", "COLA330", 48, "supplier", "SUP1", 24)], points, clock()))
    stored = loaded.run(lambda unit: store_plan(unit, day, [plan_line("S01", "CHIPS70", 12, "supplier", "SUP2", 12)], points, clock()))

    with loaded(readonly=True) as unit:
        assert unit.catalog.reorder_points("COLA330") == {"S01": 12.5, "S02": 7.0}
        lines = unit.replenishment.lines(stored.plan_id)
    assert [(line.sku, line.qty, line.pack_size, line.state) for line in lines] == [("CHIPS70", 12, 12, "proposed")]


def test_approving_twice_places_each_purchase_order_once(uow, clock, tmp_path: Path) -> None:
    loaded = imported(uow, write_chain(tmp_path), clock)
    manager = loaded.run(lambda unit: unit.staff.get(200001))
    lines = [plan_line("S01", "COLA330", 48, "supplier", "SUP1", 24), plan_line("S01", "CHIPS70", 24, "supplier", "SUP2", 12)]
    stored = loaded.run(lambda unit: store_plan(unit, date(2026, 11, 3), lines, [], clock()))

    first = loaded.run(lambda unit: approve_all(unit, manager, stored.plan_id, "S01", clock()))
    second = loaded.run(lambda unit: approve_all(unit, manager, stored.plan_id, "S01", clock() + timedelta(seconds=1)))

    with loaded(readonly=True) as unit:
        orders = unit.replenishment.purchase_orders(stored.plan_id)
        states = {line.sku: line.state for line in unit.replenishment.lines(stored.plan_id)}
    assert sorted((o.supplier_code, [(x.sku, x.qty, x.unit_cost) for x in o.lines]) for o in orders) == [
        ("SUP1", [("COLA330", 48, 2.0)]), ("SUP2", [("CHIPS70", 24, 4.6)]),
    ]  # fmt: skip
    assert len(first.orders) == 2 and second.orders == [] and second.approved == []
    assert states == {"COLA330": APPROVED, "CHIPS70": APPROVED}


def test_the_digest_shows_a_manager_the_plan_of_their_store_and_only_suppliers_with_an_address_get_email(uow, clock, tmp_path: Path) -> None:
    loaded = imported(uow, write_chain(tmp_path), clock)
    lines = [plan_line("S01", "COLA330", 48, "supplier", "SUP1", 24), plan_line("S01", "CHIPS70", 24, "supplier", "SUP2", 12),
             plan_line("W01", "HOTPOT1", 30, "supplier", "SUP2", 10)]  # fmt: skip
    stored = loaded.run(lambda unit: store_plan(unit, date(2026, 11, 20), lines, [], clock()))
    digest = json.loads((TEMPLATES_DIR / "notifications/digest/sample.json").read_text(encoding="utf-8"))
    digest = digest[0] if isinstance(digest, list) else digest

    with loaded() as unit:
        manager = unit.staff.get(200001)
        section = plan_section_provider(ZoneInfo(TZ))(unit, manager, clock())
        approval = approve_all(unit, manager, stored.plan_id, "S01", clock(), email_purchase_orders(ZoneInfo(TZ)))
        emails = [row for row in unit.connection.execute(select(OutboxMessageRow.__table__)).mappings()]

    assert [loc["code"] for loc in section.facts["locations"]] == ["S01"]  # not W01's line
    for lang in ("en", "zh"):
        text = render("notifications/digest/telegram", lang, html=True,
                      **{**digest, "extra_sections": [{"template": section.template, "facts": section.facts}]})  # fmt: skip
        assert "COLA330 ×48" in text and "CHIPS70 ×24" in text and "HOTPOT1" not in text
    assert len(approval.orders) == 2
    assert [(row["address"], row["event"]) for row in emails] == [("orders@sup1.example.com", "purchase_order")]
    assert "COLA330" in render("notifications/purchase_order/email_text", "en", **json.loads(emails[0]["facts"]))
