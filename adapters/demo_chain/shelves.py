"""Store shelves day by day: twice-weekly deliveries up to ten days of cover, sales limited by what is there.

Demand the shelf cannot serve is lost, so some fast movers show days without
sales while shoppers wanted them (censored demand): when the shelf holds
only a few days of a fast mover, after a promotion outsells the plan, or
when the warehouse could not ship a delivery.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from adapters.demo_chain.catalogue import Catalogue
from adapters.demo_chain.categories import CATEGORIES
from adapters.demo_chain.demand import DemandPlan

COVER_DAYS = 10
# The shelf holds one to four cases of a product: fast movers cannot get ten days of cover,
# slow movers keep a couple of facings that last for weeks.
SHELF_CASES = (1, 2, 3, 4)
FACINGS = 2
SAFETY_FACTOR = 1.3  # standard deviations of cover-period demand kept as safety stock
MISSED_DELIVERY = 0.04  # share of store-SKU deliveries the warehouse cannot fill
DAILY_TRAFFIC_NOISE = 0.08
# Gamma shape of day-to-day demand noise per store and SKU: demand is overdispersed, not Poisson.
DEMAND_SHAPE = 4.0
# Units per sales line: drinks and dairy go in multiples (a six-pack counts as 6).
MULTI_BUY_QTY = (np.array([1, 2, 3, 4, 5, 6]), np.array([0.58, 0.17, 0.07, 0.06, 0.02, 0.10]))
SINGLE_QTY = (np.array([1, 2, 3]), np.array([0.86, 0.11, 0.03]))


@dataclass(frozen=True)
class DaySales:
    """Sales lines of one day across the chain, in no particular order."""

    day_index: int
    store: np.ndarray
    sku: np.ndarray
    qty: np.ndarray


class Shelves:
    """On-hand stock per store and SKU, replenished on each store's delivery weekdays."""

    def __init__(self, plan: DemandPlan, catalogue: Catalogue, rng: np.random.Generator):
        self.plan = plan
        self.rng = rng
        multi_buy = np.array([c.multi_buy for c in CATEGORIES])[catalogue.category]
        self.multi_buy = multi_buy
        self.mean_qty = np.where(multi_buy, MULTI_BUY_QTY[0] @ MULTI_BUY_QTY[1], SINGLE_QTY[0] @ SINGLE_QTY[1])
        stores = len(plan.store_region)
        self.capacity = catalogue.pack_size[None, :] * rng.choice(SHELF_CASES, size=plan.base.shape)
        # Stores 0, 3, 6 get Monday and Thursday deliveries, 1, 4, 7 Tuesday and Friday, ...
        self.delivery_weekdays = [{s % 3, s % 3 + 3} for s in range(stores)]
        self.on_hand = self.order_up_to(0)
        self.lost_store_sku_days = 0

    def order_up_to(self, day_index: int) -> np.ndarray:
        """[store, sku] stock a delivery tops up to: ten days of planned demand and safety, as the shelf allows."""
        planned = self.plan.expected_lines(day_index, with_promotions=False) * self.mean_qty[None, :] * COVER_DAYS
        carried = self.plan.base > 0
        level = np.maximum(np.minimum(np.ceil(planned + SAFETY_FACTOR * np.sqrt(planned)), self.capacity), FACINGS)
        return np.where(carried & (self.plan.lifecycle(day_index) > 0)[None, :], level, 0).astype(np.int32)

    def run(self) -> Iterator[DaySales]:
        """Simulate every day of the plan in order, yielding what was sold."""
        for day_index, day in enumerate(self.plan.days):
            self._deliver(day_index, day.weekday())
            yield self._sell(day_index)

    def _deliver(self, day_index: int, weekday: int) -> None:
        receiving = np.array([weekday in days for days in self.delivery_weekdays])
        if not receiving.any():
            return
        level = self.order_up_to(day_index)[receiving]
        shipped = self.rng.random(level.shape) >= MISSED_DELIVERY
        current = self.on_hand[receiving]
        self.on_hand[receiving] = np.where(shipped, np.maximum(current, level), current)

    def _sell(self, day_index: int) -> DaySales:
        expected = self.plan.expected_lines(day_index)
        traffic = self.rng.lognormal(0.0, DAILY_TRAFFIC_NOISE, (expected.shape[0], 1))
        wanted = self.rng.poisson(expected * traffic * self.rng.gamma(DEMAND_SHAPE, 1 / DEMAND_SHAPE, expected.shape))
        store, sku = np.nonzero(wanted)
        counts = wanted[store, sku]
        store, sku = np.repeat(store, counts), np.repeat(sku, counts)
        qty = self._quantities(sku)
        qty = self._serve(store, sku, qty, counts)
        sold = qty > 0
        return DaySales(day_index, store[sold], sku[sold], qty[sold])

    def _quantities(self, sku: np.ndarray) -> np.ndarray:
        multi = self.multi_buy[sku]
        qty = self.rng.choice(SINGLE_QTY[0], size=len(sku), p=SINGLE_QTY[1])
        qty[multi] = self.rng.choice(MULTI_BUY_QTY[0], size=int(multi.sum()), p=MULTI_BUY_QTY[1])
        return qty

    def _serve(self, store: np.ndarray, sku: np.ndarray, qty: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Cut each line to what is left on the shelf; lines of one store-SKU are consecutive."""
        if len(qty) == 0:
            return qty
        starts = np.cumsum(counts) - counts
        wanted_before = np.cumsum(qty) - qty
        already = wanted_before - np.repeat(wanted_before[starts], counts)
        served = np.clip(self.on_hand[store, sku] - already, 0, qty)
        served_per_group = np.add.reduceat(served, starts)
        self.on_hand[store[starts], sku[starts]] -= served_per_group.astype(np.int32)
        self.lost_store_sku_days += int((served_per_group < np.add.reduceat(qty, starts)).sum())
        return served
