"""`python main.py export DIR`: the same CSV formats back out (stock as current positions)."""

from __future__ import annotations

import csv
from datetime import tzinfo
from pathlib import Path

from sqlalchemy import select

from adapters.csvio.sales_rows import SALES_COLUMNS
from adapters.db.repositories import T
from adapters.db.timeutil import as_utc
from adapters.db.unit_of_work import SqlUnitOfWork, UnitOfWorkFactory


def export_dir(uow_factory: UnitOfWorkFactory, directory: Path, zone: tzinfo) -> dict[str, int]:
    """Write every file; returns rows written per file."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    with uow_factory(readonly=True) as uow:
        for name, (header, rows) in _files(uow, zone).items():
            with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                count = 0
                for row in rows:
                    writer.writerow(["" if v is None else v for v in row])
                    count += 1
            written[f"{name}.csv"] = count
    return written


def _files(uow: SqlUnitOfWork, zone: tzinfo):  # type: ignore[no-untyped-def]
    conn = uow.connection
    barcodes: dict[str, list[str]] = {}
    for row in conn.execute(select(T["barcode"]).order_by(T["barcode"].c.sku, T["barcode"].c.key)):
        barcodes.setdefault(row.sku, []).append(row.text)
    balances = uow.members.points_balances()
    return {
        "locations": (
            ("code", "name", "kind", "region", "latitude", "longitude", "tier", "allow_negative_stock"),
            (
                (r.code, r.name, r.kind, r.region, r.latitude, r.longitude, r.tier, int(r.allow_negative_stock))
                for r in conn.execute(select(T["location"]).order_by(T["location"].c.code))
            ),
        ),
        "products": (
            ("sku", "name", "barcodes", "category", "brand", "unit_price", "unit_cost", "pack_size"),
            (
                (r.sku, r.name, "|".join(barcodes.get(r.sku, [])), r.category, r.brand, r.unit_price, r.unit_cost, r.pack_size)
                for r in conn.execute(select(T["product"]).order_by(T["product"].c.sku))
            ),
        ),
        "suppliers": (
            ("supplier_code", "supplier_name", "sku", "unit_cost", "lead_time_days", "min_order_qty", "pack_size", "email",
             "direct_to_store"),
            (
                (t.supplier_code, t.supplier_name, t.sku, t.unit_cost, t.lead_time_days, t.min_order_qty, t.pack_size, t.email,
                 int(t.direct_to_store))
                for t in sorted(uow.catalog.all_supplier_terms(), key=lambda t: (t.supplier_code, t.sku))
            ),
        ),
        "stock": (
            ("location_code", "sku", "on_hand", "min_qty", "max_qty"),
            (
                (p.location_code, p.sku, p.on_hand, p.min_qty, p.max_qty)
                for p in sorted(uow.stock.all_positions(), key=lambda p: p.key)
            ),
        ),
        "staff": (
            ("telegram_user_id", "name", "role", "location_code", "phone", "email"),
            (
                (s.telegram_user_id, s.name, s.role.value, code, s.phone, s.email)
                for s in uow.staff.all()
                for code in s.locations
            ),
        ),
        "members": (
            ("member_id", "name", "phone", "email", "telegram_user_id", "joined_on", "tier", "points",
             "consent_sms", "consent_email", "consent_chat"),
            (
                (r.member_id, r.name, r.phone, r.email, r.telegram_user_id, r.joined_on.isoformat(), r.tier,
                 balances.get(r.member_id, 0), int(r.consent_sms), int(r.consent_email), int(r.consent_chat))
                for r in conn.execute(select(T["member"]).order_by(T["member"].c.member_id))
            ),
        ),
        "sales": (
            (*SALES_COLUMNS, "member_id", "promo", "channel"),
            _sales_rows(uow, zone),
        ),
    }


def _sales_rows(uow: SqlUnitOfWork, zone: tzinfo):  # type: ignore[no-untyped-def]
    receipt, line = T["receipt"], T["receipt_line"]
    query = (
        select(receipt.c.at, receipt.c.receipt_id, receipt.c.location_code, line.c.sku, line.c.qty, line.c.unit_price,
               receipt.c.member_id, line.c.promo, receipt.c.channel)
        .join(line, line.c.receipt_id == receipt.c.receipt_id)
        .order_by(receipt.c.at, receipt.c.receipt_id, line.c.line_no)
    )
    for r in uow.connection.execute(query).yield_per(10_000):
        yield (as_utc(r.at).astimezone(zone).isoformat(), r.receipt_id, r.location_code, r.sku, r.qty, r.unit_price,
               r.member_id, int(r.promo), r.channel)
