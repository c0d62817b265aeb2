"""The CSV files `main.py import DIR` reads: UTF-8, a header row, these columns in this order."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from adapters.demo_chain.receipts import CHANNELS, DayReceipts

HEADERS: dict[str, tuple[str, ...]] = {
    "locations.csv": ("code", "name", "kind", "region", "latitude", "longitude", "tier"),
    "products.csv": ("sku", "name", "barcodes", "category", "brand", "unit_price", "unit_cost", "pack_size"),
    "suppliers.csv": ("supplier_code", "supplier_name", "sku", "unit_cost", "lead_time_days", "min_order_qty",
                      "pack_size", "email", "direct_to_store"),
    "stock.csv": ("location_code", "sku", "on_hand", "min_qty", "max_qty"),
    "sales.csv": ("timestamp", "receipt_id", "location_code", "sku", "qty", "unit_price", "member_id", "promo",
                  "channel"),
    "members.csv": ("member_id", "name", "phone", "email", "telegram_user_id", "joined_on", "tier", "points",
                    "consent_sms", "consent_email", "consent_chat"),
    "staff.csv": ("telegram_user_id", "name", "role", "location_code", "phone", "email"),
}


@contextmanager
def csv_file(out_dir: Path, file_name: str):
    """A csv writer on `out_dir/file_name` with its header already written."""
    with open(out_dir / file_name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADERS[file_name])
        yield writer


def write_table(out_dir: Path, file_name: str, rows: Iterable[Sequence[object]]) -> int:
    """Write a whole file; returns the number of data rows."""
    counted = _Counted(rows)
    with csv_file(out_dir, file_name) as writer:
        writer.writerows(counted)
    return counted.count


class _Counted:
    """Pass rows through to csv.writerows while counting them."""

    def __init__(self, rows: Iterable[Sequence[object]]):
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[object]]:
        for row in self.rows:
            self.count += 1
            yield row


def money(value: float) -> str:
    return f"{value:.2f}"


class SalesRows:
    """Formats DayReceipts as sales.csv rows; codes are looked up by index."""

    def __init__(self, day_texts: list[str], store_codes: list[str], sku_codes: list[str], member_ids: list[str],
                 list_prices: np.ndarray):
        self.day_texts = day_texts
        self.store_codes = store_codes
        self.sku_codes = sku_codes
        self.member_ids = member_ids + [""]  # index -1 is the anonymous shopper
        self.list_price_texts = [money(p) for p in list_prices]

    def rows(self, day: DayReceipts) -> list[tuple[object, ...]]:
        prefix = self.day_texts[day.day_index]
        compact = prefix.replace("-", "")
        stamps = [f"{prefix}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+08:00" for s in day.second_of_day.tolist()]
        stores = [self.store_codes[s] for s in day.store_of_receipt.tolist()]
        receipt_ids = [f"{code}-{compact}-{n:04d}" for code, n in zip(stores, day.number.tolist(), strict=True)]
        members = [self.member_ids[m] for m in day.member.tolist()]
        channels = [CHANNELS[c] for c in day.channel.tolist()]
        prices = [money(p) if promo else self.list_price_texts[k]
                  for k, p, promo in zip(day.sku.tolist(), day.unit_price.tolist(), day.promo.tolist(), strict=True)]
        return [
            (stamps[r], receipt_ids[r], stores[r], self.sku_codes[k], q, price, members[r], int(promo), channels[r])
            for r, k, q, price, promo in zip(day.receipt.tolist(), day.sku.tolist(), day.qty.tolist(), prices,
                                             day.promo.tolist(), strict=True)
        ]

