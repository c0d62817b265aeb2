"""The demo chain generator writes importable, deterministic and realistic CSV files."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.csvio.importer import Importer
from adapters.demo_chain import DemoSummary, generate_demo_chain
from adapters.demo_chain.writer import HEADERS
from domain.barcodes import parse_barcode

END = date(2026, 11, 21)
SMALL = {"stores": 3, "skus": 60, "days": 60, "end_date": END}
# A full calendar year, small enough to stay quick, big enough for seasons to show.
YEAR = {"stores": 2, "skus": 120, "days": 365, "end_date": date(2025, 12, 31), "members": 600}


def read(directory: Path, name: str) -> list[dict[str, str]]:
    with open(directory / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    directory = tmp_path_factory.mktemp("small")
    return directory, generate_demo_chain(directory, seed=7, **SMALL)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("year")
    generate_demo_chain(directory, seed=3, **YEAR)
    return directory


@pytest.fixture(scope="module")
def year_sales(year: Path) -> list[dict[str, str]]:
    return read(year, "sales.csv")


def monthly_units(directory: Path, sales: list[dict[str, str]], category: str) -> Counter[int]:
    in_category = {p["sku"] for p in read(directory, "products.csv") if p["category"] == category}
    units: Counter[int] = Counter()
    for line in sales:
        if line["sku"] in in_category:
            units[int(line["timestamp"][5:7])] += int(line["qty"])
    return units


def test_the_same_seed_writes_byte_identical_files(small: tuple[Path, DemoSummary], tmp_path: Path) -> None:
    directory, _ = small
    generate_demo_chain(tmp_path, seed=7, **SMALL)

    for name in HEADERS:
        assert (tmp_path / name).read_bytes() == (directory / name).read_bytes(), name


def test_another_seed_writes_another_chain(small: tuple[Path, DemoSummary], tmp_path: Path) -> None:
    directory, _ = small
    generate_demo_chain(tmp_path, seed=8, **SMALL)

    for name in ("products.csv", "sales.csv", "members.csv", "stock.csv"):
        assert (tmp_path / name).read_bytes() != (directory / name).read_bytes(), name


def test_every_file_has_exactly_the_agreed_header_and_the_summary_counts_its_rows(
    small: tuple[Path, DemoSummary],
) -> None:
    directory, summary = small
    for name, header in HEADERS.items():
        with open(directory / name, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert tuple(rows[0]) == header
        assert all(len(row) == len(header) for row in rows)
        assert summary.rows[name] == len(rows) - 1
    assert (summary.first_day, summary.last_day) == (date(2026, 9, 23), END)


def test_every_barcode_is_a_valid_gs1_code_and_unique_across_the_catalogue(small: tuple[Path, DemoSummary]) -> None:
    directory, _ = small
    keys = [parse_barcode(code).key for p in read(directory, "products.csv") for code in p["barcodes"].split("|")]

    assert len(keys) == len(set(keys)) > 60


def test_a_big_catalogue_mixes_chinese_ean13_upc_ean8_and_carton_codes(tmp_path: Path) -> None:
    generate_demo_chain(tmp_path, stores=1, skus=2000, days=1, end_date=END, members=10)
    codes = [p["barcodes"].split("|") for p in read(tmp_path, "products.csv")]
    kinds = Counter(parse_barcode(code).symbology.value for product in codes for code in product)
    keys = [parse_barcode(code).key for product in codes for code in product]

    assert len(keys) == len(set(keys))
    assert kinds["EAN-13"] > 1500 and kinds["UPC-A"] > 5 and kinds["EAN-8"] > 5 and kinds["GTIN-14"] > 100
    assert sum(p[0].startswith("69") for p in codes) > 0.8 * len(codes)
    assert all(parse_barcode(p[1]).packaging_indicator == 1 for p in codes if len(p) > 1)


def test_sales_reference_existing_stores_skus_and_members(small: tuple[Path, DemoSummary]) -> None:
    directory, _ = small
    stores = {loc["code"] for loc in read(directory, "locations.csv") if loc["kind"] == "store"}
    skus = {p["sku"] for p in read(directory, "products.csv")}
    members = {m["member_id"] for m in read(directory, "members.csv")} | {""}
    sales = read(directory, "sales.csv")

    assert {line["location_code"] for line in sales} == stores
    assert {line["sku"] for line in sales} <= skus
    assert {line["member_id"] for line in sales} <= members


def test_sales_happen_in_opening_hours_in_china_time_with_about_four_in_ten_receipts_carded(
    small: tuple[Path, DemoSummary],
) -> None:
    directory, summary = small
    stamps = [datetime.fromisoformat(line["timestamp"]) for line in read(directory, "sales.csv")]

    assert {stamp.utcoffset().total_seconds() for stamp in stamps} == {8 * 3600}
    assert min(s.hour for s in stamps) >= 7 and max(s.hour for s in stamps) <= 22
    assert 0.3 < summary.member_receipts / summary.receipts < 0.5


def test_drinks_and_ice_cream_sell_more_in_july_and_hot_pot_more_in_january(
    year: Path, year_sales: list[dict[str, str]]
) -> None:
    drinks, ice_cream, hot_pot = (monthly_units(year, year_sales, c) for c in ("饮料", "冰淇淋", "火锅食材"))

    assert drinks[7] > 1.5 * drinks[1]
    assert ice_cream[7] > 3 * ice_cream[1]
    assert hot_pot[1] > 1.5 * hot_pot[7]


def test_gift_boxes_peak_before_the_spring_festival_and_mooncakes_before_mid_autumn(
    year: Path, year_sales: list[dict[str, str]]
) -> None:
    gifts, mooncakes = monthly_units(year, year_sales, "礼盒"), monthly_units(year, year_sales, "月饼")

    # Spring Festival 2025 fell on 29 January, Mid-Autumn on 6 October.
    assert gifts.most_common(1)[0][0] == 1
    assert mooncakes[9] > 10 * mooncakes[5]


def test_weekends_are_busier_than_midweek(year_sales: list[dict[str, str]]) -> None:
    per_weekday = Counter(date.fromisoformat(line["timestamp"][:10]).weekday() for line in year_sales)

    assert per_weekday[5] > 1.15 * per_weekday[1]


def test_promotion_lines_are_cheaper_than_regular_lines_of_the_same_sku(year_sales: list[dict[str, str]]) -> None:
    prices: dict[tuple[str, str], set[float]] = defaultdict(set)
    for line in year_sales:
        prices[line["sku"], line["promo"]].add(float(line["unit_price"]))
    on_promotion = [sku for sku, flag in prices if flag == "1" and (sku, "0") in prices]

    assert len(on_promotion) > 20
    assert all(max(prices[sku, "1"]) < min(prices[sku, "0"]) for sku in on_promotion)


def test_some_demand_is_lost_to_empty_shelves_but_not_much(tmp_path: Path) -> None:
    # A full-size assortment: in a tiny one every SKU is a fast mover outgrowing its shelf.
    chain = {"stores": 2, "skus": 2000, "days": 60}
    summary = generate_demo_chain(tmp_path, end_date=END, members=50, **chain)

    assert 0 < summary.lost_sale_store_sku_days < 0.01 * chain["stores"] * chain["skus"] * chain["days"]


def test_stores_carry_most_skus_warehouses_all_and_some_shelves_are_empty(small: tuple[Path, DemoSummary]) -> None:
    directory, _ = small
    stock = read(directory, "stock.csv")
    carried = Counter(line["location_code"] for line in stock)

    assert carried["W01"] == carried["W02"] == carried["W03"] == SMALL["skus"]
    assert all(0.8 * SMALL["skus"] <= carried[f"S0{n}"] < SMALL["skus"] for n in (1, 2, 3))
    assert any(line["on_hand"] == "0" for line in stock)
    assert sum(line["min_qty"] == "" for line in stock) > 0.9 * len(stock)


def test_the_main_dairy_supplier_delivers_to_the_stores_next_day_by_the_unit(year: Path) -> None:
    dairy = {p["sku"] for p in read(year, "products.csv") if p["category"] == "乳制品"}
    offers = read(year, "suppliers.csv")
    direct = [o for o in offers if o["direct_to_store"] == "1"]

    assert direct and {o["supplier_name"] for o in direct} == {"鲜乳冷链配送有限公司"}
    assert {o["sku"] for o in direct} <= dairy
    assert all((o["lead_time_days"], o["min_order_qty"], o["pack_size"]) == ("1", "1", "1") for o in direct)
    assert all(o["direct_to_store"] == "0" for o in offers if o["sku"] not in dairy)


def test_members_have_unique_phones_and_include_new_and_dormant_shoppers(
    year: Path, year_sales: list[dict[str, str]]
) -> None:
    members = read(year, "members.csv")
    last_visit = {line["member_id"]: line["timestamp"][:10] for line in year_sales if line["member_id"]}
    end = YEAR["end_date"]

    assert len({m["phone"] for m in members}) == len(members) == YEAR["members"]
    assert all(m["phone"].startswith(("+8613", "+8615", "+8618")) and len(m["phone"]) == 14 for m in members)
    assert any((end - date.fromisoformat(day)).days > 90 for day in last_visit.values())
    assert any((end - date.fromisoformat(m["joined_on"])).days < 30 for m in members)
    assert {m["consent_sms"] for m in members} == {"0", "1"}
    assert "" in {m["telegram_user_id"] for m in members}


def test_member_points_grow_with_what_members_spent(year: Path, year_sales: list[dict[str, str]]) -> None:
    spend: Counter[str] = Counter()
    for line in year_sales:
        if line["member_id"]:
            spend[line["member_id"]] += float(line["unit_price"]) * int(line["qty"])
    points = {m["member_id"]: int(m["points"]) for m in read(year, "members.csv")}
    ranked = sorted(points, key=lambda member: spend[member])
    lower, upper = ranked[: len(ranked) // 4], ranked[-len(ranked) // 4 :]

    assert sum(points[m] for m in upper) > 3 * sum(points[m] for m in lower)


def test_staff_has_two_staff_and_one_manager_per_store_and_one_admin(small: tuple[Path, DemoSummary]) -> None:
    directory, _ = small
    staff = read(directory, "staff.csv")
    by_role = Counter((person["location_code"], person["role"]) for person in staff)

    for store in ("S01", "S02", "S03"):
        assert by_role[store, "manager"] == 1 and by_role[store, "staff"] == 2
    for warehouse in ("W01", "W02", "W03"):
        assert by_role[warehouse, "manager"] == 1 and by_role[warehouse, "staff"] == 1
    assert [p["location_code"] for p in staff if p["role"] == "admin"] == ["W01"]
    s01 = {p["telegram_user_id"] for p in staff if p["location_code"] == "S01"}
    assert s01 == {"100001", "100002", "200001"}


def test_the_importer_accepts_every_file(uow, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    generate_demo_chain(tmp_path, stores=2, skus=24, days=3, end_date=END, members=40)

    outcomes = Importer(uow, ZoneInfo("Asia/Shanghai"), clock).import_dir(tmp_path)

    assert [(o.name, o.status, o.errors[:1]) for o in outcomes] == [
        (f"{name}.csv", "imported", []) for name in ("locations", "products", "suppliers", "staff", "members", "stock", "sales")
    ]


def test_members_buy_from_their_favourite_categories_more_than_the_average_shopper(
    year: Path, year_sales: list[dict[str, str]]
) -> None:
    category = {p["sku"]: p["category"] for p in read(year, "products.csv")}
    per_member: dict[str, Counter[str]] = defaultdict(Counter)
    for line in year_sales:
        if line["member_id"]:
            per_member[line["member_id"]][category[line["sku"]]] += 1
    chain = sum(per_member.values(), Counter())
    chain_top3 = sum(n for _, n in chain.most_common(3)) / chain.total()
    regulars = [c for c in per_member.values() if c.total() >= 30]
    member_top3 = sorted(sum(n for _, n in c.most_common(3)) / c.total() for c in regulars)

    assert member_top3[len(member_top3) // 2] > chain_top3 + 0.08
