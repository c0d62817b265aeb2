"""Replenishment plans, their lines, purchase orders, and the reorder points the plan sets on positions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from adapters.db.tables import (
    PurchaseOrderLineRow,
    PurchaseOrderRow,
    ReplenishmentLineRow,
    ReplenishmentPlanRow,
    StockPositionRow,
    SupplierItemRow,
    SupplierRow,
)
from adapters.db.timeutil import as_utc
from domain.services.replenishment import DECIDABLE_FIELDS, OrderLine, PlanLine, PurchaseOrder

PLANS, LINES = ReplenishmentPlanRow.__table__, ReplenishmentLineRow.__table__
ORDERS, ORDER_LINES = PurchaseOrderRow.__table__, PurchaseOrderLineRow.__table__
POSITIONS, OFFERS, SUPPLIERS = StockPositionRow.__table__, SupplierItemRow.__table__, SupplierRow.__table__


class ReplenishmentRepository:
    def __init__(self, connection: Connection, *, lock_rows: bool) -> None:
        self._conn = connection
        self._lock_rows = lock_rows

    def plan_id(self, plan_date: date) -> int | None:
        return self._conn.execute(select(PLANS.c.id).where(PLANS.c.plan_date == plan_date)).scalar()

    def latest_plan_id(self, on_or_before: date) -> int | None:
        query = select(PLANS.c.id).where(PLANS.c.plan_date <= on_or_before).order_by(PLANS.c.plan_date.desc()).limit(1)
        return self._conn.execute(query).scalar()

    def plan_date(self, plan_id: int) -> date | None:
        return self._conn.execute(select(PLANS.c.plan_date).where(PLANS.c.id == plan_id)).scalar()

    def add_plan(self, plan_date: date, now: datetime) -> int:
        result = self._conn.execute(insert(PLANS).values(plan_date=plan_date, created_at=now))
        return int(result.inserted_primary_key[0])

    def has_decisions(self, plan_id: int) -> bool:
        query = select(func.count()).select_from(LINES).where(LINES.c.plan_id == plan_id, LINES.c.decided_by.is_not(None))
        return bool(self._conn.execute(query).scalar())

    def delete_lines(self, plan_id: int) -> None:
        self._conn.execute(delete(LINES).where(LINES.c.plan_id == plan_id))

    def add_lines(self, plan_id: int, lines: Sequence[dict]) -> None:
        columns = set(LINES.c.keys()) - {"id"}
        rows = [
            {**{k: v for k, v in line.items() if k in columns}, "plan_id": plan_id,
             "reason_facts": json.dumps(line["reason_facts"], ensure_ascii=False, default=float)}
            for line in lines
        ]  # fmt: skip
        if rows:
            self._conn.execute(insert(LINES), rows)

    def lines(self, plan_id: int, location_codes: Sequence[str] | None = None, *, lock: bool = False) -> list[PlanLine]:
        query = select(LINES).where(LINES.c.plan_id == plan_id)
        if location_codes is not None:
            query = query.where(LINES.c.location_code.in_(list(location_codes)))
        query = query.order_by(LINES.c.location_code, LINES.c.sku, LINES.c.source_kind)
        return [_line(row) for row in self._conn.execute(self._locked(query, lock)).mappings()]

    def line(self, line_id: int, *, lock: bool = False) -> PlanLine | None:
        row = self._conn.execute(self._locked(select(LINES).where(LINES.c.id == line_id), lock)).mappings().first()
        return _line(row) if row else None

    def save_line(self, line: PlanLine) -> None:
        values = {name: getattr(line, name) for name in DECIDABLE_FIELDS}
        self._conn.execute(update(LINES).where(LINES.c.id == line.id).values(**values))

    def offer_costs(self, supplier_code: str, skus: Sequence[str]) -> dict[str, float]:
        query = select(OFFERS.c.sku, OFFERS.c.unit_cost).where(
            OFFERS.c.supplier_code == supplier_code, OFFERS.c.sku.in_(list(skus))
        )
        return {sku: float(cost) for sku, cost in self._conn.execute(query)}

    def add_purchase_order(self, order: PurchaseOrder) -> int:
        result = self._conn.execute(insert(ORDERS).values(
            plan_id=order.plan_id, supplier_code=order.supplier_code, location_code=order.location_code,
            approved_by=order.approved_by, created_at=order.created_at,
        ))  # fmt: skip
        order_id = int(result.inserted_primary_key[0])
        self._conn.execute(insert(ORDER_LINES), [
            {"order_id": order_id, "sku": line.sku, "qty": line.qty, "unit_cost": line.unit_cost,
             "plan_line_id": line.plan_line_id}
            for line in order.lines
        ])  # fmt: skip
        return order_id

    def purchase_orders(self, plan_id: int, location_code: str | None = None) -> list[PurchaseOrder]:
        query = select(ORDERS).where(ORDERS.c.plan_id == plan_id).order_by(ORDERS.c.id)
        if location_code is not None:
            query = query.where(ORDERS.c.location_code == location_code)
        orders = [
            PurchaseOrder(r["id"], r["plan_id"], r["supplier_code"], r["location_code"], r["approved_by"], as_utc(r["created_at"]))
            for r in self._conn.execute(query).mappings()
        ]
        for order in orders:
            rows = self._conn.execute(select(ORDER_LINES).where(ORDER_LINES.c.order_id == order.id).order_by(ORDER_LINES.c.sku))
            order.lines = [OrderLine(r.sku, r.qty, r.unit_cost, r.plan_line_id) for r in rows]
        return orders

    def supplier_contact(self, code: str) -> tuple[str, str | None]:
        """The supplier's name and order email (None when unknown)."""
        row = self._conn.execute(select(SUPPLIERS.c.name, SUPPLIERS.c.email).where(SUPPLIERS.c.code == code)).first()
        return (row.name, row.email or None) if row else (code, None)

    def write_reorder_points(self, points: Sequence[dict]) -> int:
        """Set `stock_position.reorder_point` for the given positions (rows that do not exist are left alone)."""
        if not points:
            return 0
        statement = (
            update(POSITIONS)
            .where(POSITIONS.c.location_code == bindparam("loc"), POSITIONS.c.sku == bindparam("item"))
            .values(reorder_point=bindparam("point"))
        )
        rows = [{"loc": p["location_code"], "item": p["sku"], "point": float(p["reorder_point"])} for p in points]
        self._conn.execute(statement.execution_options(synchronize_session=False), rows)
        return len(rows)

    def _locked(self, query: Any, lock: bool) -> Any:
        return query.with_for_update() if lock and self._lock_rows else query


def _line(row: Any) -> PlanLine:
    values = dict(row)
    values["reason_facts"] = json.loads(values["reason_facts"] or "{}")
    if values["decided_at"] is not None:
        values["decided_at"] = as_utc(values["decided_at"])
    return PlanLine(**values)
