"""Importing a previous system's CSV files into both databases."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.analytics_frames import load_chain_frames
from adapters.csvio.exporter import export_dir
from adapters.csvio.importer import Importer
from adapters.db.chain_frames_db import load_chain_frames_db
from adapters.db.unit_of_work import UnitOfWorkFactory
from tests.support.chain import FILES, write_chain

ZONE = ZoneInfo("Asia/Shanghai")


def importer(uow: UnitOfWorkFactory, clock) -> Importer:  # type: ignore[no-untyped-def]
    return Importer(uow, ZONE, clock)


def snapshot(uow: UnitOfWorkFactory) -> dict[str, object]:
    with uow(readonly=True) as unit:
        return {
            "positions": sorted((p.key, p.on_hand, p.min_qty, p.max_qty) for p in unit.stock.all_positions()),
            "ledger": unit.stock.ledger_totals(),
            "products": [(p.sku, p.name, [b.key for b in p.barcodes]) for p in unit.catalog.all()],
            "staff": unit.staff.all(),
            "points": unit.members.points_balances(),
            "receipts": len(unit.receipts.existing_ids(["H-1", "H-2"])),
        }


def test_a_full_chain_imports_and_positions_equal_the_ledger(uow, clock, tmp_path: Path) -> None:
    outcomes = importer(uow, clock).import_dir(write_chain(tmp_path))

    assert [o.status for o in outcomes] == ["imported"] * 7
    with uow(readonly=True) as unit:
        positions = {p.key: p for p in unit.stock.all_positions()}
        ledger = unit.stock.ledger_totals()
        assert positions[("S01", "COLA330")].on_hand == 10
        assert positions[("S01", "COLA330")].min_qty == 5
        assert all(ledger.get(key, (0, 0, 0, 0))[0] == p.on_hand for key, p in positions.items())
        assert unit.members.points_balances() == {"M001": 1200}
        assert unit.staff.get(200001).locations == ["S01"]
        assert unit.catalog.by_barcode_keys(["00036000291452"])[0][0].sku == "CHIPS70"


def test_importing_the_same_files_again_changes_nothing(uow, clock, tmp_path: Path) -> None:
    directory = write_chain(tmp_path)
    importer(uow, clock).import_dir(directory)
    before = snapshot(uow)

    clock.advance(hours=1)
    again = importer(uow, clock).import_dir(directory)

    assert snapshot(uow) == before
    assert all(o.added == 0 and o.changed == 0 for o in again)


def test_a_carton_code_stands_for_its_pack(uow, clock, tmp_path: Path) -> None:
    importer(uow, clock).import_dir(write_chain(tmp_path))
    with uow(readonly=True) as unit:
        [(product, units)] = unit.catalog.by_barcode_keys(["16901234567899"])
    assert (product.sku, units) == ("COLA330", 24)


SALES_HEAD = "timestamp,receipt_id,location_code,sku,qty,unit_price,member_id,promo,channel\n"
BAD_ROWS = [
    ("stock.csv", "location_code,sku,on_hand\nS01,NOPE,3\n", 2, "sku", "unknown SKU"),
    ("stock.csv", "location_code,sku,on_hand\nS99,COLA330,3\n", 2, "location_code", "unknown location"),
    ("stock.csv", "location_code,sku,on_hand\nS01,COLA330,three\n", 2, "on_hand", "not a number"),
    ("stock.csv", "location_code,sku,on_hand\nS01,COLA330,-4\n", 2, "on_hand", "negative stock"),
    ("stock.csv", "location_code,sku,on_hand\nS01,COLA330,1\nS01,COLA330,2\n", 3, "sku", "duplicate"),
    ("products.csv", FILES["products.csv"] + "BAD1,坏码,6901234567893,饮料,X,1,1,1\n", 5, "barcodes", "check digit"),
    ("products.csv", FILES["products.csv"] + "COLA330,重复,,饮料,X,1,1,1\n", 5, "sku", "duplicate"),
    ("members.csv", "member_id,name,phone,email,telegram_user_id,joined_on,tier,points\nM9,x,,,,2026-13-01,basic,0\n", 2, "joined_on", "not a date"),
    ("sales.csv", "timestamp,receipt_id,location_code,sku,qty,unit_price\nyesterday,R9,S01,COLA330,1,3.5\n", 2, "timestamp", "ISO 8601"),
    ("staff.csv", "telegram_user_id,name,role,location_code\n5,x,boss,S01\n", 2, "role", "not staff"),
    ("suppliers.csv", "supplier_code,supplier_name,sku,unit_cost,lead_time_days,min_order_qty,pack_size,direct_to_store\n"
     "SUP3,x,HOTPOT1,11.5,1,10,10,maybe\n", 2, "direct_to_store", "not 0 or 1"),
] + [
    ("sales.csv", SALES_HEAD + body, line, column, message)
    for body, line, column, message in [
        ("2026-11-01T10:00:00,R9,S01,COLA330,0,3.5,,0,store\n", 2, "qty", "zero"),
        ("2026-11-01T10:00:00,R9,S01,COLA330,1,free,,0,store\n", 2, "unit_price", "not a number"),
        ("2026-11-01T10:00:00,R9,S01,COLA330,1,3.5,,maybe,store\n", 2, "promo", "not 0 or 1"),
        ("2026-11-01T10:00:00,R9,S01,COLA330,1,3.5,,0,store\n2026-11-01T10:00:00,R9,S01,CHIPS70,1,6,,0,shop\n",
         3, "channel", "not one of"),
        ("2026-11-01T10:00:00,R9,S01,COLA330,1,3.5\n2026-11-01T10:00:00,R9,S02,CHIPS70,1,6\n",
         3, "receipt_id", "another time, location or member"),
        ("2026-11-01T10:00:00,R9,,COLA330,1,3.5\n", 2, "location_code", "empty"),
    ]
]


@pytest.mark.parametrize(("file", "content", "line", "column", "message"), BAD_ROWS)
def test_a_bad_row_rejects_its_whole_file_and_names_line_and_column(
    uow, clock, tmp_path: Path, file: str, content: str, line: int, column: str, message: str
) -> None:
    write_chain(tmp_path, overrides={file: content})
    if file == "stock.csv":  # a valid row before the bad one must not be written either
        content = "location_code,sku,on_hand\nW01,HOTPOT1,7\n" + content.split("\n", 1)[1]
        (tmp_path / file).write_text(content, encoding="utf-8")
        line += 1

    outcomes = {o.name: o for o in importer(uow, clock).import_dir(tmp_path)}

    bad = outcomes[file]
    assert bad.status == "rejected"
    error = bad.errors[0]
    assert (error.file, error.line, error.column) == (file, line, column)
    assert message in error.message
    with uow(readonly=True) as unit:
        if file == "stock.csv":
            assert all(p.on_hand == 0 for p in unit.stock.all_positions())
        if file == "products.csv":
            assert unit.catalog.known_skus() == set()
    assert all(o.status in ("imported", "rejected", "absent") for o in outcomes.values())


def test_sales_history_does_not_move_stock(uow, clock, tmp_path: Path) -> None:
    importer(uow, clock).import_dir(write_chain(tmp_path))
    with uow(readonly=True) as unit:
        assert unit.stock.get("S01", "COLA330").on_hand == 10
        assert unit.receipts.existing_ids(["H-1", "H-2"]) == {"H-1", "H-2"}


def test_export_writes_back_what_import_reads(uow, clock, tmp_path: Path) -> None:
    importer(uow, clock).import_dir(write_chain(tmp_path / "in"))
    export_dir(uow, tmp_path / "out", ZONE)
    before = snapshot(uow)

    again = importer(uow, clock).import_dir(tmp_path / "out")

    assert all(o.status == "imported" for o in again)
    assert all(o.added == 0 and o.changed == 0 for o in again), [o.summary() for o in again]
    assert snapshot(uow) == before


DIRECT_SUPPLIERS = """supplier_code,supplier_name,sku,unit_cost,lead_time_days,min_order_qty,pack_size,email,direct_to_store
SUP1,太古可口可乐,COLA330,2.00,3,48,24,orders@sup1.example.com,0
SUP3,海底捞本地配送,HOTPOT1,11.50,1,10,10,,yes
"""


def test_a_supplier_delivering_to_the_stores_is_read_into_the_plan_frames_and_exported(uow, clock, tmp_path: Path) -> None:
    importer(uow, clock).import_dir(write_chain(tmp_path / "in", overrides={"suppliers.csv": DIRECT_SUPPLIERS}))
    with uow(readonly=True) as unit:
        offers = load_chain_frames_db(unit.connection, "Asia/Shanghai").suppliers.set_index("sku")
    assert offers.loc["HOTPOT1", "direct_to_store"] and not offers.loc["COLA330", "direct_to_store"]

    export_dir(uow, tmp_path / "out", ZONE)
    exported = load_chain_frames(tmp_path / "out").suppliers.set_index("sku")["direct_to_store"]
    assert exported.to_dict() == {"COLA330": False, "HOTPOT1": True}
