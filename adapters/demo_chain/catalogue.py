"""The demo assortment: SKUs with names, brands, barcodes, prices, costs, case sizes and popularity."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from adapters.demo_chain import gtins
from adapters.demo_chain.categories import CATEGORIES, Category

IMPORTED_SHARE = 0.08
EAN8_SHARE = 0.04
CARTON_SHARE = 0.2
# Lognormal spread of popularity: a few fast movers, a long tail of slow ones.
POPULARITY_SIGMA = 1.5


@dataclass(frozen=True)
class Catalogue:
    sku: list[str]
    name: list[str]
    brand: list[str]
    barcodes: list[str]  # "|"-separated, consumer unit first
    category: np.ndarray  # index into CATEGORIES
    unit_price: np.ndarray
    unit_cost: np.ndarray
    pack_size: np.ndarray
    imported: np.ndarray
    popularity: np.ndarray  # share of the chain's sales lines, sums to 1

    def __len__(self) -> int:
        return len(self.sku)

    def category_name(self, index: int) -> str:
        return CATEGORIES[self.category[index]].name


@dataclass
class _Draft:
    name: str
    brand: str
    size_rank: float  # 0 smallest .. 1 largest size of the category
    imported: bool


def build_catalogue(rng: np.random.Generator, skus: int) -> Catalogue:
    """`skus` products spread over the categories by their share of the assortment."""
    drafts: list[_Draft] = []
    category_of: list[int] = []
    for index, (category, count) in enumerate(zip(CATEGORIES, _counts_per_category(skus), strict=True)):
        drafts += _draft_products(rng, category, count)
        category_of += [index] * count
    category = np.array(category_of)
    prices = _shelf_prices(rng, category, np.array([d.size_rank for d in drafts]))
    margins = np.array([rng.uniform(*CATEGORIES[c].margin) for c in category])
    imported = np.array([d.imported for d in drafts])
    return Catalogue(
        sku=[f"SKU{n:05d}" for n in range(1, skus + 1)],
        name=[d.name for d in drafts],
        brand=[d.brand for d in drafts],
        barcodes=_barcodes(rng, imported, prices),
        category=category,
        unit_price=prices,
        unit_cost=np.round(prices * (1 - margins), 2),
        pack_size=np.array([rng.choice(CATEGORIES[c].packs) for c in category]),
        imported=imported,
        popularity=_popularity(rng, category),
    )


def _counts_per_category(skus: int) -> list[int]:
    """Largest-remainder split of the assortment, at least one SKU per category."""
    shares = np.array([c.sku_share for c in CATEGORIES])
    spare = skus - len(CATEGORIES)
    if spare < 0:
        raise ValueError(f"the demo chain needs at least {len(CATEGORIES)} SKUs")
    exact = shares / shares.sum() * spare
    counts = np.floor(exact).astype(int)
    for index in np.argsort(-(exact - counts), kind="stable")[: spare - counts.sum()]:
        counts[index] += 1
    return list(counts + 1)


def _draft_products(rng: np.random.Generator, category: Category, count: int) -> list[_Draft]:
    imported_count = min(len(category.imported), round(count * IMPORTED_SHARE))
    imported = [_imported_draft(text) for text in rng.permutation(category.imported)[:imported_count]]
    combos = [
        (brand, item, flavour, size, rank / max(1, len(sizes) - 1))
        for brand, item, flavour in itertools.product(category.brands, category.items, category.flavours)
        for sizes in [category.item_sizes.get(item, category.sizes)]
        for rank, size in enumerate(sizes)
    ]
    picks = rng.permutation(len(combos))
    domestic = []
    for n in range(count - imported_count):
        brand, item, flavour, size, size_rank = combos[picks[n % len(combos)]]
        repeat = n // len(combos)  # only huge assortments wrap around: mark the variant
        name = f"{brand}{flavour}{item}{size}" + (f"（{repeat + 1}代）" if repeat else "")
        domestic.append(_Draft(name, brand, size_rank, False))
    drafts = domestic + imported
    order = rng.permutation(len(drafts))  # imported goods are not all at the end of the SKU list
    return [drafts[i] for i in order]


def _imported_draft(text: str) -> _Draft:
    brand = text.split("·")[0] if "·" in text else text.split(" ")[0]
    return _Draft(text.replace("·", " "), brand, 0.3, True)


def _shelf_prices(rng: np.random.Generator, category: np.ndarray, size_rank: np.ndarray) -> np.ndarray:
    low = np.array([CATEGORIES[c].price[0] for c in category])
    high = np.array([CATEGORIES[c].price[1] for c in category])
    # Bigger sizes sit higher in the range; brand and item add noise on a log scale.
    position = np.clip(0.6 * size_rank + rng.normal(0.2, 0.2, len(category)), 0, 1)
    raw = np.exp(np.log(low) + position * (np.log(high) - np.log(low)))
    return np.array([_price_point(p) for p in raw])


def _price_point(price: float) -> float:
    """Shelf price endings shoppers see: 3.5, 12.9, 128."""
    if price < 10:
        return max(1.0, round(price * 2) / 2)
    if price < 100:
        return float(np.floor(price)) + 0.9
    return float(round(price / 10) * 10 - 2)


def _barcodes(rng: np.random.Generator, imported: np.ndarray, prices: np.ndarray) -> list[str]:
    count = len(imported)
    american = imported & (rng.random(count) < 0.5)
    small = ~imported & (prices < 10) & (rng.random(count) < EAN8_SHARE * 3)
    families = [
        (american, gtins.upc_a),
        (imported & ~american, gtins.foreign_ean13),
        (small, gtins.chinese_ean8),
        (~imported & ~small, gtins.chinese_ean13),
    ]
    units = np.empty(count, dtype=object)
    for mask, make in families:
        units[mask] = make(rng, int(mask.sum()))
    cartons = rng.random(count) < CARTON_SHARE
    return [f"{unit}|{gtins.carton_gtin14(unit)}" if carton else unit for unit, carton in zip(units, cartons, strict=True)]


def _popularity(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    weight = rng.lognormal(0.0, POPULARITY_SIGMA, len(category))
    traffic = np.array([c.traffic_share for c in CATEGORIES])
    per_category = np.bincount(category, weights=weight, minlength=len(CATEGORIES))
    return weight / per_category[category] * traffic[category]
