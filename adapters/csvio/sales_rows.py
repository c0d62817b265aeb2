"""sales.csv rows grouped into receipts: shared by history import and live posting.

This is the hot path of both a history import (a million lines) and live
posting, so rows are read by column position rather than through per-row
dictionaries; errors still name the line and column.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from adapters.csvio.fields import BadValue, CsvFile
from domain.sales import Channel, Receipt, ReceiptLine

SALES_COLUMNS = ("timestamp", "receipt_id", "location_code", "sku", "qty", "unit_price")
SALES_OPTIONAL = ("member_id", "promo", "channel", "coupon_code")
_CHANNELS = {c.value: c for c in Channel}
_FLAGS = {"": False, "0": False, "1": True, "false": False, "true": True}


def read_receipts(path: Path, zone: tzinfo) -> tuple[list[Receipt], CsvFile]:
    """Receipts from a sales file; the CsvFile carries any row errors."""
    source = CsvFile(path, SALES_COLUMNS, SALES_OPTIONAL)
    receipts: dict[str, Receipt] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            missing = [c for c in SALES_COLUMNS if c not in header]
            if missing:
                source.fail(1, ",".join(missing), "missing column(s)")
                return [], source
            columns = {name: header.index(name) for name in (*SALES_COLUMNS, *SALES_OPTIONAL) if name in header}
            add_line = _line_reader(receipts, columns, zone)
            for number, values in enumerate(reader, start=2):
                if not any(values):
                    continue
                try:
                    add_line(values)
                except BadValue as error:
                    source.fail(number, error.column, str(error))
    except UnicodeDecodeError:
        source.fail(0, "-", "file is not UTF-8")
    except csv.Error as error:
        source.fail(0, "-", f"malformed CSV: {error}")
    return list(receipts.values()), source


def _line_reader(
    receipts: dict[str, Receipt], columns: dict[str, int], zone: tzinfo
) -> Callable[[list[str]], None]:
    """Adds one row's line to its receipt. Built per file: the column positions are looked up once,
    and the lines of one receipt share their timestamp text, so it is parsed once."""
    at_at, id_at, location_at, sku_at, qty_at, price_at = (columns[name] for name in SALES_COLUMNS)
    member_at, promo_at, channel_at, coupon_at = (columns.get(name) for name in SALES_OPTIONAL)
    width = max(columns.values()) + 1
    last_stamp: list = ["", None]

    def cell(values: list[str], index: int | None) -> str:
        return "" if index is None else values[index].strip()

    def add_line(values: list[str]) -> None:
        if len(values) < width:
            values = values + [""] * (width - len(values))
        receipt_id = values[id_at].strip()
        if not receipt_id or len(receipt_id) > 64:
            raise BadValue("receipt_id", "is empty or longer than 64 characters")
        stamp = values[at_at].strip()
        if stamp != last_stamp[0]:
            last_stamp[:] = [stamp, _timestamp(stamp, zone)]
        at = last_stamp[1]
        location = values[location_at].strip()
        sku = values[sku_at].strip()
        if not location or not sku:
            raise BadValue("location_code" if not location else "sku", "is empty")
        line = ReceiptLine(sku, _quantity(values[qty_at]), _price(values[price_at]), _promo(cell(values, promo_at)))
        channel = _CHANNELS.get(cell(values, channel_at) or "store")
        if channel is None:
            raise BadValue("channel", f"is not one of {', '.join(_CHANNELS)}")
        member = cell(values, member_at) or None
        receipt = receipts.get(receipt_id)
        if receipt is None:
            coupon = cell(values, coupon_at) or None
            receipts[receipt_id] = Receipt(receipt_id, location, at, [line], member, channel, coupon)
        elif receipt.location_code != location or receipt.at != at or receipt.member_id != member:
            raise BadValue("receipt_id", f"{receipt_id} already has another time, location or member")
        else:
            receipt.lines.append(line)

    return add_line


def _promo(value: str) -> bool:
    promo = _FLAGS.get(value.lower())
    if promo is None:
        raise BadValue("promo", "is not 0 or 1")
    return promo


def _timestamp(value: str, zone: tzinfo) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue("timestamp", f"{value!r} is not an ISO 8601 timestamp") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)


def _quantity(value: str) -> int:
    try:
        qty = int(value)
    except ValueError:
        raise BadValue("qty", f"{value!r} is not a whole number") from None
    if qty == 0 or abs(qty) > 1_000_000:
        raise BadValue("qty", f"{value!r} is zero or too large")
    return qty


def _price(value: str) -> float:
    try:
        price = float(value)
    except ValueError:
        raise BadValue("unit_price", f"{value!r} is not a number") from None
    if not 0 <= price < 10_000_000:
        raise BadValue("unit_price", f"{value!r} is out of range")
    return price
