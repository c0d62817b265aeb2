"""Who the chain buys from: two suppliers per category, an import distributor, and a second source for some SKUs.

The main dairy supplier runs its own cold chain to the shops (direct store
delivery): its driver tops up each store's shelf next day by the unit, so
a store is not sent a case of a yogurt it sells twice a week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapters.demo_chain.catalogue import Catalogue
from adapters.demo_chain.categories import CATEGORIES

SECOND_SOURCE_SHARE = 0.2
# Trading-company names per category (main supplier, alternative); imports go through one distributor.
SUPPLIER_NAMES = {
    "饮料": ("华润饮品供应链有限公司", "上海捷顺饮料贸易有限公司"),
    "冰淇淋": ("蒙伊冷链食品有限公司", "杭州冰川冷饮配送有限公司"),
    "火锅食材": ("川味源食品有限公司", "北方冻品批发有限公司"),
    "热饮冲调": ("优品冲调食品有限公司", "广州南方冲饮贸易有限公司"),
    "酒类": ("名酒汇酒业有限公司", "天津佳酿贸易有限公司"),
    "礼盒": ("好礼来商贸有限公司", "深圳年货通供应链有限公司"),
    "月饼": ("岭南饼业有限公司", "苏式糕点食品有限公司"),
    "休闲零食": ("零食优选供应链有限公司", "江南休闲食品批发有限公司"),
    "方便速食": ("速食联盟食品有限公司", "华北方便食品配送有限公司"),
    "乳制品": ("鲜乳冷链配送有限公司", "华南乳业贸易有限公司"),
    "日化清洁": ("洁净日化用品有限公司", "家美日用品批发有限公司"),
    "个人护理": ("美丽人生日化有限公司", "东方个护用品贸易有限公司"),
}
IMPORTER = "环球进口食品贸易有限公司"
DIRECT_TO_STORE = {"鲜乳冷链配送有限公司"}


@dataclass(frozen=True)
class SupplierOffer:
    supplier_code: str
    supplier_name: str
    sku: str
    unit_cost: float
    lead_time_days: int
    min_order_qty: int
    pack_size: int
    email: str
    direct_to_store: bool = False


def supplier_directory() -> list[tuple[str, str]]:
    """(code, name) of every supplier: SUP01.. in category order, the importer last."""
    names = [name for c in CATEGORIES for name in SUPPLIER_NAMES[c.name]] + [IMPORTER]
    return [(f"SUP{n:02d}", name) for n, name in enumerate(names, start=1)]


def supplier_offers(rng: np.random.Generator, catalogue: Catalogue) -> list[SupplierOffer]:
    """One offer per SKU from its main supplier, a dearer or slower second offer for a fifth of them."""
    directory = supplier_directory()
    importer = len(directory) - 1
    offers = []
    for i, sku in enumerate(catalogue.sku):
        main = importer if catalogue.imported[i] else 2 * int(catalogue.category[i])
        lead = int(rng.integers(10, 22)) if catalogue.imported[i] else int(rng.integers(2, 8))
        offers.append(_offer(rng, directory[main], catalogue, i, sku, lead, 1.0))
        if rng.random() < SECOND_SOURCE_SHARE:
            alternative = 2 * int(catalogue.category[i]) + (0 if catalogue.imported[i] else 1)
            offers.append(_offer(rng, directory[alternative], catalogue, i, sku, lead + int(rng.integers(1, 5)), 1.04))
    return offers


def _offer(rng: np.random.Generator, supplier: tuple[str, str], catalogue: Catalogue, i: int, sku: str,
           lead_time: int, premium: float) -> SupplierOffer:
    code, name = supplier
    pack = int(catalogue.pack_size[i])
    unit_cost = round(float(catalogue.unit_cost[i]) * premium * rng.uniform(0.97, 1.03), 2)
    packs = int(rng.choice([1, 2, 4]))  # drawn for every offer, so the stream does not depend on who delivers
    direct = name in DIRECT_TO_STORE
    return SupplierOffer(
        supplier_code=code,
        supplier_name=name,
        sku=sku,
        unit_cost=unit_cost,
        lead_time_days=1 if direct else lead_time,
        min_order_qty=1 if direct else pack * packs,
        pack_size=1 if direct else pack,
        email=f"orders@{code.lower()}.example.com",
        direct_to_store=direct,
    )
