"""Queries behind a product card: which product is meant, and where it is in stock."""

from __future__ import annotations

from dataclasses import dataclass

from domain.barcodes import looks_like_barcode, lookup_keys
from domain.catalog import Product
from domain.errors import NotFound
from domain.locations import Location, by_distance
from domain.search import ProductSearchIndex
from domain.staff import Permission, StaffMember
from domain.stock import Movement, StockPosition

NEARBY_LIMIT = 6


@dataclass(slots=True, frozen=True)
class ProductMatches:
    """What a typed query resolved to: one product, several to choose from, or none."""

    products: list[Product]
    via_barcode: bool = False
    units: int = 1  # a carton barcode stands for a pack


@dataclass(slots=True, frozen=True)
class NearbyStock:
    location: Location
    distance_km: float
    available: int


@dataclass(slots=True, frozen=True)
class StockCard:
    product: Product
    here: Location | None
    position: StockPosition | None
    nearby: list[NearbyStock]
    last_movement: Movement | None
    show_costs: bool


def find_products(uow, index: ProductSearchIndex, query: str, limit: int = 8) -> ProductMatches:  # type: ignore[no-untyped-def]
    """Exact SKU, then barcode, then words of the name (typos and partial words allowed)."""
    text = query.strip()
    if not text:
        return ProductMatches([])
    product = uow.catalog.get(text) or uow.catalog.get(text.upper())
    if product:
        return ProductMatches([product])
    if looks_like_barcode(text):
        found = uow.catalog.by_barcode_keys(lookup_keys(text))
        if found:
            return ProductMatches([found[0][0]], via_barcode=True, units=found[0][1])
        return ProductMatches([], via_barcode=True)
    products = [uow.catalog.get(match.sku) for match in index.search(text, limit)]
    return ProductMatches([p for p in products if p is not None])


def stock_card(  # type: ignore[no-untyped-def]
    uow, sku: str, here_code: str | None, viewer: StaffMember, locations: list[Location] | None = None
) -> StockCard:
    """The card staff see: stock here, who nearby has it, and the last movement here.

    `locations` may come from a cache: the chain's stores change far less often than it is asked about.
    """
    viewer.require(Permission.LOOKUP)
    product = uow.catalog.get(sku)
    if product is None:
        raise NotFound("unknown_sku", sku=sku)
    locations = {loc.code: loc for loc in (locations if locations is not None else uow.locations.all())}
    positions = {p.location_code: p for p in uow.stock.for_sku(sku)}
    here = locations.get(here_code) if here_code else None
    nearby: list[NearbyStock] = []
    if here is not None:
        for other, km in by_distance(here, locations.values()):
            position = positions.get(other.code)
            if position and position.available > 0:
                nearby.append(NearbyStock(other, round(km, 1), position.available))
    else:
        nearby = [
            NearbyStock(locations[p.location_code], 0.0, p.available)
            for p in sorted(positions.values(), key=lambda p: -p.available)
            if p.available > 0 and p.location_code in locations
        ]
    last = uow.stock.movements_for(here.code, sku, 1) if here else []
    return StockCard(
        product,
        here,
        positions.get(here.code) if here else None,
        nearby[:NEARBY_LIMIT],
        last[0] if last else None,
        viewer.can(Permission.SEE_COSTS),
    )
