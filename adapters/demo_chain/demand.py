"""What shoppers would buy: expected sales lines per store, SKU and day, and the promotions calendar.

Expected lines = store size x SKU popularity x regional taste x category season
x store traffic (weekday, holidays) x trend x launch ramp x promotion uplift.
The simulation in `shelves` draws from this and loses what the shelf cannot serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from adapters.demo_chain.catalogue import Catalogue
from adapters.demo_chain.categories import CATEGORIES
from adapters.demo_chain.locations import REGIONS, Location
from adapters.demo_chain.seasons import REGION_SWING, category_season, store_traffic

# About 70 receipts of 2.5 lines per store and day.
LINES_PER_STORE_DAY = 175.0
ASSORTMENT_SHARE = 0.9  # a store carries nine in ten SKUs; the fastest movers always
TRENDING_SHARE = 0.15
NEW_PRODUCT_SHARE = 0.02
PROMOTIONS_PER_SKU_YEAR = 2.5
# Regional taste, relative to the chain: the south drinks more, the north eats hot pot and drinks liquor.
REGIONAL_TASTE = {
    "华南": {"饮料": 1.25, "冰淇淋": 1.15, "火锅食材": 0.8, "酒类": 0.8},
    "华北": {"火锅食材": 1.25, "酒类": 1.3, "冰淇淋": 0.9},
}


@dataclass(frozen=True)
class Promotions:
    uplift: np.ndarray  # [sku, day] demand multiplier, 1 off promotion
    price: np.ndarray  # [sku, day] promotional shelf price, 0 off promotion

    def on(self, day_index: int) -> np.ndarray:
        return self.price[:, day_index] > 0


@dataclass(frozen=True)
class DemandPlan:
    days: list[date]
    store_region: np.ndarray  # [store] index into REGIONS
    base: np.ndarray  # [store, sku] expected lines on an average day, 0 where not carried
    season: np.ndarray  # [region, category, day]
    traffic: np.ndarray  # [day]
    growth: np.ndarray  # [sku] yearly log-growth, mostly 0
    launch: np.ndarray  # [sku] day index a new product reaches the shelf, 0 for established ones
    promotions: Promotions
    sku_category: np.ndarray

    def expected_lines(self, day_index: int, with_promotions: bool = True) -> np.ndarray:
        """[store, sku] expected sales lines on that day, before noise and stock-outs."""
        season = self.season[self.store_region[:, None], self.sku_category[None, :], day_index]
        lines = self.base * season * (self.traffic[day_index] * self.lifecycle(day_index))[None, :]
        if with_promotions:
            lines = lines * self.promotions.uplift[None, :, day_index]
        return lines

    def lifecycle(self, day_index: int) -> np.ndarray:
        """[sku] trend and launch ramp: growth around mid-history, nothing before launch."""
        middle = (len(self.days) - 1) / 2
        trend = np.exp(self.growth * (day_index - middle) / 365)
        age = day_index - self.launch
        ramp = np.where(age >= 0, 1 - np.exp(-(age + 1) / 10), 0.0)
        return trend * np.where(self.launch > 0, ramp, 1.0)


def plan_demand(rng: np.random.Generator, catalogue: Catalogue, stores: list[Location], days: list[date]) -> DemandPlan:
    """Draw the chain's latent demand: who carries what, trends, launches and promotions."""
    store_region = np.array([REGIONS.index(s.region) for s in stores])
    launch = _launch_days(rng, len(catalogue), len(days))
    return DemandPlan(
        days=days,
        store_region=store_region,
        base=_base_lines(rng, catalogue, stores, launch),
        season=_seasons(days),
        traffic=store_traffic(days),
        growth=np.where(rng.random(len(catalogue)) < TRENDING_SHARE, rng.uniform(-0.6, 0.8, len(catalogue)), 0.0),
        launch=launch,
        promotions=_promotions(rng, catalogue, len(days)),
        sku_category=catalogue.category,
    )


def _base_lines(rng: np.random.Generator, catalogue: Catalogue, stores: list[Location], launch: np.ndarray) -> np.ndarray:
    size = rng.lognormal(0.0, 0.25, len(stores))
    size /= size.mean()
    fast_movers = catalogue.popularity >= np.quantile(catalogue.popularity, 0.9)
    carried = (rng.random((len(stores), len(catalogue))) < ASSORTMENT_SHARE) | fast_movers[None, :]
    taste = np.array([[REGIONAL_TASTE.get(s.region, {}).get(c.name, 1.0) for c in CATEGORIES] for s in stores])
    weight = carried * catalogue.popularity[None, :] * taste[:, catalogue.category]
    # New products are not part of today's assortment mix: they add to it once launched.
    established = (launch == 0)[None, :]
    per_store = (weight * established).sum(axis=1, keepdims=True)
    return LINES_PER_STORE_DAY * size[:, None] * weight / per_store


def _seasons(days: list[date]) -> np.ndarray:
    return np.array([
        [category_season(c.season, c.amplitude, days, REGION_SWING[region]) for c in CATEGORIES]
        for region in REGIONS
    ])


def _launch_days(rng: np.random.Generator, skus: int, days: int) -> np.ndarray:
    """A few products launched in the last three months (none in very short histories)."""
    window = min(90, days // 2)
    launch = np.zeros(skus, dtype=int)
    if window <= 10:
        return launch
    new = rng.random(skus) < NEW_PRODUCT_SHARE
    launch[new] = days - rng.integers(10, window + 1, int(new.sum()))
    return launch


def _promotions(rng: np.random.Generator, catalogue: Catalogue, days: int) -> Promotions:
    """Week-or-two price cuts of 10-30% that lift demand by 30-80%."""
    uplift = np.ones((len(catalogue), days))
    price = np.zeros((len(catalogue), days))
    count = rng.poisson(PROMOTIONS_PER_SKU_YEAR * days / 365 * len(catalogue))
    skus = rng.integers(0, len(catalogue), count)
    starts = rng.integers(-10, days, count)
    lengths = rng.integers(7, 15, count)
    discounts = rng.uniform(0.1, 0.3, count)
    lifts = 1 + 2 * discounts + rng.uniform(0.1, 0.2, count)
    for sku, start, length, discount, lift in zip(skus, starts, lengths, discounts, lifts, strict=True):
        window = slice(max(0, start), min(days, start + length))
        list_price = catalogue.unit_price[sku]
        uplift[sku, window] = lift
        price[sku, window] = min(np.floor(list_price * (1 - discount) * 10) / 10, round(list_price - 0.1, 2))
    return Promotions(uplift, price)
