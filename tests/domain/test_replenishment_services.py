"""Replenishment plan services against an in-memory unit of work: who decides, what adjusting and
skipping do, and what Approve all turns into (orders per supplier, transfer requests)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.catalog import Product
from domain.errors import DomainError, NotAllowed
from domain.locations import Location, LocationKind
from domain.services import replenishment as service
from domain.staff import Role, StaffMember
from domain.stock import StockPosition
from domain.transfers import TransferState
from tests.domain.fakes import (
    FakeCatalog,
    FakeLocations,
    FakeReplenishment,
    FakeStaff,
    FakeStock,
    FakeUnitOfWork,
)

NOW = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
TODAY = date(2026, 11, 23)
CLERK = StaffMember(1, "clerk", Role.STAFF, ["S01"])
S01_MANAGER = StaffMember(2, "li", Role.MANAGER, ["S01"])
S02_MANAGER = StaffMember(4, "wu", Role.MANAGER, ["S02"])
ADMIN = StaffMember(9, "admin", Role.ADMIN, ["W01"])


def line(sku: str, qty: int, kind: str, source: str, location: str = "S01", pack: int = 1) -> dict:
    return {
        "location_code": location, "sku": sku, "on_hand": 2.0, "in_transit": 0.0, "forecast_daily": 3.0,
        "safety_stock": 4.0, "reorder_point": 10.0, "order_up_to": 30.0, "suggested_qty": qty,
        "source_kind": kind, "source_code": source, "reason_facts": {"kind": kind, "pack_size": pack},
    }  # fmt: skip


def planned(*lines: dict, w01_cola: int = 100) -> tuple[FakeUnitOfWork, int]:
    """S01 and S02 (stores), W01 (warehouse with COLA); tonight's plan holds `lines`."""
    uow = FakeUnitOfWork(
        locations=FakeLocations([
            Location("S01", "Jing'an", LocationKind.STORE, "east", 31.2243, 121.4460),
            Location("S02", "Xuhui", LocationKind.STORE, "east", 31.1880, 121.4370),
            Location("W01", "Central", LocationKind.WAREHOUSE, "east", 31.1000, 121.3000),
        ]),
        catalog=FakeCatalog([Product("COLA", "Cola", "drinks", "Coke", 3.5, 2.1, 24),
                             Product("CHIPS", "Chips", "snacks", "Lay's", 7.9, 4.8, 12),
                             Product("TEA", "Tea", "drinks", "Lipton", 5.0, 3.0, 6)]),
        stock=FakeStock([StockPosition("W01", "COLA", on_hand=w01_cola), StockPosition("S01", "COLA", on_hand=2)]),
        staff=FakeStaff([CLERK, S01_MANAGER, S02_MANAGER, ADMIN]),
        replenishment=FakeReplenishment({("SUP1", "COLA"): 2.0, ("SUP2", "CHIPS"): 4.6, ("SUP1", "TEA"): 3.0}),
    )  # fmt: skip
    stored = service.store_plan(uow, TODAY, list(lines), [{"location_code": "S01", "sku": "COLA", "reorder_point": 10.0}], NOW)
    return uow, stored.plan_id


def line_id(uow: FakeUnitOfWork, sku: str, location: str = "S01") -> int:
    return next(x.id for x in uow.replenishment.stored_lines.values() if x.sku == sku and x.location_code == location)


def test_storing_a_plan_sets_reorder_points_and_refuses_to_replace_a_plan_someone_has_decided_on():
    uow, plan_id = planned(line("COLA", 48, "supplier", "SUP1", pack=24))
    assert uow.replenishment.reorder_points == {("S01", "COLA"): 10.0}

    service.skip_line(uow, S01_MANAGER, line_id(uow, "COLA"), NOW)

    with pytest.raises(DomainError) as refused:
        service.store_plan(uow, TODAY, [line("CHIPS", 12, "supplier", "SUP2")], [], NOW)
    assert refused.value.code == "plan_already_decided"


