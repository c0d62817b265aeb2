"""The replenishment policy's settings, one place with documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field


def _service_levels() -> dict[str, float]:
    return {"A": 0.98, "B": 0.97, "C": 0.97}


@dataclass(frozen=True)
class PolicyConfig:
    """How the chain wants to replenish.

    service_levels: target probability of not running out before the next
        delivery, per ABC class (A: top 80% of a location's forecast sales value,
        B: next 15%, C: the rest). B and C sit at 97%, not the textbook 95% and
        90%: a store fed daily holds a unit or two of them, so the lower levels
        mostly mean no spare unit when a customer buys two, a lost sale saved
        for one unit's holding.
    review_period_days: days between reviews (the nightly run: 1); safety
        stock covers lead time plus this, the time until an order can arrive.
    order_cycle_days: days of sales a supplier order carries beyond that, so
        locations do not order every night.
    store_order_cycle_days: the same for stores fed by a warehouse, which
        get deliveries more often than suppliers deliver.
    max_transfer_km: furthest a store may send surplus to another store.
    max_warehouse_km: furthest a warehouse may send surplus to a store.
    transfer_cost_per_unit_km, transfer_handling_per_unit: what moving one
        unit costs; a transfer is chosen only when cheaper than buying the unit.
    transfer_lead_time_days: days a transfer to a nearby location takes to
        arrive (picked tonight, on tomorrow's delivery).
    transfer_km_per_day: a transfer takes a day longer per this many km on
        the road: a store 50 km from its warehouse is served tomorrow, one
        1,200 km from the central warehouse a day later. Stores plan their
        safety stock on the lead time of the warehouse that stocks each SKU.
    min_transfer_value: the least stock value (at cost) a store-to-store line
        moves, unless it moves a whole pack. Such a line is an extra trip,
        picked, packed, booked and approved at both ends; a ¥4 bottle is not
        worth that, and the need goes to the next source or to the purchase.
        Warehouse lines ride the store's regular delivery and carry exactly
        the units needed.
    holding_rate_per_year: cost of capital and storage as a share of unit cost,
        used to price a supplier's longer lead time into its landed cost.
    order_cost: fixed cost of one supplier order line (reported by the simulation).
    default_lead_time_days: for SKUs without a supplier offer.
    central_stock_days: a SKU whose smallest supplier order (minimum or pack)
        lasts all stores longer than this is bought and held only by the
        central warehouse; regional warehouses would each sit on months of it.
    """

    service_levels: dict[str, float] = field(default_factory=_service_levels)
    abc_cutoffs: tuple[float, float] = (0.80, 0.95)
    review_period_days: int = 1
    order_cycle_days: int = 7
    store_order_cycle_days: int = 3
    max_transfer_km: float = 30.0
    max_warehouse_km: float = 1500.0
    transfer_cost_per_unit_km: float = 0.001
    transfer_handling_per_unit: float = 0.10
    transfer_lead_time_days: int = 1
    transfer_km_per_day: float = 800.0
    min_transfer_value: float = 50.0
    holding_rate_per_year: float = 0.25
    order_cost: float = 15.0
    default_lead_time_days: int = 7
    central_stock_days: float = 28.0
