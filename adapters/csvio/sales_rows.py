"""sales.csv rows grouped into receipts: shared by history import and live posting.

This is the hot path of both a history import (a million lines) and live
posting, so rows are read by column position rather than through per-row
dictionaries; errors still name the line and column.
"""

from __future__ import annotations

import csv
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
            for number, values in enumerate(reader, start=2):
                if not any(values):
                    continue
                try:
                    _add_line(receipts, values, columns, zone)
                except BadValue as error:
                    source.fail(number, error.column, str(error))
                except IndexError:
                    source.fail(number, "-", "too few columns")
    except UnicodeDecodeError:
        source.fail(0, "-", "file is not UTF-8")
    except csv.Error as error:
        source.fail(0, "-", f"malformed CSV: {error}")
    return list(receipts.values()), source


def _cell(values: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return values[index].strip() if index is not None and index < len(values) else ""


def _add_line(receipts: dict[str, Receipt], values: list[str], columns: dict[str, int], zone: tzinfo) -> None:
    receipt_id = _cell(values, columns, "receipt_id")
    if not receipt_id or len(receipt_id) > 64:
        raise BadValue("receipt_id", "is empty or longer than 64 characters")
    at = _timestamp(_cell(values, columns, "timestamp"), zone)
    location = _cell(values, columns, "location_code")
    sku = _cell(values, columns, "sku")
    if not location or not sku:
        raise BadValue("location_code" if not location else "sku", "is empty")
    qty = _quantity(_cell(values, columns, "qty"))
    price = _price(_cell(values, columns, "unit_price"))
    promo = _FLAGS.get(_cell(values, columns, "promo").lower())
    if promo is None:
        raise BadValue("promo", "is not 0 or 1")
    channel = _CHANNELS.get(_cell(values, columns, "channel") or "store")
    if channel is None:
        raise BadValue("channel", f"is not one of {', '.join(_CHANNELS)}")
    member = _cell(values, columns, "member_id") or None
    line = ReceiptLine(sku, qty, price, promo)
    receipt = receipts.get(receipt_id)
    if receipt is None:
        coupon = _cell(values, columns, "coupon_code") or None
        receipts[receipt_id] = Receipt(receipt_id, location, at, [line], member, channel, coupon)
    elif receipt.location_code != location or receipt.at != at or receipt.member_id != member:
        raise BadValue("receipt_id", f"{receipt_id} already has another time, location or member")
    else:
        receipt.lines.append(line)


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