def test_adjusting_moves_by_whole_packs_and_never_below_one_pack():
    uow, _ = planned(line("COLA", 48, "supplier", "SUP1", pack=24))
    cola = line_id(uow, "COLA")

    more = service.adjust_line(uow, S01_MANAGER, cola, 1, NOW)
    assert (more.qty, more.state) == (72, service.ADJUSTED)
    for _ in range(4):
        less = service.adjust_line(uow, S01_MANAGER, cola, -1, NOW)
    assert (less.qty, less.state) == (24, service.ADJUSTED)
    back = service.adjust_line(uow, S01_MANAGER, cola, 1, NOW)
    assert (back.qty, back.state) == (48, service.PROPOSED)


@pytest.mark.parametrize("who", [CLERK, S02_MANAGER])
def test_only_a_manager_of_the_location_or_an_admin_decides_its_lines(who: StaffMember):
    uow, plan_id = planned(line("COLA", 48, "supplier", "SUP1", pack=24))

    for attempt in (
        lambda: service.adjust_line(uow, who, line_id(uow, "COLA"), 1, NOW),
        lambda: service.skip_line(uow, who, line_id(uow, "COLA"), NOW),
        lambda: service.approve_all(uow, who, plan_id, "S01", NOW),
    ):
        with pytest.raises(NotAllowed):
            attempt()
    assert uow.replenishment.orders == [] and uow.commits == 1  # only the stored plan
    assert service.approve_all(uow, ADMIN, plan_id, "S01", NOW).orders[0].supplier_code == "SUP1"


def test_approve_all_orders_per_supplier_requests_transfers_and_leaves_skipped_lines_out():
    uow, plan_id = planned(
        line("COLA", 48, "supplier", "SUP1", pack=24), line("TEA", 6, "supplier", "SUP1", pack=6),
        line("CHIPS", 24, "supplier", "SUP2", pack=12), line("COLA", 20, "transfer", "W01"),
        line("TEA", 12, "supplier", "SUP1", location="S02", pack=6),
    )  # fmt: skip
    service.skip_line(uow, S01_MANAGER, line_id(uow, "CHIPS"), NOW)
    commits = uow.commits

    approval = service.approve_all(uow, S01_MANAGER, plan_id, "S01", NOW)

    orders = {o.supplier_code: [(x.sku, x.qty, x.unit_cost) for x in o.lines] for o in uow.replenishment.orders}
    assert orders == {"SUP1": [("COLA", 48, 2.0), ("TEA", 6, 3.0)]}
    assert [(t.sku, t.qty, t.from_code, t.to_code, t.state) for t in uow.transfers.rows.values()] == [
        ("COLA", 20, "W01", "S01", TransferState.REQUESTED)
    ]
    assert uow.commits == commits + 1  # orders, transfers and line states in one transaction
    states = {(x.location_code, x.sku, x.source_kind): x.state for x in uow.replenishment.stored_lines.values()}
    assert states[("S01", "CHIPS", "supplier")] == service.SKIPPED
    assert states[("S02", "TEA", "supplier")] == service.PROPOSED
    assert len(approval.approved) == 3 and approval.refused == []


def test_a_second_approve_all_finds_nothing_left_and_a_decided_line_cannot_change():
    uow, plan_id = planned(line("COLA", 48, "supplier", "SUP1", pack=24))
    service.approve_all(uow, S01_MANAGER, plan_id, "S01", NOW)

    again = service.approve_all(uow, S01_MANAGER, plan_id, "S01", NOW)

    assert again.approved == [] and again.orders == [] and len(uow.replenishment.orders) == 1
    with pytest.raises(DomainError) as refused:
        service.adjust_line(uow, S01_MANAGER, line_id(uow, "COLA"), 1, NOW)
    assert refused.value.code == "plan_line_decided"


def test_a_transfer_the_source_can_no_longer_cover_is_refused_while_the_orders_still_go():
    uow, plan_id = planned(line("COLA", 48, "supplier", "SUP1", pack=24), line("COLA", 20, "transfer", "W01"), w01_cola=5)

    approval = service.approve_all(uow, S01_MANAGER, plan_id, "S01", NOW)

    assert [(x.sku, x.refusal) for x in approval.refused] == [("COLA", "insufficient_stock")]
    assert uow.transfers.rows == {} and len(approval.orders) == 1
