"""Stores and warehouses, and the distances between them."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class LocationKind(StrEnum):
    STORE = "store"
    WAREHOUSE = "warehouse"


class WarehouseTier(StrEnum):
    CENTRAL = "central"
    REGIONAL = "regional"
    FRONT = "front"


@dataclass(slots=True)
class Location:
    code: str
    name: str
    kind: LocationKind
    region: str
    latitude: float
    longitude: float
    tier: WarehouseTier | None = None
    allow_negative_stock: bool = False
    chat_id: int | None = None

    @property
    def is_store(self) -> bool:
        return self.kind is LocationKind.STORE


EARTH_RADIUS_KM = 6371.0


def distance_km(a: Location, b: Location) -> float:
    """Great-circle (haversine) distance: good enough to rank who is nearest."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def by_distance(origin: Location, others: Iterable[Location]) -> list[tuple[Location, float]]:
    """Other locations nearest first, with their distance from `origin`."""
    ranked = [(other, distance_km(origin, other)) for other in others if other.code != origin.code]
    return sorted(ranked, key=lambda pair: (pair[1], pair[0].code))
