"""sales.csv rows grouped into receipts: shared by history import and live posting."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from adapters.csvio.fields import BadValue, CsvFile, decimal, flag, text, timestamp, whole_number
from domain.sales import Channel, Receipt, ReceiptLine

SALES_COLUMNS = ("timestamp", "receipt_id", "location_code", "sku", "qty", "unit_price")
SALES_OPTIONAL = ("member_id", "promo", "channel", "coupon_code")


def read_receipts(path: Path, zone: tzinfo) -> tuple[list[Receipt], CsvFile]:
    """Receipts from a sales file; the CsvFile carries any row errors."""
    source = CsvFile(path, SALES_COLUMNS, SALES_OPTIONAL)
    receipts: dict[str, Receipt] = {}
    channels = {c.value: c for c in Channel}
    for number, row in source.rows():
        try:
            receipt_id = text(row, "receipt_id", max_length=64)
            at = timestamp(row, "timestamp", zone)
            location = text(row, "location_code", max_length=32)
            qty = whole_number(row, "qty", minimum=None)
            if qty == 0:
                raise BadValue("qty", "is zero")
            line = ReceiptLine(text(row, "sku", max_length=64), qty, decimal(row, "unit_price"), flag(row, "promo"))
            member = row.get("member_id") or None
            channel_text = row.get("channel") or "store"
            if channel_text not in channels:
                raise BadValue("channel", f"{channel_text!r} is not one of {', '.join(channels)}")
            receipt = receipts.get(receipt_id)
            if receipt is None:
                receipts[receipt_id] = Receipt(
                    receipt_id, location, at, [line], member, channels[channel_text], row.get("coupon_code") or None
                )
            elif (receipt.location_code, receipt.at, receipt.member_id) != (location, at, member):
                raise BadValue("receipt_id", f"{receipt_id} already has another time, location or member")
            else:
                receipt.lines.append(line)
        except BadValue as error:
            source.fail(number, error.column, str(error))
    return list(receipts.values()), source
