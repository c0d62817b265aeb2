"""Who hears about the replenishment plan: its section in the managers' digest, and
purchase orders emailed to the supplier's address (the CSV goes to the manager in chat)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.services.replenishment import SUPPLIER, PlanApproval, PlanLine, PurchaseOrder
from domain.staff import Permission, Role, StaffMember
from notifications.digests import DigestSection, SectionProvider
from notifications.message import Channel, Notification, Purpose
from notifications.outbox import enqueue

SECTION = "replenishment"
EVENT = "purchase_order"
LINES_SHOWN = 3  # per location in the digest (the biggest); /plan shows them all with their buttons
LOCATIONS_SHOWN = 6  # an admin sees the chain: about 1,200 characters, so the digest stays one Telegram message
CSV_COLUMNS = ("reference", "supplier_code", "location_code", "sku", "product", "qty", "unit_cost", "amount")


def plan_section_provider(zone: ZoneInfo) -> SectionProvider:
    """A `DigestSettings.extra_sections` provider: today's plan at the manager's locations."""

    def provider(uow, manager: StaffMember, now: datetime) -> DigestSection | None:  # type: ignore[no-untyped-def]
        return plan_section(uow, manager, now.astimezone(zone).date())

    return provider


def plan_section(uow, manager: StaffMember, today) -> DigestSection | None:  # type: ignore[no-untyped-def]
    """Undecided lines of the latest plan, per location the manager may approve; None when there are none."""
    plan_id = uow.replenishment.latest_plan_id(today)
    if plan_id is None:
        return None
    codes = None if manager.role is Role.ADMIN else [c for c in manager.locations if manager.can(Permission.APPROVE_TRANSFER, c)]
    if codes == []:
        return None
    waiting = [line for line in uow.replenishment.lines(plan_id, codes) if line.undecided]
    if not waiting:
        return None
    locations = _by_location(waiting)
    return DigestSection(SECTION, {
        "plan_date": uow.replenishment.plan_date(plan_id).isoformat(),
        "locations": locations[:LOCATIONS_SHOWN],
        "more_locations": max(0, len(locations) - LOCATIONS_SHOWN),
    })  # fmt: skip


def _by_location(lines: list[PlanLine]) -> list[dict]:
    codes = sorted({line.location_code for line in lines})
    summary = []
    for code in codes:
        here = sorted((line for line in lines if line.location_code == code), key=lambda line: -line.qty)
        summary.append({
            "code": code,
            "buys": sum(1 for line in here if line.source_kind == SUPPLIER),
            "transfers": sum(1 for line in here if line.source_kind != SUPPLIER),
            "units": sum(line.qty for line in here),
            "lines": [_line_facts(line) for line in here[:LINES_SHOWN]],
            "more": max(0, len(here) - LINES_SHOWN),
        })  # fmt: skip
    return summary


def _line_facts(line: PlanLine) -> dict:
    return {"sku": line.sku, "qty": line.qty, "kind": line.source_kind, "source": line.source_code or ""}


def purchase_order_facts(uow, order: PurchaseOrder, zone: ZoneInfo) -> dict:  # type: ignore[no-untyped-def]
    """What a supplier and a manager read about one order."""
    supplier_name, _ = uow.replenishment.supplier_contact(order.supplier_code)
    location = uow.locations.get(order.location_code)
    names = {line.sku: _product_name(uow, line.sku) for line in order.lines}
    return {
        "reference": order.reference,
        "supplier_code": order.supplier_code,
        "supplier_name": supplier_name,
        "location_code": order.location_code,
        "location_name": location.name if location else order.location_code,
        "ordered_at": order.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "lines": [
            {"sku": item.sku, "product": names[item.sku], "qty": item.qty, "unit_cost": round(item.unit_cost, 2),
             "amount": round(item.qty * item.unit_cost, 2)}
            for item in order.lines
        ],  # fmt: skip
        "total": order.total,
    }


def _product_name(uow, sku: str) -> str:  # type: ignore[no-untyped-def]
    product = uow.catalog.get(sku)
    return product.name if product else sku


def purchase_order_emails(uow, orders: Iterable[PurchaseOrder], zone: ZoneInfo, lang: str = "zh") -> list[Notification]:  # type: ignore[no-untyped-def]
    """One email per order to its supplier's address; suppliers without one get none (the manager has the CSV)."""
    notes = []
    for order in orders:
        _, email = uow.replenishment.supplier_contact(order.supplier_code)
        if email:
            notes.append(Notification(
                key=f"{EVENT}:{order.id}:email", channel=Channel.EMAIL, address=email, event=EVENT, lang=lang,
                facts=purchase_order_facts(uow, order, zone), purpose=Purpose.TRANSACTIONAL,
            ))  # fmt: skip
    return notes


def email_purchase_orders(zone: ZoneInfo, lang: str = "zh"):  # type: ignore[no-untyped-def]
    """An `approve_all` hook: the approval's orders go to the outbox in the approval's own transaction."""

    def hook(uow, approval: PlanApproval, now: datetime) -> None:  # type: ignore[no-untyped-def]
        for note in purchase_order_emails(uow, approval.orders, zone, lang):
            enqueue(uow, note, now)

    return hook


def purchase_order_csv(facts: dict) -> bytes:
    """The order as a CSV file (UTF-8 with BOM, so spreadsheet programs read the Chinese names)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for line in facts["lines"]:
        writer.writerow({
            "reference": facts["reference"], "supplier_code": facts["supplier_code"],
            "location_code": facts["location_code"], **line,
        })  # fmt: skip
    return buffer.getvalue().encode("utf-8-sig")
