"""Generate the whole demo chain into a directory of CSV files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from adapters.demo_chain import people
from adapters.demo_chain.catalogue import Catalogue, build_catalogue
from adapters.demo_chain.demand import plan_demand
from adapters.demo_chain.locations import Location, build_locations
from adapters.demo_chain.members import (
    MemberBook,
    contacts,
    default_member_count,
    enrol_members,
    points_and_tiers,
)
from adapters.demo_chain.receipts import make_receipts
from adapters.demo_chain.shelves import Shelves
from adapters.demo_chain.staff import build_staff, roster
from adapters.demo_chain.stock import stock_snapshot
from adapters.demo_chain.suppliers import supplier_offers
from adapters.demo_chain.writer import SalesRows, csv_file, money, write_table

# Independent random streams, so that e.g. a different member count leaves the catalogue alone.
STREAMS = ("locations", "catalogue", "suppliers", "demand", "shelves", "receipts", "people", "members", "stock")


@dataclass(frozen=True)
class DemoSummary:
    """What was written: rows per file (header excluded), the sales period and a few telling figures."""

    out_dir: Path
    seed: int
    first_day: date
    last_day: date
    rows: dict[str, int] = field(default_factory=dict)
    receipts: int = 0
    member_receipts: int = 0
    # Store-SKU-days on which shoppers wanted more than the shelf held: the censored demand.
    lost_sale_store_sku_days: int = 0


def generate_demo_chain(out_dir: Path, *, seed: int = 7, stores: int = 20, skus: int = 2000, days: int = 365,
                        end_date: date | None = None, members: int | None = None) -> DemoSummary:
    """Write locations, products, suppliers, stock, sales, members and staff CSVs into `out_dir`.

    Same arguments give byte-identical files. History covers `days` days ending
    at `end_date` (default: yesterday). `members` defaults to 400 per store.
    """
    if stores < 1 or days < 1:
        raise ValueError("the demo chain needs at least one store and one day")
    out_dir.mkdir(parents=True, exist_ok=True)
    last_day = end_date or date.today() - timedelta(days=1)
    calendar = [last_day - timedelta(days=n) for n in range(days - 1, -1, -1)]
    rng = dict(zip(STREAMS, (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(STREAMS))),
                   strict=True))

    locations = build_locations(rng["locations"], stores)
    shops = [loc for loc in locations if loc.is_store]
    catalogue = build_catalogue(rng["catalogue"], skus)
    plan = plan_demand(rng["demand"], catalogue, shops, calendar)
    shelves = Shelves(plan, catalogue, rng["shelves"])
    member_count = members if members is not None else default_member_count(stores)
    book = enrol_members(rng["members"], member_count, shops, calendar, catalogue)

    rows = {
        "locations.csv": _write_locations(out_dir, locations),
        "products.csv": _write_products(out_dir, catalogue),
        "suppliers.csv": _write_suppliers(out_dir, rng["suppliers"], catalogue),
    }
    sales_rows, receipts, member_receipts = _write_sales(out_dir, rng["receipts"], shelves, catalogue, book, shops, calendar)
    rows["sales.csv"] = sales_rows
    rows["stock.csv"] = _write_stock(out_dir, rng["stock"], shelves, locations, catalogue)
    staff_count = len(roster(locations))
    names, pinyin = people.chinese_names(rng["people"], staff_count + member_count)
    phones = people.mobile_numbers(rng["people"], staff_count + member_count)
    rows["staff.csv"] = _write_staff(out_dir, locations, names[:staff_count], pinyin[:staff_count], phones[:staff_count])
    rows["members.csv"] = _write_members(out_dir, rng["members"], book, names[staff_count:], pinyin[staff_count:],
                                         phones[staff_count:])
    return DemoSummary(out_dir, seed, calendar[0], last_day, rows, receipts, member_receipts,
                       shelves.lost_store_sku_days)


def _write_locations(out_dir: Path, locations: list[Location]) -> int:
    return write_table(out_dir, "locations.csv", (
        (loc.code, loc.name, loc.kind, loc.region, loc.latitude, loc.longitude, loc.tier) for loc in locations
    ))


def _write_products(out_dir: Path, catalogue: Catalogue) -> int:
    return write_table(out_dir, "products.csv", (
        (catalogue.sku[i], catalogue.name[i], catalogue.barcodes[i], catalogue.category_name(i), catalogue.brand[i],
         money(catalogue.unit_price[i]), money(catalogue.unit_cost[i]), int(catalogue.pack_size[i]))
        for i in range(len(catalogue))
    ))


def _write_suppliers(out_dir: Path, rng: np.random.Generator, catalogue: Catalogue) -> int:
    return write_table(out_dir, "suppliers.csv", (
        (o.supplier_code, o.supplier_name, o.sku, money(o.unit_cost), o.lead_time_days, o.min_order_qty, o.pack_size,
         o.email, int(o.direct_to_store))
        for o in supplier_offers(rng, catalogue)
    ))


def _write_sales(out_dir: Path, rng: np.random.Generator, shelves: Shelves, catalogue: Catalogue, book: MemberBook,
                 shops: list[Location], calendar: list[date]) -> tuple[int, int, int]:
    """Simulate day by day and stream the lines out, so memory stays flat however long the history."""
    formatter = SalesRows([d.isoformat() for d in calendar], [s.code for s in shops], catalogue.sku, book.ids,
                          catalogue.unit_price)
    lines = receipts = member_receipts = 0
    with csv_file(out_dir, "sales.csv") as writer:
        for sales in shelves.run():
            day = make_receipts(rng, sales, catalogue, shelves.plan.promotions, book)
            writer.writerows(formatter.rows(day))
            lines += len(day.sku)
            receipts += len(day.member)
            member_receipts += int((day.member >= 0).sum())
    return lines, receipts, member_receipts


def _write_stock(out_dir: Path, rng: np.random.Generator, shelves: Shelves, locations: list[Location],
                 catalogue: Catalogue) -> int:
    # csv writes None as an empty field: no min/max override.
    return write_table(out_dir, "stock.csv", stock_snapshot(rng, shelves, locations, catalogue.sku))


def _write_staff(out_dir: Path, locations: list[Location], names: list[str], pinyin: list[str],
                 phones: list[str]) -> int:
    return write_table(out_dir, "staff.csv", (
        (p.telegram_user_id, p.name, p.role, p.location_code, p.phone, p.email)
        for p in build_staff(locations, names, pinyin, phones)
    ))


def _write_members(out_dir: Path, rng: np.random.Generator, book: MemberBook, names: list[str], pinyin: list[str],
                   phones: list[str]) -> int:
    points, tiers = points_and_tiers(rng, book)
    details = contacts(rng, names, pinyin, phones)
    return write_table(out_dir, "members.csv", (
        (book.ids[m], c.name, c.phone, c.email, c.telegram_user_id, book.joined_on[m].isoformat(), tiers[m],
         int(points[m]), c.consent_sms, c.consent_email, c.consent_chat)
        for m, c in enumerate(details)
    ))
