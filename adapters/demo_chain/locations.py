"""Stores and warehouses of the demo chain: three regions, real city districts, plausible coordinates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

REGIONS = ("华东", "华南", "华北")

# (city, region, district, latitude, longitude): one store per district, in opening order.
DISTRICTS: tuple[tuple[str, str, str, float, float], ...] = (
    ("上海", "华东", "徐汇", 31.188, 121.437),
    ("上海", "华东", "静安", 31.229, 121.448),
    ("杭州", "华东", "西湖", 30.259, 120.130),
    ("广州", "华南", "天河", 23.125, 113.361),
    ("北京", "华北", "朝阳", 39.921, 116.443),
    ("深圳", "华南", "南山", 22.533, 113.930),
    ("上海", "华东", "浦东陆家嘴", 31.236, 121.505),
    ("苏州", "华东", "工业园区", 31.317, 120.716),
    ("北京", "华北", "海淀", 39.959, 116.298),
    ("广州", "华南", "越秀", 23.129, 113.267),
    ("深圳", "华南", "福田", 22.541, 114.055),
    ("上海", "华东", "杨浦五角场", 31.299, 121.514),
    ("杭州", "华东", "滨江", 30.208, 120.211),
    ("天津", "华北", "和平", 39.117, 117.195),
    ("上海", "华东", "闵行莘庄", 31.111, 121.385),
    ("广州", "华南", "海珠", 23.084, 113.317),
    ("深圳", "华南", "宝安", 22.555, 113.884),
    ("苏州", "华东", "姑苏", 31.311, 120.619),
    ("北京", "华北", "东城", 39.929, 116.416),
    ("上海", "华东", "长宁", 31.220, 121.424),
    ("杭州", "华东", "拱墅", 30.320, 120.142),
    ("天津", "华北", "南开", 39.117, 117.150),
    ("上海", "华东", "普陀", 31.249, 121.397),
    ("深圳", "华南", "龙岗", 22.720, 114.247),
    ("北京", "华北", "丰台", 39.858, 116.287),
)

# code, name, region, tier, latitude, longitude
WAREHOUSES: tuple[tuple[str, str, str, str, float, float], ...] = (
    ("W01", "华东中心仓（昆山）", "华东", "central", 31.385, 120.981),
    ("W02", "华南区域仓（东莞）", "华南", "regional", 22.947, 113.752),
    ("W03", "华北区域仓（廊坊）", "华北", "regional", 39.538, 116.684),
)

# Big benchmark chains open further branches in the same districts, a couple of kilometres apart.
JITTER_DEGREES = 0.02


@dataclass(frozen=True)
class Location:
    code: str
    name: str
    kind: str  # store | warehouse
    region: str
    latitude: float
    longitude: float
    tier: str  # central | regional | front for warehouses, "" for stores

    @property
    def is_store(self) -> bool:
        return self.kind == "store"


def build_locations(rng: np.random.Generator, stores: int) -> list[Location]:
    """`stores` stores (S01, S02, ...) followed by the three warehouses."""
    width = max(2, len(str(stores)))
    result = []
    for n in range(stores):
        city, region, district, latitude, longitude = DISTRICTS[n % len(DISTRICTS)]
        branch = n // len(DISTRICTS)
        name = f"{city}{district}店" if branch == 0 else f"{city}{district}{branch + 1}号店"
        jitter = rng.normal(0, JITTER_DEGREES, 2) if branch else (0.0, 0.0)
        result.append(
            Location(f"S{n + 1:0{width}d}", name, "store", region,
                     round(latitude + jitter[0], 5), round(longitude + jitter[1], 5), "")
        )
    for code, name, region, tier, latitude, longitude in WAREHOUSES:
        result.append(Location(code, name, "warehouse", region, latitude, longitude, tier))
    return result
